"""Live recognition off the GUI thread: a capture thread, an inference worker and their stats.

Qt-free, so the window, the benchmark and the tests all drive these same classes.
May import everything below it (pipeline, headless, the three parts, datasets, the foundation);
never signcam.app, and never Qt.

    CaptureThread --FrameSlot (3 frames, the oldest dropped)--> InferenceWorker: track thread --pending--> model thread
"""
from .cameras import available_cameras
from .capture import CaptureThread, FrameSlot
from .events import LiveEvent
from .recording import LiveRecording
from .stats import Stats, StatsSnapshot
from .worker import InferenceWorker, warm_up

__all__ = ["available_cameras", "CaptureThread", "FrameSlot", "InferenceWorker", "LiveEvent", "LiveRecording", "Stats",
           "StatsSnapshot", "warm_up"]
