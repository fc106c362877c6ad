"""The user's preferences, kept between sessions in QSettings."""
from __future__ import annotations

from pathlib import Path

from PyQt6.QtCore import QSettings

from ..config import Config


class Settings:
    """Typed access to QSettings; pass a QSettings of your own (e.g. an .ini file) to keep tests apart."""

    def __init__(self, store: QSettings | None = None):
        self.store = store if store is not None else QSettings("signcam", "signcam")
        defaults = Config()
        self._default_threshold = defaults.smoothing.threshold
        self._default_hold = defaults.spelling.hold_time

    def _get(self, key: str, default, kind):
        try:
            return kind(self.store.value(key, default))
        except (TypeError, ValueError):  # a hand-edited or older settings file: fall back
            return default

    @property
    def camera(self) -> int:
        return self._get("camera", 0, int)

    @camera.setter
    def camera(self, index: int) -> None:
        self.store.setValue("camera", int(index))

    @property
    def threshold(self) -> float:
        return self._get("threshold", self._default_threshold, float)

    @threshold.setter
    def threshold(self, value: float) -> None:
        self.store.setValue("threshold", float(value))

    @property
    def hold_time(self) -> float:
        return self._get("hold_time", self._default_hold, float)

    @hold_time.setter
    def hold_time(self, seconds: float) -> None:
        self.store.setValue("hold_time", float(seconds))

    @property
    def mirror(self) -> bool:
        # QSettings' ini files give booleans back as "true"/"false" strings.
        return str(self.store.value("mirror", True)).lower() in ("true", "1")

    @mirror.setter
    def mirror(self, on: bool) -> None:
        self.store.setValue("mirror", bool(on))

    @property
    def model(self) -> Path | None:
        """The model file last opened, if it is still there (else None: the bundled model)."""
        value = self._get("model", "", str)
        return Path(value) if value and Path(value).is_file() else None

    @model.setter
    def model(self, path: Path | str | None) -> None:
        self.store.setValue("model", str(path) if path else "")

    def config(self, model: Path | None = None) -> Config:
        """A Config with the saved preferences; `model` (e.g. from the command line) wins over the saved one."""
        config = Config(model=model or self.model)
        config.smoothing.threshold = self.threshold
        config.spelling.hold_time = self.hold_time
        return config

    def sync(self) -> None:
        self.store.sync()
