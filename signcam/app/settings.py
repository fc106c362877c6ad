"""The user's preferences, kept between sessions in QSettings."""
from __future__ import annotations

from pathlib import Path

from PyQt6.QtCore import QSettings, QStandardPaths

from ..config import Config
from ..letters.devices import DEVICES


_DEFAULTS = Config()


class _Value:
    """One typed preference: read with a fallback (a hand-edited or older settings file), stored as `kind`."""

    def __init__(self, default, kind):
        self.default, self.kind = default, kind

    def __set_name__(self, owner, name: str) -> None:
        self.key = name

    def __get__(self, settings, owner=None):
        if settings is None:
            return self
        return settings._get(self.key, self.default, self.kind)

    def __set__(self, settings, value) -> None:
        settings.store.setValue(self.key, self.kind(value))


class Settings:
    """Typed access to QSettings; pass a QSettings of your own (e.g. an .ini file) to keep tests apart."""

    camera = _Value(0, int)
    threshold = _Value(_DEFAULTS.smoothing.threshold, float)
    hold_time = _Value(_DEFAULTS.spelling.hold_time, float)
    signer = _Value("me", str)  # who is signing, for Record mode's file names
    record_rate = _Value(5.0, float)  # frames saved per second in Record mode
    device = _Value(_DEFAULTS.device, str)  # where the letter model runs: auto, cpu or gpu

    def __init__(self, store: QSettings | None = None):
        self.store = store if store is not None else QSettings("signcam", "signcam")

    def _get(self, key: str, default, kind):
        try:
            return kind(self.store.value(key, default))
        except (TypeError, ValueError):  # a hand-edited or older settings file: fall back
            return default

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

    def config(self, model: Path | None = None, device: str | None = None) -> Config:
        """A Config with the saved preferences; `model` and `device` (e.g. from the command line) win
        over the saved ones."""
        saved = self.device if self.device in DEVICES else _DEFAULTS.device
        config = Config(model=model or self.model, device=device or saved)
        config.smoothing.threshold = config.spelling.threshold = self.threshold
        config.spelling.hold_time = self.hold_time
        return config

    def sync(self) -> None:
        self.store.sync()
