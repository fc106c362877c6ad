"""Messages the live threads send to whoever drives them (the window, the benchmark)."""
from __future__ import annotations

import queue
from dataclasses import dataclass


@dataclass
class LiveEvent:
    kind: str  # source_opened | source_ended | source_failed | source_lost | source_resumed | model_loaded | model_failed | record_failed | error
    message: str
    origin: object = None  # the CaptureThread or InferenceWorker that sent it
    path: str | None = None  # the model file, for model_loaded


def post(events: queue.SimpleQueue | None, event: LiveEvent) -> None:
    if events is not None:
        events.put(event)

