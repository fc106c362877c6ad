"""Export a Keras model to TFLite (optionally quantized), with its labels beside it."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np

from signcam.classifier import labels_path_for, load_classifier
from signcam.errors import ModelError


def export_tflite(model_path: Path, out: Path | None = None, quantize: str | None = None,
                  representative: np.ndarray | None = None, representative_lms: np.ndarray | None = None) -> Path:
    """Convert; int8 needs representative crops and landmarks to calibrate activations."""
    import tensorflow as tf

    classifier = load_classifier(model_path)
    if not hasattr(classifier, "model"):
        raise ModelError("export takes a .keras model")
    model = classifier.model
    s = classifier.info.input_size
    out = out or model_path.with_name(model_path.stem + (f"_{quantize}" if quantize else "") + ".tflite")

    @tf.function(input_signature=[tf.TensorSpec([None, s, s, 3], tf.uint8, name="crop"),
                                  tf.TensorSpec([None, 21, 3], tf.float32, name="landmarks")])
    def serve(crop, landmarks):
        return model({"crop": crop, "landmarks": landmarks}, training=False)

    converter = tf.lite.TFLiteConverter.from_concrete_functions([serve.get_concrete_function()], model)
    if quantize == "float16":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.target_spec.supported_types = [tf.float16]
    elif quantize == "int8":
        if representative is None:
            raise ModelError("int8 quantization needs --calibrate DATA (a cache of crops)")
        converter.optimizations = [tf.lite.Optimize.DEFAULT]

        def samples():
            for i in range(min(len(representative), 200)):
                yield [representative[i:i + 1], representative_lms[i:i + 1].astype(np.float32)]

        converter.representative_dataset = samples
    elif quantize is not None:
        raise ModelError(f"unknown quantization {quantize!r}: use float16 or int8")
    data = converter.convert()
    tmp = out.with_name(out.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, out)
    shutil.copyfile(labels_path_for(model_path), out.with_suffix(".labels.json"))
    return out
