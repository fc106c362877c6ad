"""How fast the hand and its fingers move, in hand sizes per second.

Speeds are measured over a short lag (`MotionConfig.lag`) rather than frame to frame: tracker jitter
on a held hand is a few pixels a frame in random directions, which a lag averages out, while a real
move keeps its direction. Dividing by the hand's size makes the figures the same near or far from
the camera and at any resolution.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from ..config import MotionConfig


@dataclass
class Motion:
    hand_speed: float  # the hand's centre, hand sizes per second (inf while unknown)
    finger_speed: float  # the shape: landmarks relative to the centre, mean hand sizes per second
    still: bool  # both under their thresholds: the shape seen now is meant, not passed through
    size: float  # the hand's size in pixels (the larger side of its landmark box)


def hand_geometry(landmarks: np.ndarray) -> tuple[np.ndarray, float]:
    """Centre (of the landmark box) and size (its larger side), as Hand.center / Hand.size."""
    xy = np.asarray(landmarks, dtype=np.float64)[:, :2]
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    return (lo + hi) / 2, float(max((hi - lo).max(), 1.0))


class MotionMeter:
    def __init__(self, config: MotionConfig):
        self.config = config
        self._history: deque[tuple[float, np.ndarray, np.ndarray]] = deque()  # t, centre, shape

    def reset(self) -> None:
        self._history.clear()

    def update(self, t: float, landmarks: np.ndarray) -> Motion:
        cfg = self.config
        center, size = hand_geometry(landmarks)
        shape = (np.asarray(landmarks, dtype=np.float64)[:, :2] - center) / size
        # Keep one entry at least `lag` old (frames come at any rate, never exactly `lag` apart).
        while len(self._history) > 1 and self._history[1][0] <= t - cfg.lag + 1e-6:
            self._history.popleft()
        if not self._history or self._history[0][0] > t - cfg.lag * 0.5:
            # A hand just seen: nothing to compare with yet, so it counts as moving (arriving).
            hand_speed = finger_speed = float("inf")
        else:
            t0, c0, s0 = self._history[0]
            dt = max(t - t0, 1e-6)
            hand_speed = float(np.linalg.norm(center - c0)) / size / dt
            # The mean over all 21 landmarks (the mean of the fastest five, tried, also rose with
            # tracker jitter on held hands and read fewer clips right).
            finger_speed = float(np.linalg.norm(shape - s0, axis=1).mean()) / dt
        self._history.append((t, center, shape))
        still = hand_speed <= cfg.still_hand and finger_speed <= cfg.still_fingers
        return Motion(hand_speed, finger_speed, still, size)


class BounceWatch:
    """Tells a bounce or slide (how a letter is doubled) from the hand merely moving about.

    A bounce is the only movement between two holds: the hand rested (held a sign) for at least
    `rest` s, then moved quickly (`speed` hand sizes a second or more) for no longer than
    `longest` s, and came to rest again. A hand that drifts, shifts or fidgets between two holds,
    or moves quickly for longer (putting the hand down and back up, turning it round), is not
    doubling the letter, however fast it went. A movement ends once the hand has been still for
    `settle` s: the hand stops for an instant at the top of a bounce, which is no rest.
    """

    def __init__(self, speed: float, longest: float, rest: float, settle: float):
        self.speed, self.longest, self.rest, self.settle = speed, longest, rest, settle
        self.reset()

    def reset(self) -> None:
        self._rest_since: float | None = None  # when the current still stretch began
        self._move: list | None = None  # the current movement: [start, began from a rest, fast, last moving t]

    def update(self, t: float, m: Motion) -> bool | None:
        """Feed one frame's motion. When a quick movement ends (the hand settled again): True if it
        was a bounce, False if not (a quick movement after a bounce undoes it); else None."""
        if not m.still:
            if self._move is None:
                rested = self._rest_since is not None and t - self._rest_since + 1e-6 >= self.rest
                self._move = [t, rested, False, t]
            self._move[3] = t
            if np.isfinite(m.hand_speed) and m.hand_speed >= self.speed:
                self._move[2] = True
            self._rest_since = None
            return None
        if self._rest_since is None:
            self._rest_since = t
        if self._move is None or t - self._rest_since + 1e-6 < self.settle:
            return None
        start, rested, fast, last = self._move
        self._move = None
        if not fast:
            return None
        return rested and last - start <= self.longest + 1e-6
