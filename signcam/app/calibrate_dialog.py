"""Calibrate…: the guided walk through the alphabet, then the adaptation in the background.

The walk (signcam/profiles/walk.py) is fed by the worker's track thread, as Record mode is; this
dialog only shows its state and passes on the buttons. The video keeps playing in the window.
Adapting runs in a thread with its own copy of the base model (the worker's is busy reading).
"""
from __future__ import annotations

import threading
import time
from pathlib import Path

from PyQt6.QtCore import Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QFont
from PyQt6.QtWidgets import QDialog, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout

from ..errors import SigncamError
from ..profiles.walk import HANDSHAPES, CalibrationWalk

DONE_STYLE = "color: #1b5e20; font-weight: bold;"


class CalibrateDialog(QDialog):
    adapted = pyqtSignal(str)  # the profile's name, once its adaptation is saved

    def __init__(self, worker, profile, base_model: Path, parent=None, countdown: float = 3.0,
                 frames_per_letter: int = 15, letters=None):
        super().__init__(parent)
        self.setWindowTitle(f"Calibrate: {profile.name}")
        self.worker, self.profile, self.base_model = worker, profile, base_model
        kwargs = {"letters": letters} if letters else {}
        self.walk = CalibrationWalk(profile, frames_per_letter=frames_per_letter, countdown=countdown,
                                    motion=worker.config.spelling.motion, **kwargs)
        self.result: dict | None = None
        self.error: str | None = None
        self._thread: threading.Thread | None = None

        self.letter = QLabel()
        self.letter.setFont(QFont(self.font().family(), 96, QFont.Weight.Bold))
        self.letter.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.shape = QLabel()
        self.shape.setWordWrap(True)
        self.shape.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.state = QLabel()
        self.state.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.state.setFont(QFont(self.font().family(), 14))
        self.state.setWordWrap(True)
        self.frames_bar = QProgressBar()
        self.frames_bar.setFormat("frames %v/%m")
        self.letters_bar = QProgressBar()
        self.letters_bar.setFormat("letter %v of %m")
        self.strip = QLabel()
        self.strip.setTextFormat(Qt.TextFormat.RichText)
        self.strip.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.redo_button = QPushButton("Redo (R)")
        self.skip_button = QPushButton("Skip (S)")
        self.stop_button = QPushButton("Stop and adapt")
        self.close_button = QPushButton("Close")
        self.redo_button.setShortcut("R")
        self.skip_button.setShortcut("S")
        self.redo_button.clicked.connect(lambda: self.walk.redo())
        self.skip_button.clicked.connect(self.walk.skip)
        self.stop_button.clicked.connect(self.walk.stop)
        self.close_button.clicked.connect(self.close)
        self.close_button.hide()
        buttons = QHBoxLayout()
        for b in (self.redo_button, self.skip_button, self.stop_button, self.close_button):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        for w in (self.letter, self.shape, self.state, self.frames_bar, self.letters_bar, self.strip):
            layout.addWidget(w)
        layout.addLayout(buttons)
        self.setFixedWidth(460)  # long messages wrap instead of widening the dialog off the screen

        worker.recording = self.walk
        self._timer = QTimer(self, interval=100)
        self._timer.timeout.connect(self._refresh)
        self._timer.start()
        self._refresh()

    # ---- the walk
    def _refresh(self) -> None:
        p = self.walk.progress()
        self.letters_bar.setRange(0, p.total)
        self.letters_bar.setValue(len(p.done))
        marks = []
        for c in self.walk.letters:
            style = DONE_STYLE if c in p.done else "color: #999;" if c in p.skipped else ""
            marks.append(f"<span style='{style}'>{'<u>' + c + '</u>' if c == p.letter else c}</span>")
        self.strip.setText(" ".join(marks))
        if p.letter is not None:
            self.letter.setText(p.letter)
            self.shape.setText(HANDSHAPES.get(p.letter, ""))
            self.frames_bar.setRange(0, p.target)
            self.frames_bar.setValue(p.frames)
            if p.phase == "countdown":
                self.state.setText(f"Get ready… {p.countdown:.0f}" if p.countdown >= 0.5 else "Go")
            elif p.letter in ("J", "Z"):
                self.state.setText(f"Draw the {p.letter} in the air")
            else:
                self.state.setText("Hold it still")
            return
        if self._thread is None and self.result is None and self.error is None:
            self._start_adapting(p)
        elif self._thread is not None and not self._thread.is_alive():
            self._thread = None
            self._show_result()

    def _start_adapting(self, p) -> None:
        self.worker.recording = None
        for b in (self.redo_button, self.skip_button, self.stop_button):
            b.setEnabled(False)
        self.letter.setText("…")
        self.shape.setText(f"{len(p.done)} letter(s) recorded" + (f", {len(p.skipped)} skipped" if p.skipped else ""))
        self.state.setText("Adapting the model to you (the window keeps reading)…")
        self._started = time.perf_counter()
        self._thread = threading.Thread(target=self._adapt, name="signcam-adapt", daemon=True)
        self._thread.start()

    def _adapt(self) -> None:
        from ..letters.classifier import load_classifier

        try:
            self.profile.rebuild(load_classifier(self.base_model))
            self.result = self.profile.meta()
        except SigncamError as exc:
            self.error = str(exc)

    def _show_result(self) -> None:
        self._timer.stop()
        self.close_button.show()
        self.frames_bar.hide()
        self.letters_bar.hide()
        if self.error:
            self.letter.setText("!")
            self.state.setText(self.error)
            return
        check = self.result.get("check")
        self.letter.setText("✓")
        seconds = self.result.get("adapt_seconds", time.perf_counter() - self._started)
        self.state.setText(f"Profile {self.profile.name!r}: adapted in {seconds:.1f} s")
        if check:
            worse = [c for c, (b, a) in check["per_letter"].items() if a < 1]
            self.shape.setText(
                f"Your later frames of each letter, read by the model alone: {check['before']:.0%};\n"
                f"with your profile: {check['after']:.0%} ({check['frames']} frames, same session)."
                + (f"\nStill unsure: {', '.join(worse)}: Calibrate… again to add frames." if worse else ""))
        self.adapted.emit(self.profile.name)

    def closeEvent(self, event) -> None:
        if self.walk.on:
            self.walk.stop()  # closing part-way keeps the letters done, as Stop does
        if self.worker.recording is self.walk:
            self.worker.recording = None
        self.walk.recorder.close()
        super().closeEvent(event)
