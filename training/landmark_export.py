"""MediaPipe's hand landmark model with int8 convolutions, for cheaper video tracking.

The mediapipe wheel ships `hand_landmark_full.tflite` with float16 weights, run in float32: about
8.8 ms of CPU per frame, the tracker's largest cost (signcam/vision/landmark_tracker.py). A `.tflite`
file cannot be requantized, so `keras_from_tflite` rebuilds its graph in Keras from the file's own
operators and weights (the same outputs to 1e-3 pixels), and `export_landmark_model` converts that
with int8 weights and activations, calibrated on hands cut from training photos exactly as the
tracker cuts them. The first convolutions and the four output layers stay float32: quantizing
those moved the landmarks most (MODEL.md's "Hand landmarks" section has the measurements).
"""
from __future__ import annotations

import json
import os
import random
import shutil
import tempfile
from pathlib import Path

import cv2
import numpy as np

from signcam.letters.bundled import export_record_path, sha256_of
from signcam.errors import DatasetError, ModelError
from signcam.vision.frames import image_files, read_image
from signcam.vision.hand_roi import Roi, cut, roi_from_landmarks
from signcam.vision.landmark_tracker import INPUT_SIZE
from signcam.quiet import native_stderr_silenced

# Leading CONV_2D/DEPTHWISE_CONV_2D ops kept float32, with the output layers. Measured on the teal
# clips against the float model (same regions), mean distance in hand sizes: 0 kept, 0.77%;
# 2 kept, 0.55%; 5, 0.33%; 12, 0.30%, for about the same speed.
FLOAT_LEADING_CONVS = 5
CALIBRATION_SAMPLES = 400
PHOTOS_PER_FOLDER = 60
RELU = {0: None, 1: "relu", 3: "relu6"}  # TFLite's fused activation codes used by this graph


def keras_from_tflite(path: Path):
    """The graph of MediaPipe's landmark model as a Keras model with the same weights.

    Supports the operators that graph uses (convolutions, depthwise convolutions, additions,
    a spatial mean, dense layers, sigmoids, with fused ReLU/ReLU6); anything else is refused."""
    import tensorflow as tf
    from tensorflow.lite.python import schema_py_generated as schema
    from tensorflow.lite.tools import flatbuffer_utils

    try:
        model = flatbuffer_utils.read_model(str(path))
    except Exception as exc:  # the flatbuffer reader raises whatever it meets
        raise ModelError(f"{path}: not a valid TFLite model ({exc})") from None
    graph = model.subgraphs[0]
    op_names = {v: k for k, v in vars(schema.BuiltinOperator).items() if not k.startswith("_")}
    dtypes = {schema.TensorType.FLOAT16: np.float16, schema.TensorType.FLOAT32: np.float32,
              schema.TensorType.INT32: np.int32}
    layers = tf.keras.layers

    def constant(i: int) -> np.ndarray:
        t = graph.tensors[i]
        return np.frombuffer(bytes(model.buffers[t.buffer].data), dtype=dtypes[t.type]).reshape(t.shape)

    inputs = layers.Input(tuple(graph.tensors[graph.inputs[0]].shape[1:]), name="input")
    values: dict[int, object] = {graph.inputs[0]: inputs}

    def weight(i: int) -> np.ndarray:  # a DEQUANTIZE's float32 output, or a float32 constant
        return values[i] if i in values else constant(i).astype(np.float32)

    def activated(x, options):
        kind = RELU[options.fusedActivationFunction]
        return x if kind is None else layers.ReLU(6.0 if kind == "relu6" else None)(x)

    for op in graph.operators:
        code = model.operatorCodes[op.opcodeIndex]
        name = op_names[max(code.builtinCode, code.deprecatedBuiltinCode)]
        o, ins, out = op.builtinOptions, list(op.inputs), op.outputs[0]
        if name == "DEQUANTIZE":
            values[out] = constant(ins[0]).astype(np.float32)
        elif name in ("CONV_2D", "DEPTHWISE_CONV_2D"):
            w, b = weight(ins[1]), weight(ins[2])
            common = dict(strides=(o.strideH, o.strideW), padding="same" if o.padding == 0 else "valid",
                          dilation_rate=(o.dilationHFactor, o.dilationWFactor))
            if name == "CONV_2D":  # TFLite keeps (out, h, w, in); Keras (h, w, in, out)
                layer = layers.Conv2D(w.shape[0], w.shape[1:3], **common)
                kernel = w.transpose(1, 2, 3, 0)
            else:  # (1, h, w, in * multiplier) -> (h, w, in, multiplier)
                layer = layers.DepthwiseConv2D(w.shape[1:3], depth_multiplier=o.depthMultiplier, **common)
                kernel = w.reshape(w.shape[1], w.shape[2], -1, o.depthMultiplier)
            x = layer(values[ins[0]])
            layer.set_weights([kernel, b])
            values[out] = activated(x, o)
        elif name == "ADD":
            values[out] = activated(layers.Add()([values[ins[0]], values[ins[1]]]), o)
        elif name == "MEAN" and sorted(constant(ins[1]).ravel().tolist()) == [1, 2]:
            values[out] = layers.GlobalAveragePooling2D(keepdims=bool(o.keepDims))(values[ins[0]])
        elif name == "FULLY_CONNECTED":
            w = weight(ins[1])
            bias = len(ins) > 2 and ins[2] >= 0
            x = values[ins[0]]
            if len(x.shape) > 2:
                x = layers.Flatten()(x)
            layer = layers.Dense(w.shape[0], use_bias=bias)
            y = layer(x)
            layer.set_weights([w.T] + ([weight(ins[2])] if bias else []))
            values[out] = activated(y, o)
        elif name == "LOGISTIC":
            values[out] = layers.Activation("sigmoid")(values[ins[0]])
        else:
            raise ModelError(f"{path}: operator {name} is not supported by the landmark model rebuild")
    # Output order kept: landmarks, presence, handedness, world landmarks (the tracker reads them
    # by name order, which the converter numbers in this order).
    return tf.keras.Model(inputs, [values[i] for i in graph.outputs])


