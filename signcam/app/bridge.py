"""Glue between the Qt-free live threads and the window.

The GUI thread never waits on the worker: timers poll the newest frame, the latest
reading, the text and the threads' events, and turn them into signals.
"""
from __future__ import annotations

import queue

from PyQt6.QtCore import QObject, QTimer, pyqtSignal

from ..config import Config
from ..errors import SourceError
from ..live import CaptureThread, FrameSlot, InferenceWorker, LiveEvent, Stats
from ..vision.frames import open_source

REOPEN_CAMERA_S = 3.0  # a lost camera is tried again this often
SILENT_CAMERA_S = 1.5  # a camera silent this long is reported (within 2 s), though its read has not failed


class LiveSession(QObject):
    frame_ready = pyqtSignal(object, object)  # Frame, Reading | None
    text_changed = pyqtSignal(str, int)  # the worker's text, how many of the user's edits it includes
    stats_changed = pyqtSignal(object)  # StatsSnapshot
    problem = pyqtSignal(str, str)  # "source", "model" or "record", a one-line message for the user
    source_started = pyqtSignal(str)
    source_ended = pyqtSignal(str)
    source_lost = pyqtSignal(str)  # a camera stopped mid-run: reopened every REOPEN_CAMERA_S until it is back
    source_resumed = pyqtSignal(str)
    model_loaded = pyqtSignal(str, str)  # message ("name on CPU"), model path

    def __init__(self, config: Config, parent: QObject | None = None, paint_hz: float = 30.0):
        super().__init__(parent)
        self.stats = Stats()
        self.slot = FrameSlot()
        self.events: queue.SimpleQueue[LiveEvent] = queue.SimpleQueue()
        self.worker = InferenceWorker(config, self.slot, self.stats, self.events)
        self.capture: CaptureThread | None = None
        self.source_spec: str | int | None = None
        self._shown: tuple = (None, None)
        self._text_state = (0, "")
        self._silence_reported = False
        self._frame_timer = QTimer(self, interval=round(1000 / paint_hz))
        self._frame_timer.timeout.connect(self._poll)
        self._stats_timer = QTimer(self, interval=500)
        self._stats_timer.timeout.connect(lambda: self.stats_changed.emit(self.stats.snapshot()))

    def start(self) -> None:
        self.worker.start()
        self._frame_timer.start()
        self._stats_timer.start()

    def open_source(self, spec: str | int) -> bool:
        """Switch to a camera index, video file or stream URL; False (and a problem signal) if it cannot be."""
        self._stop_capture()
        self.source_spec = spec
        try:
            source = open_source(spec)
        except SourceError as exc:
            self.problem.emit("source", str(exc))
            return False
        self.worker.new_source()
        # A camera shows its picture at once; a video file waits for the model, or it would play
        # unread. Either is opened now, so a file that cannot be read is reported at once.
        gate = None if getattr(source, "is_camera", False) else self.worker.ready
        self.capture = CaptureThread(source, self.slot, self.stats, self.events, gate=gate,
                                     reopen_every=REOPEN_CAMERA_S).start()
        return True

    def stop(self, timeout: float = 1.0) -> bool:
        """Stop polling and every thread; True if all of them ended within `timeout`."""
        self._frame_timer.stop()
        self._stats_timer.stop()
        capture_ok = self._stop_capture(timeout / 2)
        return self.worker.stop(timeout / 2) and capture_ok

    def _stop_capture(self, timeout: float = 1.0) -> bool:
        stopped = self.capture.stop(timeout) if self.capture else True
        self.capture = None
        self.slot.clear()
        return stopped

    def _poll(self) -> None:
        while True:
            try:
                self._dispatch(self.events.get_nowait())
            except queue.Empty:
                break
        self._watch_camera()
        shown = (self.slot.newest, self.worker.latest)
        if shown[0] is not None and (shown[0] is not self._shown[0] or shown[1] is not self._shown[1]):
            self._shown = shown
            self.frame_ready.emit(*shown)
        if self.worker.text_state != self._text_state:
            self._text_state = self.worker.text_state
            self.text_changed.emit(self._text_state[1], self._text_state[0])

    def _watch_camera(self) -> None:
        """A camera whose read hangs instead of failing: say so after SILENT_CAMERA_S, and clear it when frames come."""
        capture = self.capture
        silent = capture.silent_for() if capture is not None and capture.is_camera else 0.0
        if silent >= SILENT_CAMERA_S and not self._silence_reported:
            self._silence_reported = True
            self.source_lost.emit(f"{capture.source.name} has sent no frame for {SILENT_CAMERA_S:g} s "
                                  "(unplugged, or taken by another program?)")
        elif silent < SILENT_CAMERA_S and self._silence_reported:
            self._silence_reported = False
            if capture is not None and capture.state == "running":
                self.source_resumed.emit(capture.source.name)

    def _dispatch(self, event: LiveEvent) -> None:
        if event.origin is not self.worker and event.origin is not self.capture:
            return  # from a capture replaced since
        if event.kind == "source_opened":
            self.source_started.emit(event.message)
        elif event.kind == "source_ended":
            self.source_ended.emit(event.message)
        elif event.kind == "source_lost":
            self.slot.clear()
            self.source_lost.emit(event.message)
        elif event.kind == "source_resumed":
            self.worker.new_source()  # the smoother's clock starts again; the text is kept
            self.source_resumed.emit(event.message)
        elif event.kind == "source_failed":
            self.slot.clear()
            self.problem.emit("source", event.message)
        elif event.kind == "model_loaded":
            self.model_loaded.emit(event.message, event.path or "")
        elif event.kind == "model_failed":
            kept = f"; still using {self.worker.model_name}" if self.worker.classifier else ""
            self.problem.emit("model", event.message + kept)
        elif event.kind == "record_failed":
            self.problem.emit("record", event.message)
        elif event.kind == "error":
            self.problem.emit("model", event.message)
