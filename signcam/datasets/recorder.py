"""Record labelled frames into a folder-per-class dataset, safely.

    DATASET/<LABEL>/<signer>_<session>_<n>.jpg   the raw frame (never the overlay)
    DATASET/manifest.jsonl                       one line per saved image

An image is written in the hidden staging folder DATASET/.partial/ and renamed
into its label folder (same file system: the rename is atomic), then its manifest
line is appended, flushed and synced: a run killed at any moment leaves no
half-written image in a label folder, and every line it wrote names an image it
saved. What a kill can leave is a partial file in .partial/, or an image renamed
a moment before its line was written; `reconcile` (run when a recorder opens the
folder) removes the first and sets the second aside, so folder and manifest agree.
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

from ..errors import DatasetError
from ..vision.crop import crop_hand
from ..vision.frames import Frame, IMAGE_SUFFIXES
from ..vision.hands import Hand

LABELS = tuple("ABCDEFGHIJKLMNOPQRSTUVWXYZ") + ("del", "nothing", "space")
MANIFEST = "manifest.jsonl"
UNLISTED = ".unlisted"  # recorded images set aside by reconcile (hidden: prepare skips dot folders)
LOCK_FILE = ".signcam-recording.lock"
TMP_SUFFIX = ".tmp"
STAGING = ".partial"  # where images are written before the rename (hidden: prepare skips dot folders)
SIGNER_PATTERN = re.compile(r"[A-Za-z0-9-]{1,40}")
# <signer>_<session>_<n>: the file name says who signed it and in which session.
RECORDED_NAME = re.compile(r"(?P<signer>[A-Za-z0-9-]+)_(?P<session>\d{8}T\d{6}-[0-9a-f]{4})_(?P<n>\d{5})")
# Mean absolute difference (0-255) between 64x64 grey crops of the hand below which
# a frame repeats the last one saved. Measured on the teal clips: a frozen or repeated
# frame 0.00-0.03; a hand held still, 0.2 s later, 0.4-1.3 (5th-25th percentile).
SAME_HAND_DIFF = 0.3
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


def hand_thumbnail(image: np.ndarray, hand: Hand) -> np.ndarray:
    """The hand as the model sees it, small and grey: what must change for a frame to be new
    (someone walking past behind the signer does not make a new sample)."""
    crop = crop_hand(image, hand, 64).image
    return cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY).astype(np.int16)


def manifest_entry_problem(root: Path, entry: object) -> str | None:
    """Why a parsed manifest line cannot be used (None if it can): it must name a .jpg in its
    label's folder of this dataset, so no line can point a reader (or reconcile) outside it."""
    if not isinstance(entry, dict):
        return f"a JSON {type(entry).__name__}, not an object"
    file, label = entry.get("file"), entry.get("label")
    if not isinstance(file, str) or not isinstance(label, str):
        return "no text 'file' and 'label'"
    if label not in LABELS:
        return f"unknown label {label[:40]!r}"
    parts = file.split("/")
    if len(parts) != 2 or parts[0] != label or not parts[1].endswith(".jpg") or parts[1] in ("", ".", ".."):
        return f"file {file[:80]!r} is not {label}/<name>.jpg"
    try:
        inside(root, *parts)
    except DatasetError:
        return f"file {file[:80]!r} would leave the dataset folder"
    return None


def read_manifest(root: Path, skipped: list[str] | None = None) -> list[dict]:
    """The manifest's usable lines. A damaged line (cut short by a kill, not JSON, wrong types,
    a path leaving the folder) is skipped, and why is added to `skipped` ("line 3: not JSON")."""
    path = root / MANIFEST
    if not path.is_file():
        return []
    entries = []
    with open(path, "rb") as f:
        for number, raw in enumerate(f, 1):
            try:
                entry = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
                problem = "not JSON" + ("" if raw.endswith(b"\n") else " (cut short)")
            else:
                problem = manifest_entry_problem(root, entry)
            if problem is None:
                entries.append(entry)
            elif skipped is not None:
                skipped.append(f"line {number}: {problem}")
    return entries


