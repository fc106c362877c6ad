"""Record labelled frames into a folder-per-class dataset, safely.

    DATASET/<LABEL>/<signer>_<session>_<n>.jpg   the raw frame (never the overlay)
    DATASET/manifest.jsonl                       one line per saved image

An image is written under a temporary name and renamed, then its manifest line
is appended and flushed: a run killed at any moment leaves no half-written image,
and every manifest line names a file that exists. `reconcile` removes what a kill
can leave between those two steps (a stray temporary file, or an image whose
manifest line never got written), so the folder and the manifest agree again.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from .errors import DatasetError
from .frames import Frame, IMAGE_SUFFIXES
from .hands import Hand

LABELS = tuple("ABCDEFGHIJKLMNOPQRSTUVWXYZ") + ("del", "nothing", "space")
MANIFEST = "manifest.jsonl"
TMP_SUFFIX = ".tmp"
SIGNER_PATTERN = re.compile(r"[A-Za-z0-9-]{1,40}")
# <signer>_<session>_<n>: the file name says who signed it and in which session.
RECORDED_NAME = r"(?P<signer>[A-Za-z0-9-]+)_(?P<session>\d{8}T\d{6}-[0-9a-f]{4})_(?P<n>\d{5})"
# Mean absolute difference (0-255) of small grey thumbnails below which a frame
# is a repeat of the last one saved: a frozen camera or a video's repeated frames
# measure 0.00-0.01, a hand held as still as a person can hold it 0.1-0.2.
SAME_FRAME_DIFF = 0.05
JPEG_QUALITY = 95


def normalize_label(label: str) -> str:
    """'b' -> 'B', 'SPACE' -> 'space'; anything else that is not a class is refused."""
    text = label.strip()
    for known in LABELS:
        if text.lower() == known.lower():
            return known
    raise DatasetError(f"unknown label {label!r}: use one of A-Z, del, nothing, space")


def check_signer(signer: str) -> str:
    if not SIGNER_PATTERN.fullmatch(signer):
        raise DatasetError(f"bad signer name {signer!r}: use 1-40 letters, digits or '-'")
    return signer


def inside(root: Path, *parts: str) -> Path:
    """root/parts, refused if it would resolve outside root (e.g. '..' or an absolute part)."""
    path = root.joinpath(*parts).resolve()
    if not path.is_relative_to(root.resolve()):
        raise DatasetError(f"refused: {'/'.join(parts)} would leave the dataset folder {root}")
    return path


def new_session_id() -> str:
    return time.strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(2)


def thumbnail(image: np.ndarray) -> np.ndarray:
    return cv2.resize(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), (64, 36), interpolation=cv2.INTER_AREA).astype(np.int16)


def read_manifest(root: Path) -> list[dict]:
    """The manifest's complete lines (a final line cut short by a kill is ignored)."""
    path = root / MANIFEST
    if not path.is_file():
        return []
    entries = []
    for line in path.read_text().splitlines():
        try:
            entries.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return entries


