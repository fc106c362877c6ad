"""Record a person's letters into their profile and adapt the model to them.

Headless (`signcam calibrate SOURCE... --profile NAME`): each SOURCE is a folder of per-letter
clips (<L>.mp4) or image folders (<L>/), or one such clip or folder itself. From a clip, frames are
kept while the hand is held still (the speller's motion meter), as the window's walk does; J and Z
are kept while they move. Photos are unrelated stills: each one with a hand counts, in natural
file order (frame 30 before frame 132), as `signcam-train enroll-eval` enrolls them.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..config import Config
from ..datasets.recorder import LABELS, Recorder
from ..errors import DatasetError, SourceError
from ..spelling.motion import MotionMeter
from ..vision.frames import IMAGE_SUFFIXES, VIDEO_SUFFIXES, Frame, open_source
from .store import Profile

MOTION_LETTERS = ("J", "Z")
CALIBRATION_RATE = 10.0  # frames saved per second of a clip: 1.5 s of a held letter gives about 15


@dataclass
class CalibrationPlan:
    """Per letter, where its frames come from."""
    sources: dict[str, Path] = field(default_factory=dict)


def natural_key(path: Path) -> list:
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", path.name)]


def letter_of(name: str) -> str | None:
    for label in LABELS:
        if name == label or (len(label) > 1 and name.lower() == label.lower()):
            return label
    return None


def plan_sources(specs: list[str]) -> CalibrationPlan:
    """<L>.mp4 files and <L>/ folders, in the given folders or given themselves."""
    plan = CalibrationPlan()
    for spec in specs:
        path = Path(spec)
        if not path.exists():
            raise SourceError(f"no such clip or folder: {spec}")
        entries = [path] if letter_of(path.stem if path.is_file() else path.name) else sorted(path.iterdir()) if path.is_dir() else []
        for entry in entries:
            letter = letter_of(entry.stem if entry.is_file() else entry.name)
            usable = (entry.is_file() and entry.suffix.lower() in VIDEO_SUFFIXES) or entry.is_dir()
            if letter and usable:
                plan.sources[letter] = entry
    if not plan.sources:
        raise SourceError(f"no per-letter clips (<L>.mp4) or folders (<L>/) in {', '.join(specs)}")
    return plan


def _photos(folder: Path) -> list[Path]:
    return sorted((p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES), key=natural_key)


def record_letter(recorder: Recorder, letter: str, source: Path, config: Config, per_letter: int,
                  trackers: dict) -> int:
    """Frames of one letter into the profile; returns how many were saved."""
    import cv2

    saved = 0
    if source.is_dir():
        from ..training.prepare import find_hands_in_photo  # the padded retry photos need (Massey's tight crops)

        tracker = trackers["photo"]
        for i, path in enumerate(_photos(source)):
            image = cv2.imread(str(path))
            hands = find_hands_in_photo(tracker, image) if image is not None else []
            # Photos are unrelated stills: spaced a second apart, so the recorder's rate never drops one.
            if recorder.offer(Frame(image, i, time.perf_counter(), float(i), path.name), hands[0] if hands else None, letter):
                saved += 1
                if saved >= per_letter:
                    break
        return saved
    meter = MotionMeter(config.spelling.motion)
    moving = letter in MOTION_LETTERS
    from ..headless import make_tracker

    with make_tracker(config, video=True) as tracker, open_source(str(source)) as frames:
        for frame in frames:
            hands = tracker.track(frame.image)
            if not hands:
                meter.reset()
                continue
            still = meter.update(frame.t_media, hands[0].landmarks).still
            if (moving or still) and recorder.offer(frame, hands[0], letter):
                saved += 1
                if saved >= per_letter:
                    break
    return saved


def calibrate(profile: Profile, specs: list[str], classifier, config: Config, per_letter: int = 15,
              log: Callable[[str], None] = print):
    """Record every letter the sources hold into `profile`, then adapt `classifier` to it."""
    plan = plan_sources(specs)
    from ..headless import make_tracker

    with make_tracker(config, video=False) as photo_tracker, \
            Recorder(profile.frames_dir, signer="calibration", rate=CALIBRATION_RATE) as recorder:
        for letter, source in plan.sources.items():
            n = record_letter(recorder, letter, source, config, per_letter, {"photo": photo_tracker})
            log(f"{letter}: {n} frame(s) from {source}" if n else f"{letter}: no hand found in {source}: skipped")
    if not recorder.session_counts:
        raise DatasetError(f"no hand was found in any of {', '.join(specs)}: nothing to calibrate on")
    start = time.perf_counter()
    adaptation = profile.rebuild(classifier)
    log(f"profile {profile.name!r}: adapted to {len(adaptation.targets)} frame(s) of {len(adaptation.enrolled)} "
        f"letter(s) in {time.perf_counter() - start:.1f} s ({profile.folder})")
    return adaptation
