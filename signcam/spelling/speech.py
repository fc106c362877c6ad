"""Reading the text aloud with the system's offline speech engine (pyttsx3 over espeak-ng on Linux,
SAPI5 on Windows, NSSpeechSynthesizer on macOS).

Finding no engine is a normal state, never an error at start-up: `Speaker.available` is False and
`Speaker.missing` says what to install. Speech runs in its own thread so the caller never waits.
"""
from __future__ import annotations

import queue
import shutil
import sys
import threading

INSTALL_HINT = {"linux": "install espeak-ng (e.g. sudo apt-get install espeak-ng) and pyttsx3 (pip install pyttsx3)",
                "win32": "install pyttsx3 (pip install pyttsx3)", "darwin": "install pyttsx3 (pip install pyttsx3)"}


def engine_problem() -> str | None:
    """None when speech can work here; otherwise what to install, in one line."""
    hint = INSTALL_HINT.get(sys.platform, INSTALL_HINT["linux"])
    try:
        import pyttsx3  # noqa: F401  (only whether it is there)
    except ImportError:
        return f"No speech engine: {hint}"
    if sys.platform.startswith("linux") and not (shutil.which("espeak-ng") or shutil.which("espeak")):
        return f"No speech engine: {hint}"
    return None


class Speaker:
    def __init__(self, engine_factory=None):
        self.missing = engine_problem() if engine_factory is None else None
        self._factory = engine_factory
        self._queue: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    @property
    def available(self) -> bool:
        return self.missing is None

    def say(self, text: str) -> bool:
        """Queue `text` to be spoken; False when there is no engine or nothing to say."""
        text = " ".join(text.split())
        if not self.available or not text:
            return False
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="signcam-speech", daemon=True)
            self._thread.start()
        self._queue.put(text)
        return True

    def _make_engine(self):
        if self._factory is not None:
            return self._factory()
        import pyttsx3
        return pyttsx3.init()

    def _run(self) -> None:
        try:
            engine = self._make_engine()
        except Exception as exc:  # noqa: BLE001  a broken engine is reported, not raised in a thread
            self.missing = f"Speech engine failed to start: {exc}"
            return
        while (text := self._queue.get()) is not None:
            try:
                engine.say(text)
                engine.runAndWait()
            except Exception as exc:  # noqa: BLE001
                self.missing = f"Speech engine failed: {exc}"
                return

    def close(self, timeout: float = 1.0) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout)
            self._thread = None
