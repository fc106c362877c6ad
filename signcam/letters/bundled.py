"""The bundled model: where it is installed, and which of its formats the app loads.

`models/` sits at the top of the repository and installs as the `signcam.models` package
(see pyproject.toml), so the model is found through importlib.resources both in a wheel
and in the editable install used for development.

The `.keras` file is the source: training, retraining and `signcam-train export` start from
it. Its TFLite export beside it is what the app loads by default (no TensorFlow at run time,
a fraction of the memory and CPU), but only while that export was made from the `.keras`
file as it is now: `signcam-train export` records the source's SHA-256 in `NAME.export.json`,
and a `.keras` retrained or replaced since then is loaded itself until it is exported again.
"""
from __future__ import annotations

import functools
import hashlib
import json
from importlib import resources
from pathlib import Path

BUNDLED_NAME = "signcam_mobilenet_v2"


def bundled_dir() -> Path:
    # A regular package on disk (wheel or editable install), so files() is a real path.
    return Path(str(resources.files("signcam.models")))


BUNDLED_KERAS = bundled_dir() / f"{BUNDLED_NAME}.keras"
BUNDLED_TFLITE = BUNDLED_KERAS.with_suffix(".tflite")
# int8 for the image backbone, float32 for the landmark branch and heads (training/export.py):
# 1.8 ms of CPU per crop against 4.1 for float32, within 0.15 points of the .keras model on
# keptsecret-test and roboflow-train (models/MODEL.md). Quantizing the whole model lost 0.6.
BUNDLED_QUANTIZE = "int8"


# MediaPipe's hand landmark model with int8 convolutions (training/landmark_export.py): about
# half the landmark model's CPU per frame (4.5 against 8.8 ms). Used only while it matches the installed MediaPipe's model.
BUNDLED_LANDMARKS = bundled_dir() / "hand_landmark_full_int8.tflite"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def export_record_path(exported: Path) -> Path:
    """`NAME.export.json` beside an exported model: what it was made from."""
    return exported.with_suffix(".export.json")


def read_export_record(exported: Path) -> dict | None:
    try:
        record = json.loads(export_record_path(exported).read_text())
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def source_model_for(exported: Path) -> Path | None:
    """The .keras file an export was made from (its path is kept relative to the export), if still there."""
    record = read_export_record(exported)
    if not record or not isinstance(record.get("source"), str):
        return None
    source = exported.parent / record["source"]
    return source if source.is_file() else None


def is_current_export(exported: Path, source: Path) -> bool:
    """True when `exported` was made from `source` exactly as it is now."""
    record = read_export_record(exported)
    made_from = source_model_for(exported)
    return (exported.is_file() and made_from is not None and made_from.resolve() == source.resolve()
            and record.get("source_sha256") == sha256_of(source))


def default_model() -> Path:
    """The model loaded when none is named: the bundled TFLite export if current, else the .keras."""
    if not BUNDLED_KERAS.is_file() and BUNDLED_TFLITE.is_file():
        return BUNDLED_TFLITE
    return BUNDLED_TFLITE if is_current_export(BUNDLED_TFLITE, BUNDLED_KERAS) else BUNDLED_KERAS


def bundled_landmark_model(source: Path) -> Path | None:
    """The bundled int8 landmark model, if it was made from `source` (MediaPipe's file as installed)."""
    record = read_export_record(BUNDLED_LANDMARKS)
    if not BUNDLED_LANDMARKS.is_file() or not record:
        return None
    stat = source.stat()
    return BUNDLED_LANDMARKS if record.get("source_sha256") == _sha256_of_version(
        str(source), stat.st_size, stat.st_mtime_ns) else None


@functools.lru_cache(maxsize=4)
def _sha256_of_version(path: str, size: int, mtime_ns: int) -> str:
    """sha256_of, once per file version: a tracker is made for every source read (21 ms each)."""
    return sha256_of(Path(path))
