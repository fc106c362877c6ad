"""Where the letter model runs: `--device auto|cpu|gpu`.

A GPU is looked for only where a driver shows one, so on a CPU-only machine `auto` imports
nothing and the app runs the TFLite model on the CPU as before. Where there is a driver, the
installed Keras back ends are asked in turn, each imported only when asked: the one
KERAS_BACKEND names first, then JAX (the fastest measured on an NVIDIA H200), PyTorch and
TensorFlow. Keras takes its back end once per process, so once it is imported only that
back end is asked.
"""
from __future__ import annotations

import importlib.util
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..errors import ModelError

DEVICES = ("auto", "cpu", "gpu")
BACKENDS = ("jax", "torch", "tensorflow")


@dataclass(frozen=True)
class Gpu:
    backend: str  # the Keras back end that sees it
    name: str  # e.g. "NVIDIA H200"

    @property
    def label(self) -> str:
        return f"GPU ({self.name}, {self.backend})"


def driver_present() -> bool:
    """An NVIDIA (CUDA) or AMD (ROCm) kernel driver: without one no back end can see a GPU."""
    return (Path("/proc/driver/nvidia/version").exists() or any(Path("/dev").glob("nvidia[0-9]*"))
            or Path("/dev/kfd").exists())


def _jax_gpu() -> str | None:
    import jax

    gpus = [d for d in jax.devices() if d.platform in ("gpu", "cuda", "rocm")]
    return gpus[0].device_kind if gpus else None


def _torch_gpu() -> str | None:
    import torch

    return torch.cuda.get_device_name(0) if torch.cuda.is_available() else None


def _tensorflow_gpu() -> str | None:
    from ..runtime import import_tensorflow

    tf = import_tensorflow()
    gpus = tf.config.list_physical_devices("GPU")
    return tf.config.experimental.get_device_details(gpus[0]).get("device_name", "GPU") if gpus else None


PROBES: dict[str, Callable[[], str | None]] = {"jax": _jax_gpu, "torch": _torch_gpu, "tensorflow": _tensorflow_gpu}


def backends_to_try() -> list[str]:
    """The installed back ends Keras could still use, in the order they are asked."""
    if "keras" in sys.modules:  # its back end is fixed for this process
        return [sys.modules["keras"].backend.backend()]
    named = os.environ.get("KERAS_BACKEND")
    order = [named] + [b for b in BACKENDS if b != named] if named in BACKENDS else list(BACKENDS)
    return [b for b in order if importlib.util.find_spec(b) is not None]


def find_gpu(probes: dict[str, Callable[[], str | None]] | None = None) -> tuple[Gpu | None, str]:
    """The first GPU an installed back end sees, or None and why there is none (one phrase)."""
    if probes is None:
        if not driver_present():
            return None, "no GPU driver on this machine"
        probes = PROBES
    tried = [b for b in backends_to_try() if b in probes]
    if not tried:
        return None, ("no Keras back end with GPU support is installed "
                      "(pip install 'signcam[gpu-jax]', '[gpu-torch]' or '[gpu-tf]')")
    for backend in tried:
        try:
            name = probes[backend]()
        except Exception:  # noqa: BLE001  a back end that fails to start on this driver sees no GPU
            name = None
        if name:
            return Gpu(backend, name), ""
    return None, f"no installed Keras back end sees a GPU (asked {', '.join(tried)})"


def choose_gpu(device: str, probes=None) -> Gpu | None:
    """The GPU to run on for `device`, None for the CPU; `gpu` with none found is a ModelError."""
    if device not in DEVICES:
        raise ModelError(f"unknown device {device!r}: choose auto, cpu or gpu")
    if device == "cpu":
        return None
    gpu, why = find_gpu(probes)
    if gpu is None and device == "gpu":
        raise ModelError(f"--device gpu: {why}")
    return gpu
