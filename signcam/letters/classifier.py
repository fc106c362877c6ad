"""Letter classifiers behind one interface, with the back end chosen by the model file.

`.keras` runs through whichever Keras 3 back end is in use (TensorFlow, JAX or
PyTorch), compiled where the back end allows, on a GPU when one is chosen
(devices.py); `.tflite` runs on the CPU through the standalone LiteRT interpreter
(`ai-edge-litert`), so TensorFlow is never imported for it. Labels and crop facts ship beside the
model in labels.json, never hard-coded.
"""
from __future__ import annotations

import contextlib
import json
import os
import sys
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from ..errors import ModelError, first_line
from ..quiet import native_stderr_silenced
from ..runtime import import_tensorflow, tflite_interpreter_class
from .bundled import BUNDLED_KERAS, BUNDLED_TFLITE, default_model, source_model_for
from .devices import Gpu, choose_gpu
from .hand_view import as_one_hand

# The bundled source model (.keras): what training and retraining start from. What the app
# loads when no model is named is `default_model()`: its TFLite export, when current.
DEFAULT_MODEL = BUNDLED_KERAS


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
    device: str  # what it runs on: "CPU", "CPU (tensorflow)", "GPU (NVIDIA H200, jax)"

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
        size, margin = int(data["input_size"]), float(data.get("crop_margin", 0.25))
        if not 32 <= size <= 1024 or not 0 <= margin <= 2:  # a crop size past these is a damaged file, not a model
            raise ValueError(f"input_size {size} or crop_margin {margin} out of range (32-1024, 0-2)")
        return ModelInfo(labels, size, margin, str(data.get("backbone", "?")), bool(data.get("mirror_hands", False)))
    except FileNotFoundError:
        raise ModelError(f"labels file not found beside the model: {path}") from None
    except (ValueError, KeyError, TypeError, OverflowError, RecursionError, UnicodeDecodeError) as exc:
        raise ModelError(f"bad labels file {path}: {first_line(exc)}") from None



def invalid_model(path: Path, why: str) -> ModelError:
    return ModelError(f"not a valid model file: {path} ({why})")



def check_model_file(path: Path) -> None:
    """A cheap look at the file before a back end opens it: a truncated or foreign file would
    otherwise surface as the back end's own message (Keras says `File not found` for a bad zip)."""
    if path.suffix == ".keras":
        try:
            with zipfile.ZipFile(path) as archive:
                if "config.json" not in archive.namelist():
                    raise invalid_model(path, "a zip archive without a Keras model config")
                # Every member's checksum, here in milliseconds: Keras would find a damaged member
                # only after building the model, seconds later (25 s on a loaded machine).
                if damaged := archive.testzip():
                    raise invalid_model(path, f"{damaged} in it is damaged")
        except (zipfile.BadZipFile, EOFError, zlib.error, NotImplementedError, OSError):
            raise invalid_model(path, "not a .keras archive, or truncated") from None
    elif path.suffix == ".tflite":
        with open(path, "rb") as f:
            head = f.read(8)
        if len(head) < 8 or head[4:8] != b"TFL3":  # the FlatBuffer file identifier of every TFLite model
            raise invalid_model(path, "not a TFLite flatbuffer")


def import_keras(backend: str | None = None):
    """Keras, on `backend` if it is not yet imported (Keras reads KERAS_BACKEND once per process)."""
    if backend and "keras" not in sys.modules:
        os.environ["KERAS_BACKEND"] = backend
    if os.environ.get("KERAS_BACKEND", "tensorflow") == "tensorflow" and "keras" not in sys.modules:
        import_tensorflow()  # its start-up log lines hidden
    import keras

    from . import model_layers  # noqa: F401  (registers the custom layers)
    return keras


def next_power_of_two(n: int) -> int:
    return 1 << max(0, n - 1).bit_length()


