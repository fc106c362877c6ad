"""Profiles on disk, one folder per person in the platform's user data folder:

    <profiles>/<name>/profile.json     name, the base model it was adapted for, what it holds
    <profiles>/<name>/frames/          the calibration frames: a recorder dataset (<L>/*.jpg, manifest.jsonl)
    <profiles>/<name>/adaptation.npz   what was learned from them (signcam/letters/adapt.py)
    <profiles>/active                  the name of the profile in use

The frames are kept, so a profile can be rebuilt for another base model; the base model file is
never changed. `SIGNCAM_PROFILES` overrides the folder (tests, portable installs).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..datasets.recorder import LABELS, read_manifest
from ..errors import ModelError, SigncamError
from ..letters.adapt import AdaptConfig, Adaptation, AdaptedClassifier, fit, self_check
from ..letters.bundled import sha256_of
from ..vision.crop import crop_hand
from ..vision.hands import Hand

NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _-]{0,39}")
PROFILE_FILE = "profile.json"
ADAPTATION_FILE = "adaptation.npz"
FRAMES = "frames"
ACTIVE_FILE = "active"
DROPPED_FILE = "dropped.txt"  # frames a redo replaced: kept on disk, left out of the adaptation


class ProfileError(SigncamError):
    """A profile that is missing, empty, damaged, or made for another model."""


def profiles_root() -> Path:
    """Where profiles live: $SIGNCAM_PROFILES, else <user data folder>/signcam/profiles
    (Linux ~/.local/share/signcam/profiles, macOS ~/Library/Application Support/signcam/profiles,
    Windows %LOCALAPPDATA%\\signcam\\profiles)."""
    if os.environ.get("SIGNCAM_PROFILES"):
        return Path(os.environ["SIGNCAM_PROFILES"])
    import platformdirs

    return Path(platformdirs.user_data_dir("signcam", appauthor=False)) / "profiles"


def check_name(name: str) -> str:
    name = name.strip()
    if not NAME_PATTERN.fullmatch(name):
        raise ProfileError(f"bad profile name {name!r}: use 1-40 letters, digits, spaces, '-' or '_', "
                           "starting with a letter or digit")
    return name


def write_json_atomic(path: Path, data: dict) -> None:
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(json.dumps(data, indent=1))
    tmp.replace(path)


@dataclass
class FrameSet:
    """A profile's frames as the letter model sees them."""
    crops: np.ndarray
    landmarks: np.ndarray
    handedness: np.ndarray
    labels: np.ndarray


