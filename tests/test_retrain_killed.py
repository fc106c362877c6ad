"""A retraining killed from outside part-way: the window's dialog says so, nothing half-made is offered."""
import hashlib
import os
import signal

import pytest

pytest.importorskip("pytestqt")
from PyQt6.QtCore import QProcess, QSettings  # noqa: E402

from signcam.app.retrain_dialog import RetrainDialog  # noqa: E402
from signcam.app.settings import Settings  # noqa: E402
from signcam.config import Config  # noqa: E402
from signcam.datasets.recorder import Recorder  # noqa: E402
from signcam.headless import record_source  # noqa: E402
from signcam.letters.bundled import BUNDLED_KERAS  # noqa: E402


def test_retrain_dialog_killed_mid_run_says_what_happened_and_keeps_the_model(
        qtbot, teal_dir, tmp_path, tiny_original_cache):
    recorded = tmp_path / "dataset"
    with Recorder(recorded, "teal", rate=30) as recorder:
        assert record_source(str(teal_dir / "W.mp4"), recorder, "W", Config(), max_images=8) == 8
    settings = Settings(QSettings(str(tmp_path / "signcam.ini"), QSettings.Format.IniFormat))
    settings.models_dir, settings.train_data = tmp_path / "models", [tiny_original_cache]
    before = hashlib.sha256(BUNDLED_KERAS.read_bytes()).hexdigest()
    dialog = RetrainDialog(settings, BUNDLED_KERAS, recorded)
    qtbot.addWidget(dialog)
    dialog.epochs.setValue(3)
    dialog.start()
    # Part-way: once it has started its work (its first output: reading the data, or training), it is
    # killed, as by the OOM killer. On a loaded machine TensorFlow's import alone can take minutes.
    qtbot.waitUntil(lambda: bool(dialog.log.toPlainText().strip()) or dialog.status.text().startswith("Retraining: ")
                    or dialog.process.state() == QProcess.ProcessState.NotRunning, timeout=600_000)
    assert dialog.process.state() != QProcess.ProcessState.NotRunning, dialog.log.toPlainText()[-2000:]
    os.kill(dialog.process.processId(), signal.SIGKILL)
    qtbot.waitUntil(lambda: "stopped before it finished" in dialog.status.text(), timeout=60_000)
    assert "model in use is unchanged" in dialog.status.text()
    assert not dialog.use_button.isEnabled() and dialog.start_button.isEnabled() and dialog.result is None
    assert hashlib.sha256(BUNDLED_KERAS.read_bytes()).hexdigest() == before
    models = settings.models_dir
    assert not models.exists() or not list(models.glob("*.keras"))  # nothing model-like left to open
