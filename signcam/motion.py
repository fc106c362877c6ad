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

from .config import MotionConfig


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
