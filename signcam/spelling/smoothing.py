"""Temporal smoothing of per-frame letter probabilities.

Raw per-frame argmax flickers; averaging a short window and asking a new
letter to clearly beat the current one (hysteresis) gives a steady reading.
"""
from __future__ import annotations

from collections import deque

import numpy as np

from ..config import SmoothingConfig


class Smoother:
    def __init__(self, labels: list[str], config: SmoothingConfig):
        self.labels = labels
        self.config = config
        self._window: deque[tuple[float, np.ndarray]] = deque()
        self._current: int | None = None
        self.mean: np.ndarray | None = None

    def reset(self) -> None:
        self._window.clear()
        self._current = None
        self.mean = None

    def update(self, probs: np.ndarray | None, t: float) -> tuple[str | None, float]:
        """Feed one frame's probabilities (None: no hand). Returns (letter or None, confidence)."""
        if probs is None:
            self.reset()
            return None, 0.0
        self._window.append((t, np.asarray(probs, dtype=np.float32)))
        while self._window and self._window[0][0] < t - self.config.window:
            self._window.popleft()
        self.mean = np.mean([p for _, p in self._window], axis=0)
        best = int(self.mean.argmax())
        cur = self._current
        if cur is None or self.mean[cur] < self.config.threshold or \
                self.mean[best] >= self.mean[cur] + self.config.hysteresis:
            cur = best
        self._current = cur if self.mean[cur] >= self.config.threshold else None
        if self._current is None:
            return None, float(self.mean[best])
        return self.labels[self._current], float(self.mean[self._current])
