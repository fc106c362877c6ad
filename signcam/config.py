"""One typed configuration, passed down explicitly (no module-level tunables)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class SmoothingConfig:
    window: float = 0.3  # seconds of per-frame probabilities averaged
    threshold: float = 0.6  # smoothed confidence needed to show (and hold) a letter
    hysteresis: float = 0.1  # a new letter must beat the shown one by this much to replace it


@dataclass
class SpellingConfig:
    hold_time: float = 0.5  # seconds a letter must be held steady to be committed
    drop_time: float = 0.25  # seconds without a hand that count as the hand dropping (trackers miss frames)
    word_gap: float = 1.5  # seconds with no letter signed that end a word
    # A letter is signed again after the hand moves away and back (a bounce or slide): from rest
    # it travels `rearm_move` hand sizes within `rearm_window` s (holding drifts ~0.01 a frame; a
    # bounce or a cut jumps 0.3+), then rests again within `rearm_reach` hand sizes of where it
    # signed the letter, and the letter is held `hold_time` again from that rest. At rest = within
    # `still_reach` hand sizes for `settle_time` s, which the top of a lift never is (there the
    # hand only turns round; counting the hold from there committed teal A.mp4 twice).
    rearm_move: float = 0.25
    rearm_window: float = 0.1
    still_reach: float = 0.1
    settle_time: float = 0.3
    rearm_reach: float = 1.5
    motion_letters: tuple[str, ...] = ("J", "Z")  # letters that move by definition: travel is no repeat
    space_label: str = "space"
    delete_label: str = "del"
    idle_label: str = "nothing"


@dataclass
class TrackerConfig:
    max_hands: int = 1
    min_detection: float = 0.5
    min_tracking: float = 0.5
    # MediaPipe's full landmark model, as the training data was prepared with. The lite one (0)
    # takes about 5 ms less CPU per frame, but its landmarks cost the letter model accuracy:
    # keptsecret-test 0.9848 -> 0.9369, roboflow-train 0.7692 -> 0.7041 (teal clips 23 -> 24 of 26).
    model_complexity: int = 1


@dataclass
class Config:
    model: Path | None = None  # None: the bundled model
    tracker: TrackerConfig = field(default_factory=TrackerConfig)
    smoothing: SmoothingConfig = field(default_factory=SmoothingConfig)
    spelling: SpellingConfig = field(default_factory=SpellingConfig)
