"""The user's preferences, kept between sessions in QSettings."""
from __future__ import annotations

from pathlib import Path

from PyQt6.QtCore import QSettings, QStandardPaths

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

    @property
    def record_dir(self) -> Path:
        """Where Record mode saves (folder per label, manifest.jsonl)."""
        return Path(self._get("record_dir", str(Path.home() / "signcam-data"), str))

    @record_dir.setter
    def record_dir(self, path: Path | str) -> None:
        self.store.setValue("record_dir", str(path))

    @property
    def signer(self) -> str:
        return self._get("signer", "me", str)

    @signer.setter
    def signer(self, name: str) -> None:
        self.store.setValue("signer", name)

    @property
    def record_rate(self) -> float:
        return self._get("record_rate", 5.0, float)

    @record_rate.setter
    def record_rate(self, per_second: float) -> None:
        self.store.setValue("record_rate", float(per_second))

    @property
    def models_dir(self) -> Path:
        """Where retrained models go: beside the settings, never inside the dataset folder."""
        default = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation) or str(Path.home())
        return Path(self._get("models_dir", str(Path(default) / "models"), str))

    @models_dir.setter
    def models_dir(self, path: Path | str) -> None:
        self.store.setValue("models_dir", str(path))

    @property
    def train_data(self) -> list[Path]:
        """The original training data (prepared caches) that retraining mixes with the recorded frames."""
        value = self._get("train_data", "", str)
        return [Path(p) for p in value.split("\n") if p]

    @train_data.setter
    def train_data(self, paths: list[Path | str]) -> None:
        self.store.setValue("train_data", "\n".join(str(p) for p in paths))

    def config(self, model: Path | None = None) -> Config:
        """A Config with the saved preferences; `model` (e.g. from the command line) wins over the saved one."""
        config = Config(model=model or self.model)
        config.smoothing.threshold = self.threshold
        config.spelling.hold_time = self.hold_time
        return config

    def sync(self) -> None:
        self.store.sync()
