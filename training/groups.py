"""Which images belong together, so no group is split between training and validation.

Near-duplicate frames of one person or one photo must stay on one side of a
split, or validation accuracy says little about a new signer.
"""
from __future__ import annotations

import re
from pathlib import Path

from signcam.datasets.recorder import recorded_name

KEEP_TOGETHER = 20  # consecutive frame numbers treated as one recording when nothing better is known


def group_of(path: Path, set_name: str) -> str:
    """A group id for an image: the signer where the file name says it, else the source photo."""
    stem = path.stem
    if m := re.match(r"(hand\d+)_", stem):  # Massey: handN_<letter>_... is person N
        return f"{set_name}/{m.group(1)}"
    if m := recorded_name(stem):  # `signcam record`: one session of one signer
        return f"{set_name}/{m.group('signer')}/{m.group('session')}"
    if m := re.match(r"(.+?)_jpg\.rf\.", stem):  # Roboflow: augmented copies of one photo
        return f"{set_name}/{m.group(1)}"
    if m := re.search(r"(\d+)$", stem):  # numbered frames, e.g. keptsecret A123
        return f"{set_name}/{path.parent.name}/{int(m.group(1)) // KEEP_TOGETHER}"
    return f"{set_name}/{stem}"


def source_of(path: Path, set_name: str) -> str:
    """Who made an image: a person where the file name says it (Massey's handN, a recorded signer),
    else the whole set (one session's burst of one webcam). Cross-validation and the validation
    split hold out whole sources, so a test person is never seen in training."""
    stem = path.stem
    if m := re.match(r"(hand\d+)_", stem):
        return f"{set_name}/{m.group(1)}"
    if m := recorded_name(stem):
        return f"{set_name}/{m.group('signer')}"
    return set_name