class KerasClassifier:
    """A `.keras` model through whichever Keras 3 back end is in use, compiled where it can be.

    TensorFlow: one tf.function for every batch size (no retracing). JAX: one jax.jit of the
    model's stateless call, batches padded to a power of two so a live stream of 1-8 crops
    compiles four shapes, not eight. PyTorch: predict_on_batch, eagerly (torch.compile is not
    taken: its pay-off on this model is unmeasured). `gpu` None: the CPU, even where the back end
    sees a GPU.
    """

    def __init__(self, path: Path, info: ModelInfo, gpu: Gpu | None = None):
        if gpu is None and "keras" not in sys.modules:
            # Keras on PyTorch places everything on its default device, read once at import; a device
            # scope around loading breaks it ("can only change requires_grad flags of leaf variables").
            os.environ.setdefault("KERAS_TORCH_DEVICE", "cpu")
        keras = import_keras(gpu.backend if gpu else None)
        self.path, self.info = path, info
        self.backend = keras.backend.backend()
        if gpu is not None and gpu.backend != self.backend:
            raise ModelError(f"the GPU was found through {gpu.backend}, but Keras already runs on {self.backend}")
        self.device = gpu.label if gpu else f"CPU ({self.backend})"
        self._scope = (contextlib.nullcontext if self.backend == "torch"
                       else lambda: keras.device("gpu:0" if gpu else "cpu:0"))
        try:
            with self._scope():
                self.model = keras.models.load_model(path, compile=False)
        except Exception as exc:  # Keras raises many types for a bad file; all mean the same to a user
            raise invalid_model(path, first_line(exc)) from None
        n_out = self.model.output_shape[-1]
        if n_out != len(info.labels):
            raise ModelError(f"{path} predicts {n_out} classes but its labels file lists {len(info.labels)}")
        if self.backend == "torch" and (self.model.weights[0].value.device.type != "cpu") != (gpu is not None):
            # PyTorch's device was fixed when Keras was first imported in this process.
            raise ModelError(f"Keras on PyTorch already runs on {self.model.weights[0].value.device.type} in this "
                             "process: start signcam again to change the device")
        self._call = {"tensorflow": self._tf_call, "jax": self._jax_call}.get(self.backend, self._eager_call)()

    def _tf_call(self):
        tf = import_tensorflow()
        s = self.info.input_size
        device = "/GPU:0" if self.device.startswith("GPU") else "/CPU:0"

        def run(crop, lms):
            with tf.device(device):
                return self.model({"crop": crop, "landmarks": lms}, training=False)
        # One compiled graph for every batch size: no retracing, no per-call predict() overhead.
        call = tf.function(run, input_signature=[tf.TensorSpec([None, s, s, 3], tf.uint8),
                                                 tf.TensorSpec([None, 21, 3], tf.float32)], reduce_retracing=True)
        return lambda crops, lms: call(crops, lms).numpy()

    def _jax_call(self):
        import jax

        model = self.model
        weights = ([v.value for v in model.trainable_variables], [v.value for v in model.non_trainable_variables])

        @jax.jit
        def call(trainable, non_trainable, crop, lms):
            out, _ = model.stateless_call(trainable, non_trainable, {"crop": crop, "landmarks": lms}, training=False)
            return out

        def run(crops, lms):
            n = len(crops)
            padded = next_power_of_two(n)
            if padded != n:  # zeros past the real crops; their rows are dropped
                crops = np.concatenate([crops, np.zeros((padded - n, *crops.shape[1:]), crops.dtype)])
                lms = np.concatenate([lms, np.zeros((padded - n, *lms.shape[1:]), lms.dtype)])
            with self._scope():
                return np.asarray(call(*weights, crops, lms))[:n]
        return run

    def _eager_call(self):
        def run(crops, lms):
            with self._scope():
                return np.asarray(self.model.predict_on_batch({"crop": crops, "landmarks": lms}))
        return run

    def predict_batch(self, crops: np.ndarray, landmarks: np.ndarray, handedness=None) -> np.ndarray:
        if len(crops) == 0:
            return np.zeros((0, len(self.info.labels)), np.float32)
        return self._call(*model_view(self.info, crops, landmarks, handedness))



