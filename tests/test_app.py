"""The real window (offscreen Qt) on real clips, with the bundled model, driven like a user would."""
import json
import threading
import time

import pytest

pytest.importorskip("pytestqt")
from PyQt6.QtCore import QSettings, Qt  # noqa: E402
from PyQt6.QtGui import QTextCursor  # noqa: E402
from PyQt6.QtWidgets import QApplication  # noqa: E402

from signcam.app.settings import Settings  # noqa: E402
from signcam.app.window import MainWindow  # noqa: E402


@pytest.fixture
def settings(tmp_path):
    # An .ini file of the test's own, so the user's real preferences are never touched.
    return Settings(QSettings(str(tmp_path / "signcam.ini"), QSettings.Format.IniFormat))


def our_threads():
    return [t.name for t in threading.enumerate() if t.name.startswith("signcam") and t.is_alive()]


def close_within_a_second(window):
    t0 = time.perf_counter()
    window.close()
    assert time.perf_counter() - t0 < 1.0
    assert our_threads() == []


def test_window_spells_a_clip_takes_edits_switches_source_and_closes(qtbot, teal_dir, model_path, settings):
    window = MainWindow(settings, str(teal_dir / "B.mp4"), model_path)
    qtbot.addWidget(window)
    window.show()
    box = window.text_box
    qtbot.waitUntil(lambda: box.toPlainText() == "B", timeout=60_000)
    assert window.candidates.candidates and window.candidates.candidates[0][0] == "B"
    assert "recognition" in window.stats_label.text() and model_path.name in window.stats_label.text()

    # Paused, nothing more is read; the buttons still edit the text.
    qtbot.mouseClick(window.pause_button, Qt.MouseButton.LeftButton)
    assert window.pause_button.text() == "Resume"
    qtbot.mouseClick(window.space_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: box.toPlainText() == "B ")
    box.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(box, "HI")  # the user types into the box
    qtbot.waitUntil(lambda: window.session.worker.text == "B HI")
    qtbot.mouseClick(window.backspace_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: box.toPlainText() == "B H")
    qtbot.mouseClick(window.copy_button, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == "B H"
    qtbot.keyClick(box, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)  # Clear's shortcut
    qtbot.waitUntil(lambda: box.toPlainText() == "")

    # Another clip, then resume: its letter is read into the cleared text.
    window.open_source(str(teal_dir / "L.mp4"))
    qtbot.mouseClick(window.pause_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: box.toPlainText() == "L", timeout=60_000)
    assert window.source_box.currentText() == "L.mp4"
    qtbot.waitUntil(lambda: window.banner.isVisible() and "ended" in window.banner.label.text(), timeout=20_000)
    close_within_a_second(window)


def test_window_reports_bad_sources_and_models_and_keeps_running(qtbot, teal_dir, model_path, settings, tmp_path):
    window = MainWindow(settings, "99", model_path)  # a camera that is not there
    qtbot.addWidget(window)
    window.show()
    banner = window.banner.label
    qtbot.waitUntil(lambda: "camera 99" in banner.text() and window.banner.isVisible(), timeout=20_000)
    assert window.banner.retry_button.isVisible()
    qtbot.mouseClick(window.banner.retry_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "camera 99" in banner.text() and window.banner.isVisible(), timeout=20_000)

    window.open_source(str(tmp_path / "missing.mp4"))
    qtbot.waitUntil(lambda: "not found" in banner.text() and window.banner.isVisible())

    qtbot.waitUntil(lambda: window.session.worker.classifier is not None, timeout=60_000)
    broken = tmp_path / "broken.keras"
    broken.write_bytes(b"not a zip file")
    (tmp_path / "labels.json").write_text(json.dumps({"labels": ["A", "B"], "input_size": 160}))
    window.open_model(broken)
    qtbot.waitUntil(lambda: "cannot load model" in banner.text(), timeout=30_000)
    assert f"still using {model_path.name}" in banner.text()
    assert window.session.worker.classifier.path == model_path
    assert settings.model is None  # a refused model is not remembered

    # Preferences are saved as they change.
    window.threshold_box.setValue(0.5)
    window.mirror_box.setChecked(False)
    again = Settings(settings.store)
    assert again.threshold == pytest.approx(0.5) and again.mirror is False

    # After all that, the window still reads a good clip.
    window.open_source(str(teal_dir / "Y.mp4"))
    qtbot.waitUntil(lambda: window.text_box.toPlainText() == "Y", timeout=60_000)
    close_within_a_second(window)
