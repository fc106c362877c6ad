"""A small text progress bar on stderr (no dependency, quiet when not a terminal)."""
from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, total: int, label: str = "", stream=None, every: float = 0.5):
        stream = stream or sys.stderr  # looked up per bar, not bound when the module is imported
        self.total, self.label, self.stream, self.every = total, label, stream, every
        self.done = 0
        self._t0 = self._last = time.monotonic()
        # Outside a terminal (CI logs), print a line every 10% instead of redrawing.
        self._tty = hasattr(stream, "isatty") and stream.isatty()
        self._next_pct = 10

    def update(self, n: int = 1, note: str = "") -> None:
        self.done += n
        now = time.monotonic()
        pct = 100 * self.done / max(self.total, 1)
        if self._tty and (now - self._last >= self.every or self.done >= self.total):
            self._last = now
            width = 30
            fill = int(width * self.done / max(self.total, 1))
            rate = self.done / max(now - self._t0, 1e-9)
            eta = (self.total - self.done) / rate if rate > 0 else 0
            self.stream.write(f"\r{self.label} [{'#' * fill}{'.' * (width - fill)}] "
                              f"{self.done}/{self.total} {rate:.1f}/s eta {eta:.0f}s {note}   ")
            self.stream.flush()
        elif not self._tty and (pct >= self._next_pct or self.done >= self.total):
            while self._next_pct <= pct:
                self._next_pct += 10
            self.stream.write(f"{self.label} {self.done}/{self.total} ({pct:.0f}%) {note}\n")
            self.stream.flush()

    def close(self) -> None:
        if self._tty:
            self.stream.write("\n")
            self.stream.flush()
