"""Speak: works through an engine when there is one, and is cleanly off (saying why) when not."""
import sys
import threading

import pytest

from signcam.spelling import speech
from signcam.spelling.speech import Speaker


def test_without_an_engine_speaker_is_off_and_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "pyttsx3", None)  # import pyttsx3 fails
    speaker = Speaker()
    assert not speaker.available and "install" in speaker.missing and "pyttsx3" in speaker.missing
    assert speaker.say("hello") is False  # nothing raised, nothing started
    assert not [t for t in threading.enumerate() if t.name == "signcam-speech"]


def test_without_espeak_on_linux_speaker_is_off(monkeypatch):
    monkeypatch.setattr(speech.sys, "platform", "linux")
    monkeypatch.setattr(speech.shutil, "which", lambda name: None)
    pytest.importorskip("pyttsx3")
    assert "espeak-ng" in speech.engine_problem()


def test_speaker_speaks_through_the_engine_in_its_own_thread():
    said, done = [], threading.Event()

    class Engine:
        def say(self, text):
            said.append(text)

        def runAndWait(self):
            done.set()

    speaker = Speaker(engine_factory=Engine)
    assert speaker.say("  HELLO   WORLD ")
    assert done.wait(2.0) and said == ["HELLO WORLD"]
    speaker.close()


def test_the_window_disables_speak_without_an_engine(qtbot, monkeypatch, tmp_path):
    pytest.importorskip("pytestqt")
    from PyQt6.QtCore import QSettings

    from signcam.app import window as window_module
    from signcam.app.settings import Settings

    monkeypatch.setattr(window_module.Speaker, "__init__", lambda self: (
        setattr(self, "missing", "No speech engine: install espeak-ng"), setattr(self, "_thread", None))[0])
    settings = Settings(QSettings(str(tmp_path / "signcam.ini"), QSettings.Format.IniFormat))
    settings.record_dir, settings.models_dir = tmp_path / "dataset", tmp_path / "models"
    w = window_module.MainWindow(settings, str(tmp_path / "missing.mp4"))
    qtbot.addWidget(w)
    assert not w.speak_button.isEnabled() and "install espeak-ng" in w.speak_button.toolTip()
    assert not w.speak_words_box.isEnabled()
    w.speak_text()  # the shortcut's slot does nothing, raises nothing
    qtbot.waitUntil(w.session.worker.ready.is_set, timeout=120000)  # start-up over, then close
    w.close()
