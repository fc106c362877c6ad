"""The inference side: MediaPipe in one thread, the batched classifier, smoother and speller in another."""
from __future__ import annotations

import queue
import threading
import time
from pathlib import Path

import numpy as np

from ..config import Config
from ..errors import SigncamError
from ..headless import make_tracker
from ..letters.classifier import load_classifier
from ..pipeline import Located, Reading, Recognizer
from ..quiet import native_stderr_silenced
from ..spelling.speller import Speller
from ..spelling.words import shared_suggester
from .capture import FrameSlot
from .events import LiveEvent, post
from .stats import Stats


def warm_up(classifier, sizes=(1, 2, 4)) -> None:
    """The first calls of a compiled model trace and allocate; pay for that before the first frame."""
    s = classifier.info.input_size
    for n in sizes:
        classifier.predict_batch(np.zeros((n, s, s, 3), np.uint8), np.zeros((n, 21, 3), np.float32))


class InferenceWorker:
    """Tracks every frame it takes; classifies the crops that piled up meanwhile in one model call.

    Thread "signcam-track" runs MediaPipe on the newest frame. Thread "signcam-model"
    builds the classifier inside itself, warms it up, then takes every located frame
    waiting, classifies their crops in one batch and feeds smoother and speller in
    frame order. Requests from other threads (edits, pause, new model, new source)
    are queued and run by the model thread, the only one touching smoother and speller.
    """

    def __init__(self, config: Config, slot: FrameSlot, stats: Stats | None = None,
                 events: queue.SimpleQueue | None = None, max_batch: int = 8, video: bool = True):
        self.config, self.slot, self.stats, self.events = config, slot, stats or Stats(), events
        self.max_batch, self.video = max_batch, video
        self.latest: Reading | None = None  # the newest reading (None while paused)
        # (user edits applied, the speller's text), published together by the model thread so a
        # window can tell a text that does not yet include the user's latest typing.
        self.text_state: tuple[int, str] = (0, "")
        self._edits_applied = 0
        self.paused = False
        self.recording = None  # a LiveRecording while the window's Record mode is open
        self.classifier = None
        self._asked_model = config.model  # what was asked for (None: the default for the device)
        self.ready = threading.Event()  # start-up is over, the model loaded or not
        self._stop = threading.Event()
        self._tracker = None
        self._recognizer: Recognizer | None = None
        self._speller = Speller(config.spelling)  # replaced by each recognizer's, keeping the text
        self._pending: list[tuple[Recognizer, Located]] = []
        self._cond = threading.Condition()
        self._handled = 0  # frames taken from the slot and done with (read or skipped)
        self._last_error = ""
        self._requests: queue.SimpleQueue = queue.SimpleQueue()
        self._threads = [threading.Thread(target=self._track_loop, name="signcam-track", daemon=True),
                         threading.Thread(target=self._model_loop, name="signcam-model", daemon=True)]

    # ---- called from any thread
    def start(self) -> InferenceWorker:
        for thread in self._threads:
            thread.start()
        return self

    def stop(self, timeout: float = 1.0) -> bool:
        self._stop.set()
        deadline = time.perf_counter() + timeout
        for thread in self._threads:
            if thread.is_alive():
                thread.join(max(0.0, deadline - time.perf_counter()))
        if any(thread.is_alive() for thread in self._threads):
            return False
        if self._tracker is not None:  # closed here: the track thread used it, the model thread made it
            self._tracker.close()
            self._tracker = None
        return True

    @property
    def text(self) -> str:
        return self.text_state[1]

    @property
    def backlog(self) -> int:
        """Located frames waiting for the model thread."""
        return len(self._pending)

    @property
    def model_name(self) -> str:
        return self.classifier.path.name if self.classifier else "no model"

    @property
    def landmarks_name(self) -> str:
        """The landmark model the tracker runs itself, or MediaPipe's graph where it does not."""
        path = getattr(self._tracker, "model_path", None)
        return path.name if path else "MediaPipe's graph"

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every frame put in the slot has been read (or skipped)."""
        deadline = time.perf_counter() + timeout
        while not self.slot.idle(self._handled):
            if time.perf_counter() > deadline:
                return False
            time.sleep(0.01)
        return True

    def sync(self, timeout: float = 5.0) -> bool:
        """Wait until the model thread has run every request made so far."""
        done = threading.Event()
        self._requests.put(done.set)
        return done.wait(timeout)

    def edit(self, symbol: str) -> None:
        self._requests.put(lambda: self._speller.edit(symbol))

    def clear(self) -> None:
        self._requests.put(lambda: self._speller.clear())

    def accept(self, word: str) -> None:
        """The user picked a suggestion: it replaces the word being spelled."""
        self._requests.put(lambda: self._speller.accept(word))

    def set_text(self, text: str, seen: str | None = None, edit: int = 0) -> None:
        """The user's edit number `edit` of the text they saw as `seen`: letters committed meanwhile stay after it."""
        def apply() -> None:
            current = self._speller.text
            late = current[len(seen):] if seen is not None and current.startswith(seen) else ""
            self._speller.text = text + late
            self._edits_applied = edit
        self._requests.put(apply)

    def set_threshold(self, value: float) -> None:
        def apply() -> None:
            self.config.smoothing.threshold = self.config.spelling.threshold = value
        self._requests.put(apply)

    def set_hold_time(self, seconds: float) -> None:
        self._requests.put(lambda: setattr(self.config.spelling, "hold_time", seconds))

    def set_paused(self, paused: bool) -> None:
        self.paused = paused
        self._requests.put(self._restart)  # resume with fresh timing: time went on meanwhile

    def new_source(self) -> None:
        """The next frames come from another source, whose clock starts again."""
        self._requests.put(self._restart)

    def load_model(self, path: str | Path) -> None:
        def apply() -> None:
            if self._switch_model(Path(path)) is not None:
                self._asked_model = Path(path)  # a model refused is not what a device change reloads
        self._requests.put(apply)

    def set_device(self, device: str) -> None:
        """Run the model asked for (not the .keras one a GPU took instead of its export) on `device`;
        if it cannot run there (gpu with none), the model and device there were stay."""
        def apply() -> None:
            classifier = self._load(self._asked_model, device)
            if classifier is not None and self._tracker is not None:
                self.config.device = device
                self._use(classifier)
        self._requests.put(apply)

    def use_profile(self, wrap) -> None:
        """From the next frame, read through `wrap(base classifier)` (a person's calibration profile,
        signcam/profiles/); None reads through the base model alone."""
        def apply() -> None:
            if self.classifier is not None:
                base = getattr(self.classifier, "base", self.classifier)
                self._use(wrap(base) if wrap else base)
        self._requests.put(apply)

    def _done(self, frames: int) -> None:
        with self._cond:
            self._handled += frames

    def _report_error(self, exc: Exception) -> None:
        message = f"recognition failed: {type(exc).__name__}: {exc}"
        if message != self._last_error:  # once, not for every frame that fails the same way
            self._last_error = message
            post(self.events, LiveEvent("error", message, self))

    # ---- run by the model thread
    def _publish_text(self) -> None:
        self.text_state = (self._edits_applied, self._speller.text)

    def _restart(self) -> None:
        """A fresh smoother and speller (keeping the text); frames located before are discarded."""
        if self.classifier is not None and self._tracker is not None:
            self._install_recognizer(self.classifier)
        self.latest = None

    def _install_recognizer(self, classifier) -> None:
        recognizer = Recognizer(classifier, self._tracker, self.config)
        recognizer.speller.carry_from(self._speller)
        self._speller, self._recognizer = recognizer.speller, recognizer

    def _load(self, path: Path | None, device: str | None = None):
        """The classifier at `path` on `device` (default: the configured one), warmed up; None (and a
        model_failed event) if it cannot be used."""
        try:
            classifier = load_classifier(path, device or self.config.device)
            # Every power of two up to max_batch: the shapes JAX compiles batches of 1..max_batch to.
            warm_up(classifier, sorted({1, 2, 4, self.max_batch}))
            if self.config.suggestions:
                shared_suggester()  # the word list is read here, at start-up, not at the first letter
            return classifier
        except SigncamError as exc:
            post(self.events, LiveEvent("model_failed", str(exc), self))
        except Exception as exc:  # noqa: BLE001  a file that loads but cannot run is a bad model file too
            post(self.events, LiveEvent("model_failed", f"cannot run model {path}: {exc}", self))
        return None

    def _use(self, classifier) -> None:
        self.classifier = classifier
        self.config.model = classifier.path
        self._install_recognizer(classifier)
        post(self.events, LiveEvent("model_loaded", f"{classifier.path.name} on {classifier.device}",
                                     self, str(classifier.path)))

    def _switch_model(self, path: Path):
        """The classifier now in use if `path` loaded, else None (the model there was stays)."""
        classifier = self._load(path)
        if classifier is None or self._tracker is None:
            return None
        self._use(classifier)
        return classifier

    def _start_up(self) -> None:
        """Model, then tracker, one after the other in this thread: both hide native start-up
        chatter by swapping fd 2, which two threads must not do at once."""
        classifier = self._load(self.config.model)
        try:
            with native_stderr_silenced():  # MediaPipe logs as it builds its graph
                self._tracker = make_tracker(self.config, video=self.video)
        except Exception as exc:  # noqa: BLE001  MediaPipe failing to start must not kill the window
            post(self.events, LiveEvent("model_failed", f"hand tracker failed to start: {exc}", self))
            return
        if classifier is not None:
            self._use(classifier)

    def _model_loop(self) -> None:
        self._start_up()
        self.ready.set()
        while not self._stop.is_set():
            while not self._requests.empty():
                self._requests.get()()
                self._publish_text()
            with self._cond:
                if not self._pending:
                    self._cond.wait(0.05)
                batch, self._pending = self._pending, []
                self._cond.notify_all()
            if batch:
                self._read(batch)

    def _read(self, batch: list[tuple[Recognizer, Located]]) -> None:
        recognizer = self._recognizer
        current = [located for owner, located in batch if owner is recognizer and not self.paused]
        try:
            for located, probs in zip(current, self._classify(recognizer, current)):
                reading = recognizer.interpret(located, probs)
                self.stats.read(reading)
                self.latest = reading
        except Exception as exc:  # noqa: BLE001  a batch that fails must not end recognition
            self._report_error(exc)
        self._publish_text()
        self._done(len(batch))

    def _classify(self, recognizer: Recognizer, batch: list[Located]) -> list[np.ndarray | None]:
        """One model call; past max_batch crops, evenly spaced ones stand in for their neighbours."""
        with_crop = [i for i, x in enumerate(batch) if x.hand is not None]
        chosen = with_crop
        if len(with_crop) > self.max_batch:
            step = (len(with_crop) - 1) / (self.max_batch - 1)
            chosen = [with_crop[round(k * step)] for k in range(self.max_batch)]
        if not chosen:
            return [None] * len(batch)
        t0 = time.perf_counter()
        sent, reused = recognizer.model_inputs, recognizer.reused
        probs = dict(zip(chosen, recognizer.classify([batch[i] for i in chosen])))
        self.stats.model_call(recognizer.model_inputs - sent, recognizer.reused - reused,
                              (time.perf_counter() - t0) * 1e3)
        out, last = [], probs[chosen[0]]
        for i, located in enumerate(batch):
            last = probs.get(i, last)
            out.append(last if located.hand is not None else None)
        return out

    # ---- run by the track thread
    def _record(self, recording, located: Located) -> None:
        try:
            recording.offer(located.frame, located.hand)
        except Exception as exc:  # noqa: BLE001  e.g. a full disk: stop recording, say why once, keep reading
            recording.on = False
            post(self.events, LiveEvent("record_failed", f"recording stopped: {exc}", self))

    def _track_loop(self) -> None:
        while not self._stop.is_set():
            frame = self.slot.take(timeout=0.1)
            if frame is None:
                continue
            recognizer = self._recognizer
            if recognizer is None or self.paused:  # still loading, or paused: skip, don't let frames pile up
                self._done(1)
                continue
            try:
                located = recognizer.locate(frame)
            except Exception as exc:  # noqa: BLE001  a frame that fails must not end recognition
                self._report_error(exc)
                self._done(1)
                continue
            self.stats.located(located)
            recording = self.recording  # one read: the window may set it to None meanwhile
            if recording is not None:
                self._record(recording, located)
            with self._cond:
                # Bounded: when the model falls behind, tracking waits and capture drops frames.
                while len(self._pending) >= 2 * self.max_batch and not self._stop.is_set():
                    self._cond.wait(0.05)
                self._pending.append((recognizer, located))
                self._cond.notify_all()
