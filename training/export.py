"""Export a Keras model to TFLite (optionally quantized), with its labels beside it."""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from signcam.bundled import export_record_path, sha256_of
from signcam.classifier import labels_path_for, load_classifier
from signcam.errors import ModelError
from signcam.quiet import native_stderr_silenced


def export_tflite(model_path: Path, out: Path | None = None, quantize: str | None = None,
                  representative: np.ndarray | None = None, representative_lms: np.ndarray | None = None) -> Path:
    """Convert; int8 needs representative crops and landmarks to calibrate activations."""
    import keras
    import tensorflow as tf

    classifier = load_classifier(model_path)
    if not hasattr(classifier, "model"):
        raise ModelError("export takes a .keras model")
    model = classifier.model
    s = classifier.info.input_size
    out = out or model_path.with_name(model_path.stem + (f"_{quantize}" if quantize else "") + ".tflite")

    # Through a SavedModel: converting a concrete function directly leaves the
    # dropout layers' seed variables unfrozen, and TFLite cannot read them.
    archive = keras.export.ExportArchive()
    archive.track(model)
    archive.add_endpoint(
        "serve", lambda crop, landmarks: model({"crop": crop, "landmarks": landmarks}, training=False),
        input_signature=[tf.TensorSpec([None, s, s, 3], tf.uint8, name="crop"),
                         tf.TensorSpec([None, 21, 3], tf.float32, name="landmarks")])
    saved = Path(tempfile.mkdtemp(prefix="signcam-export-"))
    try:
        with native_stderr_silenced():
            archive.write_out(str(saved), verbose=False)
        converter = tf.lite.TFLiteConverter.from_saved_model(str(saved))
        if quantize == "float16":
            converter.optimizations = [tf.lite.Optimize.DEFAULT]
            converter.target_spec.supported_types = [tf.float16]
        elif quantize == "int8":
            if representative is None:
                raise ModelError("int8 quantization needs --calibrate DATA (a cache of crops)")
            converter.optimizations = [tf.lite.Optimize.DEFAULT]

            # Spread over the whole cache: its samples are grouped by class, so the first 200
            # would calibrate the activations on a few letters only.
            chosen = np.unique(np.linspace(0, len(representative) - 1, min(len(representative), 300)).astype(int))

            def samples():
                for i in chosen:
                    yield {"crop": representative[i:i + 1], "landmarks": representative_lms[i:i + 1].astype(np.float32)}

            converter.representative_dataset = samples
        elif quantize is not None:
            raise ModelError(f"unknown quantization {quantize!r}: use float16 or int8")
        with native_stderr_silenced():
            data = converter.convert()
    finally:
        shutil.rmtree(saved, ignore_errors=True)
    _write_atomic(out, data)
    labels = labels_path_for(model_path)
    if labels_path_for(out).resolve() != labels.resolve():  # e.g. exported beside the source: labels.json is shared
        shutil.copyfile(labels, out.with_suffix(".labels.json"))
    # What it was made from: the app loads a bundled export only while its source is unchanged.
    record = {"source": os.path.relpath(model_path, out.parent), "source_sha256": sha256_of(model_path), "format": "tflite",
              "quantize": quantize, "tensorflow": tf.__version__}
    _write_atomic(export_record_path(out), (json.dumps(record, indent=1) + "\n").encode())
    return out


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)