class TFLiteClassifier:
    """One interpreter at batch 1, invoked once per crop.

    Resizing the input to each batch's size makes the XNNPACK delegate re-plan and
    re-pack its weights on every change, which made the int8 export slower than Keras
    with a p95 latency over a second; batching saves little on a CPU anyway. One thread:
    the live pipeline already keeps both cores busy (tracking in one thread, this in
    another), and a second interpreter thread costs more CPU for the same crops
    (4.7 against 3.7 ms of CPU per crop, measured with the float32 export).
    """

    def __init__(self, path: Path, info: ModelInfo, num_threads: int = 1):
        self.path, self.info, self.device = path, info, "CPU"
        interpreter_class = tflite_interpreter_class()
        try:
            with native_stderr_silenced():  # TFLite prints its XNNPACK line to fd 2 while it loads
                self.interpreter = interpreter_class(model_path=str(path), num_threads=num_threads)
                self.interpreter.allocate_tensors()
        except (ValueError, RuntimeError) as exc:
            raise invalid_model(path, first_line(exc)) from None
        details = self.interpreter.get_input_details()
        self._inputs = {("crop" if len(d["shape"]) == 4 else "landmarks"): d for d in details}
        if set(self._inputs) != {"crop", "landmarks"}:
            raise ModelError(f"{path} does not take a crop and landmarks")
        s = info.input_size
        for name, shape in (("crop", [1, s, s, 3]), ("landmarks", [1, 21, 3])):
            if list(self._inputs[name]["shape"]) != shape:  # exported with a fixed other batch: make it 1
                self.interpreter.resize_tensor_input(self._inputs[name]["index"], shape)
                self.interpreter.allocate_tensors()
        self._output = self.interpreter.get_output_details()[0]
        n_out = int(self._output["shape"][-1])
        if n_out != len(info.labels):
            raise ModelError(f"{path} predicts {n_out} classes but its labels file lists {len(info.labels)}")

    def predict_batch(self, crops: np.ndarray, landmarks: np.ndarray, handedness=None) -> np.ndarray:
        crops, landmarks = model_view(self.info, crops, landmarks, handedness)
        out = np.zeros((len(crops), len(self.info.labels)), np.float32)
        crop_index, lms_index = self._inputs["crop"]["index"], self._inputs["landmarks"]["index"]
        for i in range(len(crops)):
            self.interpreter.set_tensor(crop_index, crops[i:i + 1])
            self.interpreter.set_tensor(lms_index, landmarks[i:i + 1])
            self.interpreter.invoke()
            out[i] = self.interpreter.get_tensor(self._output["index"])[0]
        return out


def model_for_gpu(path: Path | None, required: bool) -> Path | None:
    """The .keras model to run on a GPU for `path` (None: the bundled model): a TFLite export
    runs on the CPU only, so its source is taken. None where there is none and no GPU is `required`."""
    if path is None:
        return BUNDLED_KERAS
    if path.suffix != ".tflite":
        return path
    source = source_model_for(path) or (BUNDLED_KERAS if path == BUNDLED_TFLITE else None)
    if source is None and required:
        raise ModelError(f"{path.name} is a TFLite model, which runs on the CPU only; "
                         "give the .keras model it was exported from")
    return source


def load_classifier(path: str | Path | None = None, device: str = "auto") -> LetterClassifier:
    """The model at `path` (default: the bundled one), its back end chosen by the file's suffix,
    on the device asked for (auto: a GPU that an installed Keras back end sees, else the CPU)."""
    path = Path(path) if path else None
    gpu = choose_gpu(device)
    keras_path = model_for_gpu(path, device == "gpu") if gpu else None
    if keras_path is not None:
        path = keras_path
    else:
        gpu, path = None, path or default_model()
    if not path.is_file():
        raise ModelError(f"model file not found: {path}")
    if path.suffix not in (".keras", ".tflite"):
        raise ModelError(f"unknown model format {path.suffix!r}: use a .keras or .tflite file")
    info = read_model_info(path)
    check_model_file(path)
    if path.suffix == ".keras":
        return KerasClassifier(path, info, gpu)
    return TFLiteClassifier(path, info)


def on_gpu(classifier: LetterClassifier) -> bool:
    return classifier.device.startswith("GPU")