def skip_notes(root: Path, skipped: list[str], most: int = 20) -> list[str]:
    """One line per damaged manifest line skipped (the first `most` of them, then how many more)."""
    notes = [f"{root / MANIFEST} {line}: skipped" for line in skipped[:most]]
    if len(skipped) > most:
        notes.append(f"{root / MANIFEST}: {len(skipped) - most} more damaged line(s) skipped")
    return notes


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
    """Tidy what a killed recording can leave, losing nothing: temporary files are removed;
    recorded images with no manifest line (a kill between rename and append, or a manifest
    edited by hand) are moved aside to DATASET/.unlisted/<label>/, which `prepare` skips;
    a last manifest line cut short is cut off. Returns the images moved aside."""
    if not root.is_dir():
        return []
    manifest = root / MANIFEST
    if manifest.is_file():  # so the next append starts on its own line
        data = manifest.read_bytes()
        if data and not data.endswith(b"\n"):
            os.truncate(manifest, data.rfind(b"\n") + 1)  # in place: a kill here loses no whole line
    staging = root / STAGING
    if staging.is_dir():
        for path in staging.iterdir():
            path.unlink()
    listed = {entry["file"] for entry in read_manifest(root)}
    moved = []
    for label in LABELS:
        folder = root / label
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.name.endswith(TMP_SUFFIX):  # staged beside the image by earlier versions
                path.unlink()
            elif path.suffix == ".jpg" and recorded_name(path.stem) and f"{label}/{path.name}" not in listed:
                aside = root / UNLISTED / label
                aside.mkdir(parents=True, exist_ok=True)
                os.replace(path, aside / path.name)
                moved.append(aside / path.name)
    return moved


class DatasetLock:
    """One recorder per dataset folder at a time (another process's reconcile would take our
    half-written files for a kill's leftovers). Advisory, via flock; a no-op where there is none."""

    def __init__(self, root: Path):
        self.path = root / LOCK_FILE
        self._file = None

    def acquire(self) -> None:
        try:
            import fcntl
        except ImportError:  # Windows
            return
        self._file = open(self.path, "a")
        try:
            fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._file.close()
            self._file = None
            raise DatasetError(f"{self.path.parent} is being recorded into by another signcam; "
                               "stop that one or choose another folder") from None

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing drops the lock
            self._file = None


def recorded_name(stem: str) -> re.Match | None:
    """signer, session and n of a file name `signcam record` wrote; None for any other image."""
    return RECORDED_NAME.fullmatch(stem)


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
        self.closed = False
        self._manifest = None  # opened with the first image: a run that saves nothing writes nothing
        self._lock = DatasetLock(self.root)
        self.set_aside: list[Path] = []
        self.manifest_skipped: list[str] = []  # damaged manifest lines, said to the user, left as they are
        if self.root.is_dir():  # a new folder is made (and locked) with the first image
            self._lock.acquire()
            self.set_aside = reconcile(self.root)
            read_manifest(self.root, self.manifest_skipped)

    def close(self) -> None:
        self.closed = True
        if self._manifest is not None and not self._manifest.closed:
            self._manifest.close()
        self._lock.release()

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
        if self.closed or hand is None or not self.due(frame.t_media):
            return None
        thumb = hand_thumbnail(frame.image, hand)
        if self._last_thumb is not None and np.abs(thumb - self._last_thumb).mean() < SAME_HAND_DIFF:
            self.skipped_same += 1
            return None
        try:
            if not self.root.is_dir():
                self.root.mkdir(parents=True)
                self._lock.acquire()
            path = self._write_image(frame.image, label)
            try:
                self._append(path, label, frame, hand)
            except OSError:
                path.unlink(missing_ok=True)  # no line, so no image: the folder and manifest still agree
                raise
        except OSError as exc:  # a full disk, a folder made read-only: one line for the user
            raise DatasetError(f"cannot save into {self.root}: {exc.strerror or exc}") from None
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
        staging = self.root / STAGING
        staging.mkdir(exist_ok=True)
        tmp = staging / (path.name + TMP_SUFFIX)
        try:
            with open(tmp, "wb") as f:
                f.write(data.tobytes())
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except OSError:
            tmp.unlink(missing_ok=True)  # e.g. the disk filled mid-image: no part of it stays
            raise
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
        # last line, which readers skip and reconcile cuts off).
        end = self._manifest.tell()
        try:
            self._manifest.write(json.dumps(entry) + "\n")
            self._manifest.flush()
            os.fsync(self._manifest.fileno())
        except OSError:
            # A failed write (e.g. disk full) must not leave half a line. Closing flushes what is
            # still buffered, and may fail the same way: the truncate comes after, whatever happens.
            try:
                self._manifest.close()
            except OSError:
                pass
            finally:
                self._manifest = None
                os.truncate(self.root / MANIFEST, end)
            raise
