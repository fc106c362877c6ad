"""Detect, crop and cache hands from folder-per-class image datasets.

Uses the app's own tracker and `crop_hand`, so the model learns from exactly
the crops the app will feed it.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import cv2
import numpy as np

from signcam.vision.crop import CROP_MARGIN, crop_hand
from signcam.errors import DatasetError
from signcam.vision.frames import IMAGE_SUFFIXES, read_image
from signcam.vision.hands import MediaPipeHandTracker
from .cache import CACHE_VERSION, Samples, load_cache, save_cache  # noqa: F401  (their home before)
from .progress import Progress

from .groups import group_of, source_of

CROP_SIZE = 160  # model input side; the classifier reads its own input size from the model


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