def calibration_cuts(folders: list[Path], per_folder: int = PHOTOS_PER_FOLDER, seed: int = 0,
                     log=print) -> np.ndarray:
    """Model inputs (N, 224, 224, 3) uint8 RGB: hands in training photos, cut as the tracker cuts them
    (the region from MediaPipe's landmarks), and once more slightly off, as a moving hand's region
    from the previous frame is."""
    from signcam.vision.hands import MediaPipeHandTracker

    for folder in folders:  # all checked before minutes of work
        if not Path(folder).is_dir():
            raise DatasetError(f"not a folder of photos: {folder}")
    if per_folder < 1:
        raise DatasetError(f"--per-folder must be at least 1, not {per_folder}")
    cuts = []
    with MediaPipeHandTracker(video=False) as tracker:
        for folder in folders:
            files = image_files(Path(folder))
            if not files:
                raise DatasetError(f"no photos in {folder}")
            random.Random(seed).shuffle(files)
            found = 0
            for path in files[:per_folder]:
                image = read_image(path)
                hands = tracker.track(image) if image is not None else []
                if not hands:
                    continue
                roi = roi_from_landmarks(hands[0].landmarks)
                off = Roi(roi.cx + 0.05 * roi.side, roi.cy - 0.03 * roi.side, 1.05 * roi.side, roi.rotation + 0.1)
                cuts += [cv2.cvtColor(cut(image, r, INPUT_SIZE), cv2.COLOR_BGR2RGB) for r in (roi, off)]
                found += 1
            log(f"calibration: {found} hands from {folder}")
    if not cuts:
        raise ModelError("no hands found in the calibration photos")
    return np.stack(cuts)


def leading_convs_and_outputs(ops, names) -> list[dict]:
    """The ops kept float32: the first FLOAT_LEADING_CONVS convolutions and the output layers."""
    convs = [op for op in ops if op["op_name"] in ("CONV_2D", "DEPTHWISE_CONV_2D")]
    return convs[:FLOAT_LEADING_CONVS] + [op for op in ops if op["op_name"] in ("FULLY_CONNECTED", "LOGISTIC")]


def export_landmark_model(source: Path, out: Path, cuts: np.ndarray, calibrated_on: list[str] = (), log=print) -> dict:
    """Write the int8 landmark model to `out`, and beside it what it was made from."""
    import tensorflow as tf

    from .export import _write_atomic, int8_keeping_float, spread

    keras_model = keras_from_tflite(source)
    chosen = spread(len(cuts), CALIBRATION_SAMPLES)

    def samples():
        for i in chosen:
            yield [cuts[i:i + 1].astype(np.float32) / 255.0]  # the tracker's input scaling

    # Through a SavedModel written quietly (converting the Keras model directly prints its signature).
    archive = tf.keras.export.ExportArchive()
    archive.track(keras_model)
    archive.add_endpoint("serve", lambda x: keras_model(x, training=False),
                         input_signature=[tf.TensorSpec([1, INPUT_SIZE, INPUT_SIZE, 3], tf.float32, name="input")])
    saved = Path(tempfile.mkdtemp(prefix="signcam-landmarks-"))
    try:
        with native_stderr_silenced():
            archive.write_out(str(saved), verbose=False)
            converter = tf.lite.TFLiteConverter.from_saved_model(str(saved))
            data, kept_float, n_ops = int8_keeping_float(converter, samples, leading_convs_and_outputs)
        log(f"quantized {n_ops - kept_float} of {n_ops} ops to int8, calibrated on {len(chosen)} hand regions")
    finally:
        shutil.rmtree(saved, ignore_errors=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    _write_atomic(out, data)
    record = {"source": source.name, "source_sha256": sha256_of(source), "format": "tflite", "quantize": "int8",
              "float_ops": kept_float, "ops": n_ops, "calibration_regions": int(len(chosen)),
              "calibrated_on": list(calibrated_on),
              "tensorflow": tf.__version__}
    _write_atomic(export_record_path(out), (json.dumps(record, indent=1) + "\n").encode())
    return record


def quantized_summary(path: Path) -> dict:
    """Op types of an exported landmark model and how many run in int8 (for tests and the log)."""
    from signcam.runtime import tflite_interpreter_class

    interpreter = tflite_interpreter_class()(model_path=os.fspath(path))  # not allocated: ops before delegation
    dtypes = {t["index"]: t["dtype"] for t in interpreter.get_tensor_details()}
    summary: dict[str, dict[str, int]] = {}
    for op in interpreter._get_ops_details():
        kind = "int8" if dtypes[op["outputs"][0]] == np.int8 else "float"
        summary.setdefault(op["op_name"], {}).setdefault(kind, 0)
        summary[op["op_name"]][kind] += 1
    return summary
