"""Decode again from a frame dump (`signcam read ... --jsonl FILE --full`), without the models.

Tracking and classifying a clip costs seconds a clip; decoding its dump costs milliseconds, so
the speller can be measured over every clip after each change, with any model's dump.
"""
from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..config import SpellingConfig
from ..errors import DatasetError
from .speller import Speller


@dataclass
class DumpFrame:
    t: float
    probs: np.ndarray | None
    landmarks: np.ndarray | None


def load_dump(path: Path | str) -> "OrderedDict[str, list[DumpFrame]]":
    """Frames per source, in order, from a `--full` JSONL dump."""
    out: OrderedDict[str, list[DumpFrame]] = OrderedDict()
    try:
        with open(path) as f:
            for line in f:
                row = json.loads(line)
                if "probs" not in row:
                    raise DatasetError(f"{path} has no probabilities: write it with `signcam read --jsonl FILE --full`")
                probs = np.asarray(row["probs"], dtype=np.float32) if row["probs"] is not None else None
                lm = np.asarray(row["landmarks"], dtype=np.float32) if row["landmarks"] is not None else None
                out.setdefault(row["source"], []).append(DumpFrame(row["t"], probs, lm))
    except OSError as exc:
        raise DatasetError(f"cannot read {path}: {exc.strerror}") from exc
    except (ValueError, KeyError) as exc:
        raise DatasetError(f"{path} is not a signcam frame dump ({exc})") from exc
    return out


def decode(frames: list[DumpFrame], labels: list[str], config: SpellingConfig | None = None) -> Speller:
    speller = Speller(config or SpellingConfig(), labels)
    for f in frames:
        speller.update(f.t, f.probs, f.landmarks)
    return speller


def joined(parts: list[list[DumpFrame]], gap: float = 1 / 30) -> list[DumpFrame]:
    """Several sources' frames one after the other, times made continuous (as a joined video)."""
    out, offset = [], 0.0
    for frames in parts:
        if not frames:
            continue
        t0 = frames[0].t
        out.extend(DumpFrame(offset + f.t - t0, f.probs, f.landmarks) for f in frames)
        offset = out[-1].t + gap
    return out


def middle(frames: list[DumpFrame], seconds: float) -> list[DumpFrame]:
    """The frames of the middle `seconds` of a clip."""
    if not frames:
        return []
    mid = (frames[0].t + frames[-1].t) / 2
    return [f for f in frames if mid - seconds / 2 <= f.t < mid + seconds / 2]