def label_counts(root: Path) -> Counter:
    """Images per label in the dataset folder (recorded or not)."""
    counts: Counter = Counter()
    for label in LABELS:
        folder = root / label
        if folder.is_dir():
            counts[label] = sum(1 for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    return counts


def fewest(counts: Counter, n: int = 3) -> list[str]:
    """The labels with the fewest images: the hint of what to record next."""
    return sorted(LABELS, key=lambda label: (counts.get(label, 0), label))[:n]


def reconcile(root: Path) -> list[Path]:
    """Remove what a killed recording can leave: temporary files, and recorded images with
    no manifest line (their write was never completed). Returns what was removed."""
    if not root.is_dir():
        return []
    listed = {entry.get("file") for entry in read_manifest(root)}
    removed = []
    for label in LABELS:
        folder = root / label
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            stray_tmp = path.name.endswith(TMP_SUFFIX)
            unlisted = path.suffix == ".jpg" and _is_recorded_name(path.stem) and f"{label}/{path.name}" not in listed
            if stray_tmp or unlisted:
                path.unlink()
                removed.append(path)
    manifest = root / MANIFEST
    if manifest.is_file():  # drop a final line cut short, so the next append starts on its own line
        text = manifest.read_text()
        if text and not text.endswith("\n"):
            keep = text[:text.rfind("\n") + 1]
            manifest.write_text(keep)
    return removed


def _is_recorded_name(stem: str) -> bool:
    return re.fullmatch(RECORDED_NAME, stem) is not None


@dataclass
class Saved:
    path: Path
    label: str
    count: int  # this session's images of that label


class Recorder:
    """Saves frames with a detected hand at most `rate` per second (of the source's time)."""

    def __init__(self, root: Path | str, signer: str = "me", rate: float = 5.0, session: str | None = None):
        self.root = Path(root)
        if self.root.exists() and not self.root.is_dir():
            raise DatasetError(f"not a folder: {self.root}")
        if rate <= 0:
            raise DatasetError(f"rate must be above 0 frames per second, not {rate}")
        self.signer = check_signer(signer)
        self.rate = rate
        self.session = session or new_session_id()
        self.session_counts: Counter = Counter()
        self._last_t: float | None = None
        self._last_thumb: np.ndarray | None = None
        self._serial = 0
        self.skipped_same = 0
        reconcile(self.root)
        self._manifest = None  # opened with the first image: a run that saves nothing writes nothing

    def close(self) -> None:
        if self._manifest is not None and not self._manifest.closed:
            self._manifest.close()

    def __enter__(self) -> Recorder:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def due(self, t: float) -> bool:
        """Whether a frame at source time `t` may be saved under the rate limit."""
        return self._last_t is None or t - self._last_t >= 1.0 / self.rate - 1e-6 or t < self._last_t

    def offer(self, frame: Frame, hand: Hand | None, label: str) -> Saved | None:
        """Save `frame` as `label` if it has a hand, is due, and is not a repeat of the last one saved."""
        label = normalize_label(label)
        if hand is None or not self.due(frame.t_media):
            return None
        thumb = thumbnail(frame.image)
        if self._last_thumb is not None and np.abs(thumb - self._last_thumb).mean() < SAME_FRAME_DIFF:
            self.skipped_same += 1
            return None
        path = self._write_image(frame.image, label)
        self._append(path, label, frame, hand)
        self._last_t, self._last_thumb = frame.t_media, thumb
        self.session_counts[label] += 1
        return Saved(path, label, self.session_counts[label])

    def _write_image(self, image: np.ndarray, label: str) -> Path:
        ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
        if not ok:
            raise DatasetError("could not encode the frame as JPEG")
        folder = inside(self.root, label)
        folder.mkdir(parents=True, exist_ok=True)
        while True:
            self._serial += 1
            path = folder / f"{self.signer}_{self.session}_{self._serial:05d}.jpg"
            if not path.exists():
                break
        tmp = path.with_name(path.name + TMP_SUFFIX)
        with open(tmp, "wb") as f:
            f.write(data.tobytes())
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        return path

    def _append(self, path: Path, label: str, frame: Frame, hand: Hand) -> None:
        h, w = frame.image.shape[:2]
        entry = {
            "file": f"{label}/{path.name}", "label": label, "signer": self.signer, "session": self.session,
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "t_source": round(frame.t_media, 3),
            "frame": frame.index, "width": w, "height": h, "handedness": hand.handedness,
            "box": [round(v, 1) for v in hand.box],
            "landmarks": np.round(hand.landmarks.astype(float), 2).tolist(),
        }
        if self._manifest is None:
            self._manifest = open(self.root / MANIFEST, "a", encoding="utf-8")
        # One write of one line, flushed and synced: a kill leaves whole lines only (or a cut
        # last line, which readers skip).
        self._manifest.write(json.dumps(entry) + "\n")
        self._manifest.flush()
        os.fsync(self._manifest.fileno())
