"""Record mode's controls: dataset folder, signer, label, rate, the record toggle and the counters."""
from __future__ import annotations

from pathlib import Path

from PyQt6.QtCore import Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QKeySequence, QShortcut
from PyQt6.QtWidgets import (QAbstractSpinBox, QApplication, QComboBox, QDoubleSpinBox, QFileDialog, QGroupBox,
                             QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget)

from ..datasets.recorder import LABELS, check_signer
from ..errors import SigncamError
from ..live import LiveRecording


class RecordPanel(QGroupBox):
    """Pick a label (its key, or the list), press Return to start or stop; frames with a hand are saved.

    The worker's track thread does the saving (through `worker.recording`), so the
    window never touches the disk per frame; this panel only reads the counters.
    """

    problem = pyqtSignal(str)
    retrain_requested = pyqtSignal()

    def __init__(self, worker, settings, parent: QWidget | None = None):
        super().__init__("Record labelled frames", parent)
        self.worker, self.settings = worker, settings
        self.recording: LiveRecording | None = None
        self.folder = QLabel()
        self.folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        choose = QPushButton("Folder…")
        choose.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        choose.clicked.connect(self._choose_folder)
        self.signer_box = QLineEdit(settings.signer)
        self.signer_box.setMaximumWidth(120)
        self.signer_box.setToolTip("who is signing: letters, digits or '-'")
        self.signer_box.editingFinished.connect(self._signer_changed)
        self.label_box = QComboBox()
        self.label_box.addItems(LABELS)
        self.label_box.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.label_box.currentTextChanged.connect(self._label_changed)
        self.rate_box = QDoubleSpinBox()
        self.rate_box.setRange(0.5, 30)
        self.rate_box.setValue(settings.record_rate)
        self.rate_box.setSuffix(" /s")
        self.rate_box.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.rate_box.valueChanged.connect(self._rate_changed)
        self.record_button = QPushButton("● Record (Return)")
        self.record_button.setCheckable(True)
        self.record_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.record_button.toggled.connect(self._toggle)
        self.retrain_button = QPushButton("Retrain…")
        self.retrain_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.retrain_button.clicked.connect(self.retrain_requested)
        self.counts = QLabel()

        row1 = QHBoxLayout()
        row1.addWidget(QLabel("Dataset"))
        row1.addWidget(self.folder, 1)
        row1.addWidget(choose)
        row1.addWidget(QLabel("Signer"))
        row1.addWidget(self.signer_box)
        row2 = QHBoxLayout()
        for widget in (QLabel("Label (press its key)"), self.label_box, QLabel("Rate"), self.rate_box,
                       self.record_button):
            row2.addWidget(widget)
        row2.addWidget(self.counts, 1)
        row2.addWidget(self.retrain_button)
        layout = QVBoxLayout(self)
        layout.addLayout(row1)
        layout.addLayout(row2)

        # In Record mode a letter key picks that label and Return starts or stops recording.
        self._shortcuts = [self._shortcut(letter, lambda _=None, c=letter: self.set_label(c))
                           for letter in LABELS if len(letter) == 1]
        self._shortcuts += [self._shortcut(key, self.record_button.toggle) for key in ("Return", "Enter")]
        # ...except while the user types in a field (the signer's name, a number).
        QApplication.instance().focusChanged.connect(self._focus_changed)
        self._timer = QTimer(self, interval=250)
        self._timer.timeout.connect(self._show_counts)
        self._show_folder()
        self.hide()

    def _shortcut(self, key: str, slot) -> QShortcut:
        shortcut = QShortcut(QKeySequence(key), self.window() or self)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.setEnabled(False)
        shortcut.activated.connect(slot)
        return shortcut

    # ---- opening and closing Record mode
    def open(self) -> bool:
        """Start a recording session in the chosen folder; False (and a problem) if it cannot."""
        try:
            self.recording = LiveRecording(self.settings.record_dir, self.settings.signer, self.rate_box.value(),
                                           self.label_box.currentText())
        except SigncamError as exc:
            self.problem.emit(str(exc))
            return False
        except OSError as exc:  # e.g. a folder we may not read
            self.problem.emit(f"cannot record into {self.settings.record_dir}: {exc.strerror or exc}")
            return False
        moved, skipped = self.recording.recorder.set_aside, self.recording.recorder.manifest_skipped
        if skipped:
            self.problem.emit(f"{len(skipped)} damaged line(s) of {self.recording.root.name}/manifest.jsonl "
                              f"skipped ({skipped[0]}{', …' if len(skipped) > 1 else ''}); the file is left as it is")
        if moved:
            self.problem.emit(f"{len(moved)} image(s) with no manifest line (a recording was killed?) "
                              f"moved to {moved[0].parent.parent}")
        self.worker.recording = self.recording
        for shortcut in self._shortcuts:
            shortcut.setEnabled(True)
        self._timer.start()
        self.show()
        self._show_counts()
        return True

    def _focus_changed(self, old, new) -> None:
        typing = isinstance(new, (QLineEdit, QAbstractSpinBox))
        for shortcut in self._shortcuts:
            shortcut.setEnabled(self.recording is not None and not typing)

    def stopped(self) -> None:
        """Recording stopped on its own (e.g. the disk is full): show it as off."""
        self.record_button.setChecked(False)

    def close_session(self) -> None:
        for shortcut in self._shortcuts:
            shortcut.setEnabled(False)
        self._timer.stop()
        self.record_button.setChecked(False)
        self.worker.recording = None
        if self.recording is not None:
            self.recording.close()
            self.recording = None
        self.hide()

    @property
    def is_recording(self) -> bool:
        return self.recording is not None and self.recording.on

    # ---- controls
    def set_label(self, label: str) -> None:
        self.label_box.setCurrentText(label)

    def _label_changed(self, label: str) -> None:
        if self.recording:
            self.recording.label = label
            self._show_counts()

    def _toggle(self, on: bool) -> None:
        if self.recording:
            self.recording.on = on
        self.record_button.setText("■ Stop (Return)" if on else "● Record (Return)")
        self.record_button.setStyleSheet("background: #b3261e; color: white;" if on else "")
        self._show_counts()

    def _rate_changed(self, rate: float) -> None:
        self.settings.record_rate = rate
        if self.recording:
            self.recording.recorder.rate = rate

    def _signer_changed(self) -> None:
        signer = self.signer_box.text().strip()
        if signer == self.settings.signer:
            return
        try:
            check_signer(signer)
        except SigncamError as exc:  # keep the last good name; never store one that cannot be used
            self.problem.emit(str(exc))
            self.signer_box.setText(self.settings.signer)
            return
        self.settings.signer = signer
        self._restart_session()

    def _choose_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Dataset folder", str(self.settings.record_dir))
        if path:
            self.set_folder(path)

    def set_folder(self, path: str | Path) -> None:
        self.settings.record_dir = Path(path)
        self._show_folder()
        self._restart_session()

    def _restart_session(self) -> None:
        """A new folder or signer is a new session."""
        if self.recording is None:
            return
        self.close_session()
        self.open()

    # ---- what it shows
    def _show_folder(self) -> None:
        self.folder.setText(str(self.settings.record_dir))

    def _show_counts(self) -> None:
        if not self.recording:
            return
        label = self.recording.label
        session, total = self.recording.counts()
        few = ", ".join(f"{name} {n}" for name, n in self.recording.fewest())
        self.counts.setText(f"{label}: {session} this session, {total} in total · fewest: {few}")

    def overlay_text(self) -> str:
        """What the video shows while recording, e.g. '● REC B 12'."""
        if not self.is_recording:
            return ""
        return f"● REC {self.recording.label} {self.recording.counts()[0]}"
