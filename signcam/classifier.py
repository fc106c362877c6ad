"""Letter classifiers behind one interface, with the back end chosen by the model file.

`.keras` runs through a compiled tf.function (on the GPU when TensorFlow has
one); `.tflite` runs through the TFLite interpreter. Labels and crop facts
ship beside the model in labels.json, never hard-coded.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from .crop import as_one_hand
from .errors import ModelError
from .quiet import native_stderr_silenced

DEFAULT_MODEL = Path(__file__).resolve().parent.parent / "models" / "signcam_mobilenet_v2.keras"


@dataclass
class ModelInfo:
    labels: list[str]
    input_size: int
    crop_margin: float
    backbone: str
    mirror_hands: bool = False  # the model was trained on hands mirrored to one handedness


class LetterClassifier(Protocol):
    info: ModelInfo
    path: Path
    device: str  # "GPU" or "CPU"

    def predict_batch(self, crops: np.ndarray, landmarks: np.ndarray, handedness=None) -> np.ndarray:
        """(N, S, S, 3) uint8 RGB crops, (N, 21, 3) landmarks and, for models that mirror
        hands to one handedness, the (N,) handedness -> (N, C) probabilities."""


def model_view(info: ModelInfo, crops: np.ndarray, landmarks: np.ndarray, handedness) -> tuple[np.ndarray, np.ndarray]:
    """The inputs as this model was trained to see them (the one path for app and training)."""
    if info.mirror_hands and handedness is not None:
        crops, landmarks = as_one_hand(crops, landmarks, handedness)
    return np.ascontiguousarray(crops, np.uint8), np.ascontiguousarray(landmarks, np.float32)


def labels_path_for(model_path: Path) -> Path:
    """`name.labels.json` beside the model, else `labels.json` in its folder."""
    own = model_path.with_suffix(".labels.json")
    return own if own.is_file() else model_path.parent / "labels.json"


def read_model_info(model_path: Path) -> ModelInfo:
    path = labels_path_for(model_path)
    try:
        data = json.loads(path.read_text())
        labels = data["labels"]
        if not (isinstance(labels, list) and labels and all(isinstance(x, str) for x in labels)):
            raise ValueError("'labels' must be a non-empty list of names")
        return ModelInfo(labels, int(data["input_size"]), float(data.get("crop_margin", 0.25)),
                         str(data.get("backbone", "?")), bool(data.get("mirror_hands", False)))
    except FileNotFoundError:
        raise ModelError(f"labels file not found beside the model: {path}") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"bad labels file {path}: {exc}") from None


def _import_tensorflow():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    with native_stderr_silenced():
        import tensorflow as tf
    return tf


class KerasClassifier:
    def __init__(self, path: Path, info: ModelInfo):
        tf = _import_tensorflow()
        import keras

        from . import model_layers  # noqa: F401  (registers the custom layers)

        self.path, self.info = path, info
        try:
            self.model = keras.models.load_model(path, compile=False)
        except Exception as exc:  # Keras raises many types for a bad file; all mean the same to a user
            raise ModelError(f"cannot load model {path}: {str(exc).splitlines()[0][:200]}") from None
        n_out = self.model.output_shape[-1]
        if n_out != len(info.labels):
            raise ModelError(f"{path} predicts {n_out} classes but its labels file lists {len(info.labels)}")
        self.device = "GPU" if tf.config.list_physical_devices("GPU") else "CPU"
        s = info.input_size
        # One compiled graph for every batch size: no retracing, no per-call predict() overhead.
        self._call = tf.function(
            lambda crop, lms: self.model({"crop": crop, "landmarks": lms}, training=False),
            input_signature=[tf.TensorSpec([None, s, s, 3], tf.uint8), tf.TensorSpec([None, 21, 3], tf.float32)],
            reduce_retracing=True)

    def predict_batch(self, crops: np.ndarray, landmarks: np.ndarray, handedness=None) -> np.ndarray:
        if len(crops) == 0:
            return np.zeros((0, len(self.info.labels)), np.float32)
        return self._call(*model_view(self.info, crops, landmarks, handedness)).numpy()


class TFLiteClassifier:
    def __init__(self, path: Path, info: ModelInfo):
        tf = _import_tensorflow()

        self.path, self.info, self.device = path, info, "CPU"
        try:
            self.interpreter = tf.lite.Interpreter(model_path=str(path), num_threads=os.cpu_count())
        except (ValueError, RuntimeError) as exc:
            raise ModelError(f"cannot load model {path}: {str(exc).splitlines()[0][:200]}") from None
        details = self.interpreter.get_input_details()
        self._inputs = {("crop" if len(d["shape"]) == 4 else "landmarks"): d for d in details}
        if set(self._inputs) != {"crop", "landmarks"}:
            raise ModelError(f"{path} does not take a crop and landmarks")
        self._output = self.interpreter.get_output_details()[0]
        self._batch = None

    def predict_batch(self, crops: np.ndarray, landmarks: np.ndarray, handedness=None) -> np.ndarray:
        n = len(crops)
        if n == 0:
            return np.zeros((0, len(self.info.labels)), np.float32)
        if n != self._batch:
            s = self.info.input_size
            self.interpreter.resize_tensor_input(self._inputs["crop"]["index"], [n, s, s, 3])
            self.interpreter.resize_tensor_input(self._inputs["landmarks"]["index"], [n, 21, 3])
            self.interpreter.allocate_tensors()
            self._batch = n
        crops, landmarks = model_view(self.info, crops, landmarks, handedness)
        self.interpreter.set_tensor(self._inputs["crop"]["index"], crops)
        self.interpreter.set_tensor(self._inputs["landmarks"]["index"], landmarks)
        self.interpreter.invoke()
        return self.interpreter.get_tensor(self._output["index"]).copy()


def load_classifier(path: str | Path | None = None) -> LetterClassifier:
    """The model at `path` (default: the bundled one), its back end chosen by the file's suffix."""
    path = Path(path) if path else DEFAULT_MODEL
    if not path.is_file():
        raise ModelError(f"model file not found: {path}")
    info = read_model_info(path)
    backends = {".keras": KerasClassifier, ".tflite": TFLiteClassifier}
    if path.suffix not in backends:
        raise ModelError(f"unknown model format {path.suffix!r}: use a .keras or .tflite file")
    return backends[path.suffix](path, info)
