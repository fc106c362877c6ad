"""The capture side: a thread reading a FrameSource into a newest-frame-wins slot."""
from __future__ import annotations

import queue
import threading
import time
from collections import deque
from pathlib import Path

from ..errors import SigncamError
from ..vision.frames import Frame, FrameSource
from .events import LiveEvent, post
from .stats import Stats


class FrameSlot:
    """A short queue between capture and worker: when `depth` frames wait untaken, the oldest is dropped.

    A few frames of slack (100 ms at 30 fps) let the tracker catch up after a slow frame (a palm
    detection when the hand was lost takes longer than a frame period) without losing any; a
    longer backlog would only show the user old frames, so beyond it the oldest give way.
    """

    def __init__(self, depth: int = 3):
        self.depth = depth
        self._cond = threading.Condition()
        self._waiting: deque[Frame] = deque()
        self.newest: Frame | None = None  # for display: the newest frame, taken or not
        self.taken = 0

    def put(self, frame: Frame) -> bool:
        """Returns True if an untaken frame was dropped to make room."""
        with self._cond:
            dropped = len(self._waiting) >= self.depth
            if dropped:
                self._waiting.popleft()
            self._waiting.append(frame)
            self.newest = frame
            self._cond.notify_all()
            return dropped

    def put_when_free(self, frame: Frame, stop: threading.Event) -> bool:
        """Waits for room instead of dropping (a benchmark on a file drops nothing)."""
        with self._cond:
            while len(self._waiting) >= self.depth:
                if stop.is_set():
                    return False
                self._cond.wait(0.05)
            self._waiting.append(frame)
            self.newest = frame
            self._cond.notify_all()
            return True

    def take(self, timeout: float) -> Frame | None:
        """The oldest waiting frame (frames are tracked in order), or None after `timeout` s."""
        with self._cond:
            if not self._waiting:
                self._cond.wait(timeout)
            if not self._waiting:
                return None
            frame = self._waiting.popleft()
            self.taken += 1
            self._cond.notify_all()
            return frame

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    def clear(self) -> None:
        with self._cond:
            self._waiting.clear()
            self.newest = None
            self._cond.notify_all()

    def idle(self, handled: int) -> bool:
        """No frame waiting, and every frame taken has been `handled`."""
        with self._cond:
            return not self._waiting and self.taken == handled


class CaptureThread:
    """Reads a source in thread "signcam-capture" into a FrameSlot.

    realtime: a file is read at its own frame rate, as a camera delivers it. drop: a
    frame the worker has not taken is replaced by the newer one (otherwise capture
    waits for the worker, which is how the benchmark runs a file as fast as it can).
    reopen_every: a camera that fails mid-run (unplugged, taken by another program) is
    reported ("source_lost") and reopened every that many seconds until it delivers again
    ("source_resumed"); without it, the failure ends the thread ("source_failed").
    """

    def __init__(self, source: FrameSource, slot: FrameSlot, stats: Stats | None = None,
                 events: queue.SimpleQueue | None = None, realtime: bool = True, drop: bool = True,
                 gate: threading.Event | None = None, reopen_every: float | None = None):
        self.source, self.slot, self.stats, self.events = source, slot, stats or Stats(), events
        self.realtime, self.drop = realtime, drop
        self.is_camera = bool(getattr(source, "is_camera", False))
        self.reopen_every = reopen_every if self.is_camera else None
        self.last_frame_at = time.perf_counter()  # a camera silent for long is reported by the window
        # Frames are read only once the gate is set (the window: the model is ready, or a video
        # would play unread). The source is opened before that, so a missing file or camera is
        # reported at once, however long the model takes to load.
        self.gate = gate
        self.state = "new"  # new | starting | running | lost | ended | failed | stopped
        self.error: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="signcam-capture", daemon=True)

    def start(self) -> CaptureThread:
        self.state = "starting"
        self._thread.start()
        return self

    def stop(self, timeout: float = 1.0) -> bool:
        self._stop.set()
        return self.join(timeout)

    def join(self, timeout: float | None = None) -> bool:
        if self._thread.is_alive():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _end(self, state: str, kind: str, message: str) -> None:
        self.state = state
        self.error = message if state == "failed" else None
        post(self.events, LiveEvent(kind, message, self))

    def silent_for(self) -> float:
        """Seconds since the last frame of a running source (0 while not running)."""
        return time.perf_counter() - self.last_frame_at if self.state == "running" else 0.0

    def _reopen(self, message: str) -> bool:
        """The camera failed: say so, then reopen it every `reopen_every` s; False if stopped first."""
        self.state = "lost"
        post(self.events, LiveEvent("source_lost", message, self))
        while not self._stop.wait(self.reopen_every):
            self.source.close()
            try:
                self.source.open()
            except (SigncamError, OSError):
                continue
            self.state, self.last_frame_at = "running", time.perf_counter()
            post(self.events, LiveEvent("source_resumed", self.source.name, self))
            return True
        return False

    def _gate_opened(self) -> bool:
        """Wait for the gate, if any; False if the thread is stopped first."""
        while self.gate is not None and not self.gate.wait(0.05):
            if self._stop.is_set():
                return False
        return True

    def _run(self) -> None:
        try:
            self.source.open()
        except (SigncamError, OSError) as exc:
            self._end("failed", "source_failed", str(exc))
            return
        self.state, self.last_frame_at = "running", time.perf_counter()
        post(self.events, LiveEvent("source_opened", self.source.name, self))
        if not self._gate_opened():
            self.state = "stopped"
            self.source.close()
            return
        # A camera paces itself; a file read "live" is paced at its frame rate.
        pace = self.realtime and not self.is_camera
        period = 1.0 / (getattr(self.source, "fps", 0) or 30.0)
        t0, n = time.perf_counter(), 0
        try:
            while not self._stop.is_set():
                if pace and self._stop.wait(max(0.0, t0 + n * period - time.perf_counter())):
                    break
                t = time.perf_counter()
                try:
                    frame = self.source.read()
                except SigncamError as exc:  # e.g. a camera unplugged mid-session
                    if self.reopen_every is None:
                        raise
                    if not self._reopen(str(exc)):
                        break
                    continue
                if frame is None:
                    self._end("ended", "source_ended", Path(self.source.name).name)
                    return
                self.last_frame_at = time.perf_counter()
                n += 1
                decode_ms = (time.perf_counter() - t) * 1e3
                if self.drop:
                    self.stats.captured(decode_ms, self.slot.put(frame))
                elif self.slot.put_when_free(frame, self._stop):
                    self.stats.captured(decode_ms, False)
            self.state = "stopped"
        except SigncamError as exc:  # a source that cannot be read on, with no reopening asked for
            self._end("failed", "source_failed", str(exc))
        finally:
            self.source.close()
