"""Export a Keras model to TFLite (optionally quantized), with its labels beside it."""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import warnings
from pathlib import Path

import numpy as np

from signcam.letters.bundled import export_record_path, sha256_of
from signcam.letters.classifier import labels_path_for, load_classifier
from signcam.runtime import tflite_interpreter_class
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
        elif quantize is not None:
            raise ModelError(f"unknown quantization {quantize!r}: use float16 or int8")
        with native_stderr_silenced():
            data = (_backbone_int8(converter, model, representative, representative_lms) if quantize == "int8"
                    else converter.convert())
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


CALIBRATION_SAMPLES = 600


def spread(n: int, k: int) -> np.ndarray:
    """Up to k indices spread evenly over n samples: caches are grouped by class or source, so the
    first few hundred would calibrate the activations on a few letters or people only."""
    return np.unique(np.linspace(0, n - 1, min(n, k)).astype(int))


def int8_keeping_float(converter, samples, choose_float) -> tuple[bytes, int, int]:
    """The converter's model in int8, calibrated on `samples`, except the ops `choose_float(ops, names)`
    picks from the float graph (op details; tensor index -> name, which says the layer). Returns the
    bytes, the number of ops kept float and the number of ops."""
    import tensorflow as tf

    float_graph = tflite_interpreter_class()(model_content=converter.convert())
    names = {t["index"]: t["name"] for t in float_graph.get_tensor_details()}
    ops = float_graph._get_ops_details()
    keep_float = [names[op["outputs"][0]] for op in choose_float(ops, names)]
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = samples
    # The quantization debugger's denylist is how the converter keeps chosen ops float; it runs
    # tf.lite.Interpreter, which warns that it is deprecated.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        debugger = tf.lite.experimental.QuantizationDebugger(
            converter=converter, debug_dataset=samples,
            debug_options=tf.lite.experimental.QuantizationDebugOptions(denylisted_nodes=keep_float))
        return debugger.get_nondebug_quantized_model(), len(keep_float), len(ops)


def _backbone_int8(converter, model, crops: np.ndarray, landmarks: np.ndarray):
    """The model's bytes with int8 for the image backbone, where the time goes (4.1 -> 1.8 ms of
    CPU per crop); the landmark branch and the heads stay float32. They cost almost nothing, and quantizing them
    too lost 0.6 points on roboflow-train (0.8155 -> 0.8094) against 0.15 for the backbone alone."""
    from .model import backbone_of

    chosen = spread(len(crops), CALIBRATION_SAMPLES)

    def samples():
        for i in chosen:
            yield {"crop": crops[i:i + 1], "landmarks": landmarks[i:i + 1].astype(np.float32)}

    quantized_parts = (f"/{backbone_of(model).name}", "/preprocess")

    def outside_backbone(ops, names):
        return [op for op in ops if not any(part in names[op["outputs"][0]] for part in quantized_parts)]

    return int8_keeping_float(converter, samples, outside_backbone)[0]


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)
