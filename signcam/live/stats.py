"""Counters and recent timings shared by the live threads, read by the status bar and the benchmark."""
from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from ..pipeline import Located, Reading


@dataclass
class StatsSnapshot:
    camera_fps: float
    recognition_fps: float
    latency_p50: float
    latency_p95: float
    stages_ms: dict = field(default_factory=dict)
    frames: int = 0  # read from the source
    dropped: int = 0  # replaced in the slot before the worker took them
    tracked: int = 0
    hands: int = 0
    classified: int = 0  # crops through the model
    reused: int = 0  # crops of a still hand that took the result of a frame before
    model_calls: int = 0
    readings: int = 0
    first_reading_at: float | None = None  # time.perf_counter() of the first reading


class Stats:
    """Counters and recent timings written by the threads and read by the window or the benchmark."""

    def __init__(self, keep: int = 600, fps_window: float = 2.0):
        self._lock = threading.Lock()
        self._fps_window = fps_window
        self._capture_times: deque[float] = deque()
        self._reading_times: deque[float] = deque()
        self._latency: deque[float] = deque(maxlen=keep)
        self._stages: dict[str, deque[float]] = {name: deque(maxlen=keep)
                                                 for name in ("decode", "landmarks", "crop", "classify")}
        self._counts = dict(frames=0, dropped=0, tracked=0, hands=0, classified=0, reused=0, model_calls=0, readings=0)
        self._first_reading_at: float | None = None

    def _tick(self, times: deque[float], now: float) -> None:
        times.append(now)
        while times[0] < now - self._fps_window:
            times.popleft()

    def captured(self, decode_ms: float, dropped: bool) -> None:
        with self._lock:
            self._tick(self._capture_times, time.perf_counter())
            self._stages["decode"].append(decode_ms)
            self._counts["frames"] += 1
            self._counts["dropped"] += dropped

    def located(self, located: Located) -> None:
        with self._lock:
            self._counts["tracked"] += 1
            self._counts["hands"] += located.hand is not None
            self._stages["landmarks"].append(located.timings["landmarks"])

    def model_call(self, crops: int, reused: int, ms: float) -> None:
        with self._lock:
            self._counts["reused"] += reused
            if crops:  # every crop may have taken an earlier result: then the model was not called
                self._counts["model_calls"] += 1
                self._counts["classified"] += crops
                self._stages["classify"].append(ms / crops)

    def read(self, reading: Reading) -> None:
        with self._lock:
            now = time.perf_counter()
            if self._first_reading_at is None:
                self._first_reading_at = now
            self._tick(self._reading_times, now)
            self._latency.append(reading.latency_ms)
            if "crop" in reading.timings:  # cut out only for the frames that went through the model
                self._stages["crop"].append(reading.timings["crop"])
            self._counts["readings"] += 1

    def recent_latencies(self, n: int) -> np.ndarray:
        """The latencies of the last `n` readings (as many as are kept)."""
        with self._lock:
            kept = list(self._latency)
        return np.array(kept[len(kept) - min(n, len(kept)):])

    def _rate(self, times: deque[float], now: float) -> float:
        # Recent frames only, so the rate falls to 0 when a source stops.
        recent = [t for t in times if t >= now - self._fps_window]
        return (len(recent) - 1) / (recent[-1] - recent[0]) if len(recent) > 2 else 0.0

    def snapshot(self) -> StatsSnapshot:
        with self._lock:
            now = time.perf_counter()
            lat = np.array(self._latency) if self._latency else np.zeros(1)
            return StatsSnapshot(
                self._rate(self._capture_times, now), self._rate(self._reading_times, now),
                float(np.percentile(lat, 50)), float(np.percentile(lat, 95)),
                {name: float(np.mean(v)) for name, v in self._stages.items() if v}, **self._counts,
                first_reading_at=self._first_reading_at)

