"""The real window (offscreen Qt) on real clips, with the bundled model, driven like a user would."""
import json
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")
from PyQt6.QtCore import QSettings, Qt  # noqa: E402
from PyQt6.QtGui import QTextCursor  # noqa: E402
from PyQt6.QtWidgets import QApplication  # noqa: E402

from signcam.app.settings import Settings  # noqa: E402
from signcam.app.window import MainWindow  # noqa: E402


@pytest.fixture
def settings(tmp_path):
    # An .ini file and folders of the test's own, so the user's real preferences and files are never touched.
    s = Settings(QSettings(str(tmp_path / "signcam.ini"), QSettings.Format.IniFormat))
    s.record_dir, s.models_dir = tmp_path / "dataset", tmp_path / "models"
    return s


def our_threads():
    return [t.name for t in threading.enumerate() if t.name.startswith("signcam") and t.is_alive()]


def close_and_check_threads(window):
    """Closing ends every thread of ours. How fast it closes is `signcam bench`'s figure (stop), not a
    timed assert, which a loaded machine would fail."""
    window.close()
    deadline = time.perf_counter() + 30
    while our_threads() and time.perf_counter() < deadline:
        time.sleep(0.05)
    assert our_threads() == []


def test_window_spells_a_clip_takes_edits_switches_source_and_closes(qtbot, teal_dir, model_path, settings):
    window = MainWindow(settings, str(teal_dir / "B.mp4"), model_path)
    qtbot.addWidget(window)
    window.show()
    box = window.text_box
    qtbot.waitUntil(lambda: box.toPlainText() == "B", timeout=300_000)
    assert window.candidates.candidates and window.candidates.candidates[0][0] == "B"
    assert "recognition" in window.stats_label.text() and model_path.name in window.stats_label.text()

    # Paused, nothing more is read; the buttons still edit the text.
    qtbot.mouseClick(window.pause_button, Qt.MouseButton.LeftButton)
    assert window.pause_button.text() == "Resume"
    qtbot.mouseClick(window.space_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: box.toPlainText() == "B ", timeout=120_000)
    box.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(box, "HI")  # the user types into the box
    qtbot.waitUntil(lambda: window.session.worker.text == "B HI", timeout=120_000)
    qtbot.mouseClick(window.backspace_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: box.toPlainText() == "B H", timeout=120_000)
    qtbot.mouseClick(window.copy_button, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == "B H"
    qtbot.keyClick(box, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)  # Clear's shortcut
    qtbot.waitUntil(lambda: box.toPlainText() == "", timeout=120_000)

    # Another clip, then resume: its letter is read into the cleared text.
    window.open_source(str(teal_dir / "L.mp4"))
    qtbot.mouseClick(window.pause_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: box.toPlainText() == "L", timeout=300_000)
    assert window.source_box.currentText() == "L.mp4"
    qtbot.waitUntil(lambda: window.banner.isVisible() and "ended" in window.banner.label.text(), timeout=120_000)
    close_and_check_threads(window)


@pytest.mark.parametrize("how", ["click", "shortcut"])
def test_a_picked_suggestion_replaces_the_word_being_spelled(qtbot, teal_dir, model_path, settings, how):
    window = MainWindow(settings, str(teal_dir / "W.mp4"), model_path)
    qtbot.addWidget(window)
    window.show()
    box = window.text_box
    qtbot.waitUntil(lambda: box.toPlainText() == "W" and len(window.suggestions) >= 2, timeout=300_000)
    assert box.toPlainText() == "W"  # shown, never put in place by themselves
    word = window.suggestions[1]
    button = window.suggestion_buttons[1]
    assert button.isVisible() and word in button.text()
    if how == "click":
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    else:
        qtbot.keyClick(box, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: box.toPlainText() == word + " ")  # the word ends: the next one starts afresh
    close_and_check_threads(window)


def test_window_reports_bad_sources_and_models_and_keeps_running(qtbot, teal_dir, model_path, settings, tmp_path):
    window = MainWindow(settings, "99", model_path)  # a camera that is not there
    qtbot.addWidget(window)
    window.show()
    banner = window.banner.label
    qtbot.waitUntil(lambda: "camera 99" in banner.text() and window.banner.isVisible(), timeout=120_000)
    assert window.banner.retry_button.isVisible()
    qtbot.mouseClick(window.banner.retry_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "camera 99" in banner.text() and window.banner.isVisible(), timeout=120_000)

    window.open_source(str(tmp_path / "missing.mp4"))
    qtbot.waitUntil(lambda: "not found" in banner.text() and window.banner.isVisible(), timeout=120_000)

    qtbot.waitUntil(lambda: window.session.worker.classifier is not None, timeout=300_000)
    broken = tmp_path / "broken.keras"
    broken.write_bytes(b"not a zip file")
    (tmp_path / "labels.json").write_text(json.dumps({"labels": ["A", "B"], "input_size": 160}))
    window.open_model(broken)
    qtbot.waitUntil(lambda: "not a valid model file" in banner.text(), timeout=30_000)
    assert f"still using {model_path.name}" in banner.text()
    assert window.session.worker.classifier.path == model_path
    assert settings.model is None  # a refused model is not remembered

    # The Device menu: a GPU where there is none is refused in the banner, and the model stays on the CPU.
    from signcam.letters.devices import find_gpu
    if find_gpu()[0] is None:
        assert window.device_actions["auto"].isChecked()
        window.device_actions["gpu"].trigger()
        qtbot.waitUntil(lambda: "--device gpu:" in banner.text(), timeout=30_000)
        qtbot.waitUntil(lambda: window.device_actions["auto"].isChecked(), timeout=10_000)
        assert window.session.worker.config.device == "auto" and settings.device == "auto"
        window.device_actions["cpu"].trigger()
        qtbot.waitUntil(lambda: settings.device == "cpu", timeout=60_000)
        worker = window.session.worker
        assert worker.classifier.path == model_path and worker.classifier.device.startswith("CPU")

    # Preferences are saved as they change.
    window.threshold_box.setValue(0.5)
    window.mirror_box.setChecked(False)
    again = Settings(settings.store)
    assert again.threshold == pytest.approx(0.5) and again.mirror is False

    # After all that, the window still reads a good clip.
    window.open_source(str(teal_dir / "Y.mp4"))
    qtbot.waitUntil(lambda: window.text_box.toPlainText() == "Y", timeout=300_000)
    close_and_check_threads(window)


def test_record_mode_saves_labelled_frames_then_retrains_and_switches_model(
        qtbot, teal_dir, model_path, settings, tmp_path, tiny_original_cache):
    from signcam.datasets.recorder import read_manifest

    dataset = settings.record_dir
    settings.signer = "teal"
    settings.record_rate = 30
    window = MainWindow(settings, str(teal_dir / "W.mp4"), model_path)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.session.worker.classifier is not None, timeout=300_000)
    qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)  # Record mode
    panel = window.record_panel
    assert panel.isVisible() and window.text_box.isReadOnly()
    qtbot.keyClick(window, Qt.Key.Key_W)  # a letter key picks the label
    assert panel.label_box.currentText() == "W"
    qtbot.keyClick(window, Qt.Key.Key_Return)  # one key starts recording ...
    assert panel.is_recording
    qtbot.waitUntil(lambda: panel.recording.counts()[0] >= 15, timeout=30_000)
    assert window.video.badge.startswith("● REC W")
    qtbot.keyClick(window, Qt.Key.Key_Return)  # ... and stops it
    assert not panel.is_recording
    saved = panel.recording.counts()[0]
    time.sleep(0.3)
    assert panel.recording.counts()[0] == saved  # nothing more once stopped
    entries = read_manifest(dataset)
    assert len(entries) == saved and all(e["label"] == "W" and (dataset / e["file"]).is_file() for e in entries)
    qtbot.waitUntil(lambda: f"W: {saved} this session, {saved} in total" in panel.counts.text())

    # Retrain in the background, then switch to the new model without restarting.
    settings.train_data = [tiny_original_cache]
    window.open_retrain()
    dialog = window.retrain_dialog
    dialog.epochs.setValue(1)
    dialog.start()
    qtbot.waitUntil(lambda: dialog.use_button.isEnabled() or "failed" in dialog.status.text(), timeout=1_200_000)
    assert dialog.use_button.isEnabled(), dialog.status.text()
    assert "W:" in dialog.status.text() and "previous one is kept" in dialog.status.text()
    new_model = dialog.result["model"]
    assert model_path.is_file() and new_model != str(model_path)
    assert Path(new_model).parent == settings.models_dir
    qtbot.mouseClick(dialog.use_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: str(window.session.worker.classifier.path) == new_model, timeout=300_000)
    qtbot.waitUntil(lambda: settings.model == Path(new_model))  # remembered, like File → Open model…
    close_and_check_threads(window)
