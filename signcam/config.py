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
    # A quick hop lets a held letter be committed again (how signers double a letter):
    # net travel of `rearm_move` hand sizes within `rearm_window` s...
    # Holding a letter drifts ~0.05 hand sizes a frame; a bounce or a cut jumps 0.3+.
    rearm_move: float = 0.25
    rearm_window: float = 0.1
    rearm_reach: float = 1.5  # ...and settles within this many hand sizes of where it was committed
    motion_letters: tuple[str, ...] = ("J", "Z")  # letters that move by definition: travel is no repeat
    space_label: str = "space"
    delete_label: str = "del"
    idle_label: str = "nothing"


@dataclass
class TrackerConfig:
    max_hands: int = 1
    min_detection: float = 0.5
    min_tracking: float = 0.5
    model_complexity: int = 1


@dataclass
class Config:
    model: Path | None = None  # None: the bundled model
    tracker: TrackerConfig = field(default_factory=TrackerConfig)
    smoothing: SmoothingConfig = field(default_factory=SmoothingConfig)
    spelling: SpellingConfig = field(default_factory=SpellingConfig)
