"""The prepared-data cache (.npz): cropped hands with their landmarks, labels and sources.

Only numpy and the standard library, so the classifier-only benchmark reads a cache on a machine
without OpenCV, MediaPipe or TensorFlow (training/prepare.py, which makes caches, needs all three).
"""
from __future__ import annotations

import json
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from signcam.errors import DatasetError, first_line

# Bumped whenever a cache gains or changes what it stores; older caches are refused with a
# one-line message instead of training on missing fields.
# 2: `sources` (who signed each image) and `world` (MediaPipe's metric landmarks).
CACHE_VERSION = 2


@dataclass
class Samples:
    """Cropped hands with what is known about each (the in-memory form of a cache)."""
    crops: np.ndarray  # (N, S, S, 3) uint8 RGB
    landmarks: np.ndarray  # (N, 21, 3) float32 in crop coordinates
    labels: np.ndarray  # (N,) str
    files: np.ndarray  # (N,) str
    groups: np.ndarray  # (N,) str
    handedness: np.ndarray  # (N,) str
    no_hand: dict = field(default_factory=dict)  # class -> number of images with no hand
    images: dict = field(default_factory=dict)  # class -> number of images read
    unreadable: list = field(default_factory=list)
    sources: np.ndarray | None = None  # (N,) str: the person or session (default: the groups)
    world: np.ndarray | None = None  # (N, 21, 3) float32 metric landmarks (zeros where unknown)

    ARRAYS = ("crops", "landmarks", "labels", "files", "groups", "handedness", "sources", "world")

    def __post_init__(self):
        if self.sources is None:
            self.sources = np.asarray(self.groups).copy()
        if self.world is None:
            self.world = np.zeros(np.shape(self.landmarks), np.float32)

    def __len__(self) -> int:
        return len(self.labels)

    def subset(self, mask: np.ndarray) -> "Samples":
        return Samples(**{name: getattr(self, name)[mask] for name in self.ARRAYS})

    @staticmethod
    def concat(parts: list["Samples"]) -> "Samples":
        merged = Samples(**{name: np.concatenate([getattr(p, name) for p in parts]) for name in Samples.ARRAYS})
        for p in parts:
            for k, v in p.no_hand.items():
                merged.no_hand[k] = merged.no_hand.get(k, 0) + v
            for k, v in p.images.items():
                merged.images[k] = merged.images.get(k, 0) + v
            merged.unreadable += p.unreadable
        return merged


def save_cache(samples: Samples, out: Path, compress: bool = False, extra: dict | None = None) -> None:
    """Write the cache atomically: a killed run leaves the old cache or none, never half a file.
    `compress`: smaller, slower to read (a slice carried to another machine); `extra`: more
    arrays stored beside the cache's own (which load_cache leaves alone)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    write = np.savez_compressed if compress else np.savez
    with open(tmp, "wb") as f:
        write(f, version=CACHE_VERSION, **(extra or {}), **{name: getattr(samples, name) for name in Samples.ARRAYS},
              report=json.dumps({"no_hand": samples.no_hand, "images": samples.images,
                                 "unreadable": samples.unreadable}))
    os.replace(tmp, out)


def load_cache(path: Path) -> Samples:
    if not path.is_file():
        raise DatasetError(f"cache not found: {path} (make one with `signcam-train prepare`)")
    try:
        with np.load(path, allow_pickle=False) as z:
            version = int(z["version"]) if "version" in z.files else 1
            if version != CACHE_VERSION:
                raise DatasetError(f"{path} is a version {version} cache; this signcam-train reads version "
                                   f"{CACHE_VERSION}: make it again with `signcam-train prepare`")
            report = json.loads(str(z["report"]))
            samples = Samples(**{name: z[name] for name in Samples.ARRAYS}, no_hand=report["no_hand"],
                              images=report["images"], unreadable=report["unreadable"])
    except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile) as exc:
        raise DatasetError(f"{path} is not a signcam cache ({first_line(exc)})") from None
    if problem := cache_shape_problem(samples):
        raise DatasetError(f"{path} is not a signcam cache ({problem})")
    return samples


def cache_shape_problem(s: Samples) -> str | None:
    """What is wrong with a cache's arrays, as read (a damaged or foreign file), or None."""
    n = len(s.crops)
    if s.crops.dtype != np.uint8 or s.crops.ndim != 4 or s.crops.shape[3] != 3 or s.crops.shape[1] != s.crops.shape[2]:
        return f"crops are {s.crops.dtype} {s.crops.shape}, not uint8 (N, S, S, 3)"
    for name in ("landmarks", "world"):
        array = getattr(s, name)
        if array.shape != (n, 21, 3) or array.dtype.kind != "f":
            return f"{name} are {array.dtype} {array.shape}, not float ({n}, 21, 3)"
    for name in ("labels", "files", "groups", "handedness", "sources"):
        array = getattr(s, name)
        if array.shape != (n,) or array.dtype.kind != "U":
            return f"{name} are {array.dtype} {array.shape}, not ({n},) text"
    if not all(isinstance(getattr(s, name), dict) for name in ("no_hand", "images")) or not isinstance(s.unreadable, list):
        return "its report is not what prepare writes"
    return None