class Profile:
    def __init__(self, folder: Path):
        self.folder = folder

    @property
    def name(self) -> str:
        return self.folder.name

    @property
    def frames_dir(self) -> Path:
        return self.folder / FRAMES

    @property
    def adaptation_path(self) -> Path:
        return self.folder / ADAPTATION_FILE

    def meta(self) -> dict:
        path = self.folder / PROFILE_FILE
        if not path.is_file():
            return {"name": self.name}
        try:
            data = json.loads(path.read_text())
            if not isinstance(data, dict):
                raise ValueError("not an object")
            return data
        except (ValueError, OSError) as exc:
            raise ProfileError(f"damaged profile file {path} ({type(exc).__name__}): "
                               "delete the profile or rebuild it") from None

    def update_meta(self, **values) -> None:
        write_json_atomic(self.folder / PROFILE_FILE, {**self.meta(), **values, "name": self.name})

    def drop_frames(self, files: list[str]) -> None:
        """Leave these frames (manifest names, <L>/<file>) out from now on; appended and synced."""
        if not files:
            return
        with open(self.folder / DROPPED_FILE, "a", encoding="utf-8") as f:
            f.write("".join(name + "\n" for name in files))
            f.flush()
            os.fsync(f.fileno())

    def drop_letter(self, letter: str) -> None:
        """A letter recorded again (redo): its frames so far are left out, not deleted."""
        self.drop_frames([e["file"] for e in self._entries() if e.get("label") == letter])

    def _entries(self) -> list[dict]:
        """The manifest's lines whose image is there and not dropped by a redo."""
        dropped_path = self.folder / DROPPED_FILE
        dropped = set(dropped_path.read_text().split()) if dropped_path.is_file() else set()
        return [e for e in read_manifest(self.frames_dir)
                if e.get("file") not in dropped and (self.frames_dir / e.get("file", "")).is_file()]

    def letter_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for entry in self._entries():
            counts[entry["label"]] = counts.get(entry["label"], 0) + 1
        return {c: counts[c] for c in LABELS if c in counts}

    def frames(self, size: int, margin: float) -> FrameSet:
        """The recorded frames, cropped with the landmarks the recorder saved (no tracking again)."""
        import cv2

        crops, lms, hands, labels = [], [], [], []
        for entry in self._entries():
            image = cv2.imread(str(self.frames_dir / entry["file"]))
            if image is None or "landmarks" not in entry:
                continue  # an unreadable image: the others still count
            hand = Hand(np.asarray(entry["landmarks"], np.float32), entry.get("handedness", "Right"), 1.0)
            crop = crop_hand(image, hand, size, margin)
            crops.append(crop.image)
            lms.append(crop.landmarks)
            hands.append(hand.handedness)
            labels.append(entry["label"])
        if not labels:
            raise ProfileError(f"profile {self.name!r} has no calibration frames: calibrate at least one letter")
        return FrameSet(np.stack(crops), np.stack(lms).astype(np.float32), np.array(hands), np.array(labels))

    def status(self, base_model: str) -> str:
        """'none' (not adapted yet), 'current', or 'other-model' (adapted for another base model)."""
        made_for = self.meta().get("base_model")
        if not self.adaptation_path.is_file() or not made_for:
            return "none"
        return "current" if made_for == base_model else "other-model"

    def rebuild(self, classifier, config: AdaptConfig | None = None) -> Adaptation:
        """Adapt `classifier` to this profile's frames and save it; the model file is not touched."""
        start = time.perf_counter()
        frames = self.frames(classifier.info.input_size, classifier.info.crop_margin)
        probs = classifier.predict_batch(frames.crops, frames.landmarks, frames.handedness)
        base_id = sha256_of(Path(classifier.path))
        adaptation = fit(classifier.info.labels, base_id, probs, frames.landmarks, frames.handedness,
                         frames.labels, config, frames.crops)
        adaptation.save(self.adaptation_path)
        check = self_check(classifier.info.labels, probs, frames.landmarks, frames.handedness, frames.labels, config,
                           frames.crops)
        self.update_meta(check=check, base_model=base_id, base_model_path=str(classifier.path), method=adaptation.config.method,
                         letters=adaptation.enrolled, frames=int(len(frames.labels)),
                         adapted=time.strftime("%Y-%m-%dT%H:%M:%S"),
                         adapt_seconds=round(time.perf_counter() - start, 2))
        return adaptation

    def load_adaptation(self, base_model: Path) -> Adaptation:
        """The adaptation made for this base model file, or a one-line ProfileError saying why not."""
        base_id = sha256_of(Path(base_model))
        state = self.status(base_id)
        if state == "none":
            raise ProfileError(f"profile {self.name!r} is not calibrated yet: run `signcam calibrate` or Calibrate…")
        if state == "other-model":
            raise ProfileError(f"profile {self.name!r} was made for another model "
                               f"({self.meta().get('base_model_path', '?')}): rebuild it for this one")
        try:
            adaptation = Adaptation.load(self.adaptation_path)
        except ModelError as exc:
            raise ProfileError(str(exc)) from None
        if adaptation.base_model != base_id:
            raise ProfileError(f"profile {self.name!r}'s adaptation was made for another model: rebuild it")
        return adaptation

    def adapted(self, classifier) -> AdaptedClassifier:
        """`classifier` read through this person's adaptation."""
        try:
            return AdaptedClassifier(classifier, self.load_adaptation(classifier.path), self.name)
        except ModelError as exc:
            raise ProfileError(str(exc)) from None


class ProfileStore:
    def __init__(self, root: Path | None = None):
        self.root = Path(root) if root else profiles_root()

    def names(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted((d.name for d in self.root.iterdir() if d.is_dir() and NAME_PATTERN.fullmatch(d.name)),
                      key=str.lower)

    def get(self, name: str) -> Profile:
        folder = self.root / check_name(name)
        if not folder.is_dir():
            known = ", ".join(self.names()) or "none yet"
            raise ProfileError(f"no profile named {name!r} (profiles: {known})")
        return Profile(folder)

    def create(self, name: str) -> Profile:
        """A new profile, or the existing one of that name (calibrating again adds to it)."""
        folder = self.root / check_name(name)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ProfileError(f"cannot make profile folder {folder}: {exc.strerror or exc}") from None
        profile = Profile(folder)
        if not (folder / PROFILE_FILE).is_file():
            write_json_atomic(folder / PROFILE_FILE, {"name": profile.name, "created": time.strftime("%Y-%m-%dT%H:%M:%S")})
        return profile

    def rename(self, old: str, new: str) -> Profile:
        profile, new = self.get(old), check_name(new)
        was_active = self.active() == old
        target = self.root / new
        if target.exists():
            raise ProfileError(f"a profile named {new!r} already exists")
        profile.folder.rename(target)
        renamed = Profile(target)
        renamed.update_meta()
        if was_active:
            self.set_active(new)
        return renamed

    def delete(self, name: str) -> None:
        profile = self.get(name)
        was_active = self.active() == name
        shutil.rmtree(profile.folder)
        if was_active:
            self.set_active(None)

    def active(self) -> str | None:
        path = self.root / ACTIVE_FILE
        name = path.read_text().strip() if path.is_file() else ""
        return name if name in self.names() else None

    def set_active(self, name: str | None) -> None:
        if name is not None:
            self.get(name)  # refuses an unknown name
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / ACTIVE_FILE
        tmp = path.with_name(ACTIVE_FILE + ".part")
        tmp.write_text(name or "")
        tmp.replace(path)


