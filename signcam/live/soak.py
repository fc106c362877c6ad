"""A long run's timeline: every `every_s` seconds, memory, CPU per frame, latency p95 and queue
sizes over the interval just ended, so drift over an hour shows (`signcam bench --loop --timeline`).

The timeline is rewritten after each sample (atomically), so a run stopped early leaves its figures.
"""
from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import Callable

import numpy as np


class Sampler:
    def __init__(self, stats, slot, worker, cpu: Callable[[], float], rss: Callable[[], float],
                 every_s: float = 60.0, path: Path | None = None, extra: Callable[[], dict] | None = None):
        self.stats, self.slot, self.worker = stats, slot, worker
        self.cpu, self.rss, self.every_s, self.path, self.extra = cpu, rss, every_s, path, extra
        self.samples: list[dict] = []
        self._t0 = time.perf_counter()
        self._last = (self._t0, cpu(), stats.snapshot())

    def maybe(self) -> None:
        if time.perf_counter() - self._last[0] >= self.every_s:
            self.sample()

    def sample(self) -> dict:
        now, cpu, snap = time.perf_counter(), self.cpu(), self.stats.snapshot()
        t_prev, cpu_prev, snap_prev = self._last
        frames = snap.frames - snap_prev.frames
        latencies = self.stats.recent_latencies(snap.readings - snap_prev.readings)
        row = {
            "t_s": round(now - self._t0, 1),
            "rss_mb": round(self.rss(), 1),
            "frames": frames,
            "readings": snap.readings - snap_prev.readings,
            "dropped": snap.dropped - snap_prev.dropped,
            "cpu_ms_per_frame": round(1e3 * (cpu - cpu_prev) / max(frames, 1), 2),
            "latency_p95_ms": round(float(np.percentile(latencies, 95)), 1) if len(latencies) else None,
            "slot_waiting": self.slot.waiting,
            "worker_backlog": self.worker.backlog,
            "threads": threading.active_count(),
            # The machine's load (1-minute average): on a shared machine, CPU per frame and latency follow it.
            "load_average": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
            **(self.extra() if self.extra else {}),
        }
        self.samples.append(row)
        self._last = (now, cpu, snap)
        if self.path:
            write_json(self.path, {"every_s": self.every_s, "samples": self.samples, "drift": drift(self.samples)})
        return row


def write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n")
    os.replace(tmp, path)


def drift(samples: list[dict]) -> dict:
    """Later samples against the first (the first minute: warm-up is over by its end)."""
    if len(samples) < 2:
        return {}
    first, later = samples[0], samples[1:]
    p95 = [s["latency_p95_ms"] for s in later if s["latency_p95_ms"] is not None]

    def ratio(values: list[float], base: float | None) -> float | None:
        return round(max(values) / base, 3) if values and base else None

    return {
        "rss_growth_mb": round(max(s["rss_mb"] for s in later) - first["rss_mb"], 1),
        "rss_end_minus_first_mb": round(later[-1]["rss_mb"] - first["rss_mb"], 1),
        "cpu_per_frame_worst_ratio": ratio([s["cpu_ms_per_frame"] for s in later], first["cpu_ms_per_frame"]),
        "cpu_per_frame_median_ratio": round(float(np.median([s["cpu_ms_per_frame"] for s in later]))
                                            / first["cpu_ms_per_frame"], 3) if first["cpu_ms_per_frame"] else None,
        "p95_worst_ratio": ratio(p95, first["latency_p95_ms"]),
        "p95_median_ratio": round(float(np.median(p95)) / first["latency_p95_ms"], 3)
        if p95 and first["latency_p95_ms"] else None,
        "max_slot_waiting": max(s["slot_waiting"] for s in samples),
        "max_worker_backlog": max(s["worker_backlog"] for s in samples),
        "threads": sorted({s["threads"] for s in samples}),
    }


def plot(samples: list[dict], png: Path, title: str) -> None:
    """Four panels over time: RSS, CPU per frame, latency p95, queue sizes."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    minutes = [s["t_s"] / 60 for s in samples]
    fig, axes = plt.subplots(4, 1, figsize=(8, 9), sharex=True)
    panels = [("rss_mb", "RSS (MB)"), ("cpu_ms_per_frame", "CPU per frame (ms)"),
              ("latency_p95_ms", "latency p95 (ms)")]
    for ax, (key, label) in zip(axes, panels):
        ax.plot(minutes, [s[key] for s in samples], marker=".")
        ax.set_ylabel(label)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    for key in ("slot_waiting", "worker_backlog"):
        axes[3].plot(minutes, [s[key] for s in samples], marker=".", label=key)
    axes[3].set_ylabel("queued")
    axes[3].legend()
    axes[3].grid(alpha=0.3)
    axes[3].set_xlabel("minutes")
    axes[0].set_title(title)
    fig.tight_layout()
    fig.savefig(png, dpi=80)
    plt.close(fig)


class Timeline:
    """What `signcam bench --timeline` asked for: where the samples go, how often, and a plot."""

    def __init__(self, path: Path, every_s: float = 60.0, png: Path | None = None):
        self.path, self.every_s, self.png = path, every_s, png

    def sampler(self, stats, slot, worker) -> Sampler:
        from .bench import cpu_seconds, rss_mb

        return Sampler(stats, slot, worker, cpu_seconds, rss_mb, self.every_s, self.path)

    def finish(self, sampler: Sampler, title: str) -> None:
        if sampler.samples and self.png:
            plot(sampler.samples, self.png, title)
