"""Detect, crop and cache hands from folder-per-class image datasets.

Uses the app's own tracker and `crop_hand`, so the model learns from exactly
the crops the app will feed it.
"""
from __future__ import annotations

import json
import os
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from signcam.vision.crop import CROP_MARGIN, crop_hand
from signcam.errors import DatasetError, first_line
from signcam.vision.frames import IMAGE_SUFFIXES, read_image
from signcam.vision.hands import MediaPipeHandTracker
from .progress import Progress

from .groups import group_of, source_of

CROP_SIZE = 160  # model input side; the classifier reads its own input size from the model
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


def _subfolders(folder: Path) -> list[Path]:
    return sorted(d for d in folder.iterdir() if d.is_dir() and not d.name.startswith("."))


def _has_images(folder: Path) -> bool:
    return any(p.suffix.lower() in IMAGE_SUFFIXES for p in folder.iterdir())


def dataset_folders(data_dir: Path) -> list[Path]:
    """The folder-per-class datasets in `data_dir`: itself (DATA_DIR/<CLASS>/<image>), or each of its
    subfolders when it is a folder of sources (DATA_DIR/<SOURCE>/<CLASS>/<image>, like letters/signers)."""
    if not data_dir.is_dir():
        raise DatasetError(f"dataset folder not found: {data_dir}")
    subs = _subfolders(data_dir)
    if any(_has_images(d) for d in subs):
        return [data_dir]
    sources = [d for d in subs if any(_has_images(c) for c in _subfolders(d))]
    if not sources:
        raise DatasetError(f"{data_dir} has no letter folders with images "
                           "(expected DATA_DIR/<CLASS>/<image> or DATA_DIR/<SOURCE>/<CLASS>/<image>)")
    return sources


def list_images(data_dir: Path) -> list[tuple[Path, str]]:
    """(image, class) pairs of a folder-per-class dataset; an empty class folder is skipped with a warning."""
    if not data_dir.is_dir():
        raise DatasetError(f"dataset folder not found: {data_dir}")
    classes = _subfolders(data_dir)
    if not classes:
        raise DatasetError(f"{data_dir} has no class folders (expected DATA_DIR/<CLASS>/<image>)")
    pairs = []
    for c in classes:
        images = [p for p in sorted(c.iterdir()) if p.suffix.lower() in IMAGE_SUFFIXES]
        if not images:
            print(f"warning: skipped empty class folder {c}", flush=True)
        pairs += [(p, c.name) for p in images]
    return pairs


def find_hands_in_photo(tracker, image: np.ndarray, pad: float = 0.3) -> list:
    """Hands in a still photo; retried on a padded copy when none is found.

    The palm detector misses hands that fill the whole photo (tight crops such
    as Massey's); a border restores the context it expects.
    """
    hands = tracker.track(image)
    if hands:
        return hands
    border = int(pad * max(image.shape[:2]))
    padded = cv2.copyMakeBorder(image, border, border, border, border, cv2.BORDER_CONSTANT, value=0)
    hands = tracker.track(padded)
    for hand in hands:
        hand.landmarks[:, :2] -= border
    return hands


def detect_and_crop(data_dirs: list[Path], size: int = CROP_SIZE, margin: float = CROP_MARGIN,
                    label: str = "prepare") -> Samples:
    """Run the hand tracker on every image; keep the largest hand's crop."""
    items = [(p, c, d.name) for top in data_dirs for d in dataset_folders(top) for p, c in list_images(d)]
    crops, lms, labels, files, groups, handed, sources, world = [], [], [], [], [], [], [], []
    no_hand: Counter = Counter()
    images: Counter = Counter()
    unreadable: list[str] = []
    bar = Progress(len(items), label)
    with MediaPipeHandTracker(video=False) as tracker:
        for path, cls, set_name in items:
            bar.update()
            image = read_image(path)
            if image is None:
                unreadable.append(str(path))
                print(f"warning: skipped unreadable image {path}", flush=True)
                continue
            images[cls] += 1
            hands = find_hands_in_photo(tracker, image)
            if not hands:
                no_hand[cls] += 1
                continue
            crop = crop_hand(image, hands[0], size, margin)
            crops.append(crop.image)
            lms.append(crop.landmarks)
            labels.append(cls)
            files.append(str(path))
            groups.append(group_of(path, set_name))
            sources.append(source_of(path, set_name))
            handed.append(hands[0].handedness)
            world.append(hands[0].world if hands[0].world is not None else np.zeros((21, 3), np.float32))
    bar.close()
    if not labels:
        raise DatasetError("no hand was found in any image")
    return Samples(np.stack(crops), np.stack(lms), np.array(labels), np.array(files), np.array(groups),
                   np.array(handed), dict(no_hand), dict(images), unreadable, np.array(sources), np.stack(world))


def save_cache(samples: Samples, out: Path) -> None:
    """Write the cache atomically: a killed run leaves the old cache or none, never half a file."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    with open(tmp, "wb") as f:
        np.savez(f, version=CACHE_VERSION, **{name: getattr(samples, name) for name in Samples.ARRAYS},
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


def report_lines(samples: Samples) -> list[str]:
    """Per class: images read, hands found, images with no hand."""
    lines = [f"{'class':>8} {'images':>7} {'hands':>6} {'no hand':>8}"]
    for cls in sorted(samples.images):
        n, miss = samples.images[cls], samples.no_hand.get(cls, 0)
        lines.append(f"{cls:>8} {n:>7} {n - miss:>6} {miss:>8}")
    total = sum(samples.images.values())
    missed = sum(samples.no_hand.values())
    lines.append(f"{'total':>8} {total:>7} {total - missed:>6} {missed:>8}")
    if samples.unreadable:
        lines.append(f"skipped {len(samples.unreadable)} unreadable file(s)")
    return lines
