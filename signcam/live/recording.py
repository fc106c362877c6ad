"""Record mode for the live worker: while it is on, frames with a hand are saved under the chosen label."""
from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path

from ..datasets.recorder import Recorder, Saved, fewest, label_counts, normalize_label
from ..vision.frames import Frame
from ..vision.hands import Hand


LABEL_SETTLE_S = 0.5  # after the label changes, nothing is saved for this long


class LiveRecording:
    """Shared by the window (label, on/off) and the worker's track thread (offer)."""

    def __init__(self, root: Path | str, signer: str = "me", rate: float = 5.0, label: str = "A"):
        self.recorder = Recorder(root, signer, rate)
        self._label = normalize_label(label)
        self._on = False
        self._quiet_until = 0.0
        self._lock = threading.Lock()
        self._totals_at_start = label_counts(self.recorder.root)

    @property
    def label(self) -> str:
        return self._label

    @label.setter
    def label(self, value: str) -> None:
        label = normalize_label(value)
        if label != self._label:
            # The hand is still changing shape: frames of the next moment would be saved as the new letter.
            # Quiet first, then the label, so an offer between the two lines saves nothing as the new one.
            self._quiet_until = time.monotonic() + LABEL_SETTLE_S
            self._label = label

    @property
    def on(self) -> bool:
        return self._on

    @on.setter
    def on(self, value: bool) -> None:
        # Under the lock: once Stop returns, no write is under way and none starts (waits one write at most).
        with self._lock:
            self._on = bool(value)

    @property
    def root(self) -> Path:
        return self.recorder.root

    @property
    def session(self) -> str:
        return self.recorder.session

    def offer(self, frame: Frame, hand: Hand | None) -> Saved | None:
        """Called by the track thread; the lock keeps close() from happening mid-write."""
        with self._lock:
            if not self._on or self.recorder.closed or time.monotonic() < self._quiet_until:
                return None
            return self.recorder.offer(frame, hand, self._label)

    # The counters are read without the lock, so the GUI never waits on a disk write;
    # dict() copies a Counter in one step under the GIL.
    def counts(self, label: str | None = None) -> tuple[int, int]:
        """(this session, in total) for `label` (default: the current one)."""
        label = label or self._label
        session = dict(self.recorder.session_counts).get(label, 0)
        return session, self._totals_at_start[label] + session

    def fewest(self, n: int = 3) -> list[tuple[str, int]]:
        totals = self._totals_at_start + Counter(dict(self.recorder.session_counts))
        return [(label, totals[label]) for label in fewest(totals, n)]

    def close(self) -> None:
        with self._lock:
            self._on = False
            self.recorder.close()
