"""The main window: a thin composition of the video view, the text box, controls and a status bar."""
from __future__ import annotations

from pathlib import Path

from PyQt6.QtCore import QSignalBlocker, Qt
from PyQt6.QtGui import QAction, QActionGroup, QFont, QKeySequence, QTextCursor
from PyQt6.QtWidgets import (QApplication, QCheckBox, QComboBox, QDoubleSpinBox, QFileDialog, QHBoxLayout,
                             QLabel, QMainWindow, QMenu, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget)

from ..letters.bundled import source_model_for
from ..letters.classifier import DEFAULT_MODEL
from ..live import StatsSnapshot, available_cameras
from ..spelling.speech import Speaker
from ..vision.frames import VIDEO_SUFFIXES
from .bridge import LiveSession
from .profile_menu import ProfileControls
from .record_panel import RecordPanel
from .retrain_dialog import RetrainDialog
from .settings import Settings
from .widgets import Banner, TopCandidates, VideoView


DEVICE_CHOICES = (("auto", "&Auto: a GPU if there is one, else the CPU"), ("cpu", "&CPU"), ("gpu", "&GPU"))


def device_menu(menu: QMenu, current: str, choose, parent) -> dict[str, QAction]:
    """One checkable item per device the letter model can run on; `choose(device)` when one is picked."""
    group = QActionGroup(parent)
    actions = {}
    for device, text in DEVICE_CHOICES:
        action = QAction(text, parent, checkable=True, checked=device == current)
        action.triggered.connect(lambda _checked, d=device: choose(d))
        group.addAction(action)
        menu.addAction(action)
        actions[device] = action
    return actions


class MainWindow(QMainWindow):
    def __init__(self, settings: Settings, source: str | None = None, model: Path | None = None,
                 device: str | None = None):
        super().__init__()
        self.settings = settings
        self._opened_model: Path | None = None  # the model asked for with File → Open model…
        self._asked_device: str | None = None  # ... and the device, with the Device menu
        self._cameras: list[tuple[int, str]] | None = None  # found when the picker is first filled
        config = settings.config(model, device)
        self.session = LiveSession(config, self)
        self.setWindowTitle("signcam")
        self.resize(1100, 820)

        self.banner = Banner()
        self.video = VideoView()
        self.video.mirror = settings.mirror
        self.candidates = TopCandidates()
        self.text_box = QPlainTextEdit()
        self.text_box.setPlaceholderText("Letters you sign appear here; you can edit them.")
        self.text_box.setFont(QFont(self.font().family(), 20))
        self.text_box.setFixedHeight(90)
        self._worker_text = ""  # the worker's text as the box last showed it (or as last sent to it)
        self._edits_sent = 0
        self.text_box.textChanged.connect(self._send_edit)

        space = self._button("Space", "Space", lambda: self.session.worker.edit(config.spelling.space_label))
        backspace = self._button("Backspace", "Backspace",
                                 lambda: self.session.worker.edit(config.spelling.delete_label))
        clear = self._button("Clear", "Ctrl+L", self.session.worker.clear)
        copy = self._button("Copy", "Ctrl+Shift+C", self.copy_text)
        self.pause_button = self._button("Pause", "Ctrl+P", self.toggle_pause)
        self.space_button, self.backspace_button, self.clear_button, self.copy_button = space, backspace, clear, copy
        self.speaker = Speaker()
        self.speak_button = self._button("Speak", "Ctrl+K", self.speak_text)
        self.speak_words_box = QCheckBox("Speak each word")
        self.speak_words_box.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        if not self.speaker.available:  # no engine: the action is there but off, and says why
            for widget in (self.speak_button, self.speak_words_box):
                widget.setEnabled(False)
                widget.setToolTip(self.speaker.missing)
        buttons = QHBoxLayout()
        for button in (space, backspace, clear, copy, self.speak_button):
            buttons.addWidget(button)
        buttons.addWidget(self.speak_words_box)
        buttons.addStretch(1)
        buttons.addWidget(self.pause_button)

        # Up to three words for the word being spelled: a click or Ctrl+1..3 puts one in its place.
        self.suggestion_buttons = []
        suggestions = QHBoxLayout()
        suggestions.addWidget(QLabel("Suggestions:"))
        for i in range(3):
            button = self._button("", f"Ctrl+{i + 1}", lambda _=False, i=i: self.accept_suggestion(i))
            button.setMinimumWidth(140)
            button.setVisible(False)
            suggestions.addWidget(button)
            self.suggestion_buttons.append(button)
        suggestions.addStretch(1)
        self.suggestions: list[str] = []

        self.record_panel = RecordPanel(self.session.worker, settings, self)
        self.record_panel.problem.connect(lambda message: self._show_problem("record", message))
        self.record_panel.retrain_requested.connect(self.open_retrain)
        self.retrain_dialog: RetrainDialog | None = None

        central = QWidget()
        layout = QVBoxLayout(central)
        for widget in (self.banner, self.video, self.candidates, self.text_box):
            layout.addWidget(widget, 1 if widget is self.video else 0)
        layout.addLayout(suggestions)
        layout.addLayout(buttons)
        layout.addWidget(self.record_panel)
        self.setCentralWidget(central)
        self._build_toolbar(settings)
        self._build_menu()
        self.profiles = ProfileControls(self)  # Profiles menu, Calibrate…, the active profile in the status bar
        self.toolbar.addAction(self.profiles.calibrate_action)
        self.stats_label = QLabel("starting…")
        self.statusBar().addPermanentWidget(self.stats_label)

        s = self.session
        s.frame_ready.connect(self._show_frame)
        s.text_changed.connect(self._show_text)
        s.stats_changed.connect(self._show_stats)
        s.problem.connect(self._show_problem)
        s.source_started.connect(self._source_started)
        s.source_ended.connect(lambda name: self.banner.show_message(f"{name} ended.", "Play again", problem=False))
        s.source_lost.connect(self._source_lost)
        s.source_resumed.connect(self._source_resumed)
        s.model_loaded.connect(self._model_loaded)
        self.banner.retry.connect(lambda: self.open_source(s.source_spec))
        s.start()
        self.open_source(source if source is not None else settings.camera)

    def _button(self, text: str, shortcut: str, slot) -> QPushButton:
        button = QPushButton(text)
        button.setShortcut(QKeySequence(shortcut))
        button.setToolTip(f"{text} ({shortcut})")
        # Not focusable: Space must reach the Space button's shortcut, not press the focused button.
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.clicked.connect(slot)
        return button

    def _build_toolbar(self, settings: Settings) -> None:
        bar = self.toolbar = self.addToolBar("Controls")
        bar.setMovable(False)
        self.source_box = QComboBox()
        self.source_box.setMinimumWidth(220)
        self.source_box.activated.connect(lambda i: self.open_source(self.source_box.itemData(i)))
        self.threshold_box = self._spin(0.05, 0.99, 0.05, settings.threshold, self._set_threshold)
        self.hold_box = self._spin(0.1, 3.0, 0.1, settings.hold_time, self._set_hold_time, " s")
        self.mirror_box = QCheckBox("Mirror")
        self.mirror_box.setChecked(settings.mirror)
        self.mirror_box.toggled.connect(self._set_mirror)
        for label, widget in (("Source ", self.source_box), ("  Confidence ", self.threshold_box),
                              ("  Hold ", self.hold_box), ("  ", self.mirror_box)):
            bar.addWidget(QLabel(label))
            bar.addWidget(widget)
        bar.addSeparator()
        self.record_action = QAction("Record mode", self)
        self.record_action.setCheckable(True)
        self.record_action.setShortcut(QKeySequence("Ctrl+R"))
        self.record_action.setToolTip("Record labelled frames to extend the dataset (Ctrl+R)")
        self.record_action.toggled.connect(self.set_record_mode)
        bar.addAction(self.record_action)

    @staticmethod
    def _spin(low: float, high: float, step: float, value: float, slot, suffix: str = "") -> QDoubleSpinBox:
        box = QDoubleSpinBox()
        box.setRange(low, high)
        box.setSingleStep(step)
        box.setSuffix(suffix)
        box.setValue(value)
        box.valueChanged.connect(slot)
        return box

    def _build_menu(self) -> None:
        menu = self.menuBar().addMenu("&File")
        for text, shortcut, slot in (("Open &video…", "Ctrl+O", self._choose_video),
                                     ("Open &model…", "Ctrl+M", self._choose_model),
                                     ("&Quit", "Ctrl+Q", self.close)):
            action = QAction(text, self)
            action.setShortcut(QKeySequence(shortcut))
            action.triggered.connect(slot)
            menu.addAction(action)
        self.device_actions = device_menu(self.menuBar().addMenu("&Device"), self.session.worker.config.device,
                                          self.set_device, self)

    # ---- actions (also what the tests drive)
    def open_source(self, spec: str | int) -> None:
        if isinstance(spec, str) and spec.isdigit():
            spec = int(spec)  # a camera index typed as --source 1
        self.banner.hide()
        self.video.show_message(f"Opening {spec if isinstance(spec, str) else f'camera {spec}'}…")
        self._fill_sources(spec)
        self.session.open_source(spec)

    def open_model(self, path: str | Path) -> None:
        self._opened_model = Path(path)
        self.statusBar().showMessage(f"loading model {Path(path).name}…")
        self.session.worker.load_model(path)

    def set_device(self, device: str) -> None:
        """Where the letter model runs from now on (auto, cpu or gpu); remembered once the model runs there."""
        self._asked_device = device
        self.statusBar().showMessage(f"loading the model for device {device}…")
        self.session.worker.set_device(device)

    def set_record_mode(self, on: bool) -> None:
        """Record mode: letter keys choose the label, Return starts and stops recording."""
        if on and not self.record_panel.open():
            self.record_action.setChecked(False)
            return
        if not on:
            self.record_panel.close_session()
        # The text box would take the letter keys as typing; in Record mode they pick labels.
        self.text_box.setReadOnly(on)
        if on:
            self.text_box.clearFocus()
        self.record_action.setChecked(on)

    def open_retrain(self) -> None:
        if self.retrain_dialog is not None and self.retrain_dialog.isVisible():
            self.retrain_dialog.raise_()  # one retraining at a time: two would share the cores
            return
        worker = self.session.worker
        model = Path(worker.classifier.path if worker.classifier else worker.config.model or DEFAULT_MODEL)
        if model.suffix == ".tflite":  # an export (the bundled default is one): retrain the .keras it came from
            model = source_model_for(model) or model
        if model.suffix != ".keras":
            self._show_problem("record", f"retraining needs a .keras model; {model.name} is not one "
                                         "(File → Open model… to choose one)")
            return
        self.record_panel.record_button.setChecked(False)
        self.retrain_dialog = RetrainDialog(self.settings, model, self.settings.record_dir, self)
        self.retrain_dialog.use_model.connect(self.open_model)
        self.retrain_dialog.show()

    def copy_text(self) -> None:
        QApplication.clipboard().setText(self.text_box.toPlainText())
        self.statusBar().showMessage("text copied", 2000)

    def accept_suggestion(self, i: int) -> None:
        if i < len(self.suggestions):
            self.session.worker.accept(self.suggestions[i])

    def speak_text(self) -> None:
        if self.speaker.say(self.text_box.toPlainText()):
            self.statusBar().showMessage("speaking…", 2000)

    def _show_suggestions(self, words: list[str]) -> None:
        if words == self.suggestions:
            return
        self.suggestions = list(words)
        for i, button in enumerate(self.suggestion_buttons):
            button.setVisible(i < len(words))
            if i < len(words):
                button.setText(f"{words[i]}  (Ctrl+{i + 1})")
                button.setShortcut(QKeySequence(f"Ctrl+{i + 1}"))  # setText clears a button's shortcut

    def toggle_pause(self) -> None:
        paused = not self.session.worker.paused
        self.session.worker.set_paused(paused)
        self.pause_button.setText("Resume" if paused else "Pause")
        self.candidates.set_candidates([])

    def _choose_video(self) -> None:
        pattern = " ".join(f"*{s}" for s in sorted(VIDEO_SUFFIXES))
        path, _ = QFileDialog.getOpenFileName(self, "Open video", "", f"Videos ({pattern});;All files (*)")
        if path:
            self.open_source(path)

    def _choose_model(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open model", "", "Models (*.keras *.tflite)")
        if path:
            self.open_model(path)

    # ---- settings
    def _set_threshold(self, value: float) -> None:
        self.settings.threshold = value
        self.session.worker.set_threshold(value)

    def _set_hold_time(self, seconds: float) -> None:
        self.settings.hold_time = seconds
        self.session.worker.set_hold_time(seconds)

    def _set_mirror(self, on: bool) -> None:
        self.settings.mirror = self.video.mirror = on

    # ---- what the session reports
    def _fill_sources(self, current: str | int, rescan: bool = False) -> None:
        """The cameras found, plus the current source if it is a file or a camera not found."""
        if rescan or self._cameras is None:
            self._cameras = available_cameras()
        with QSignalBlocker(self.source_box):
            self.source_box.clear()
            for index, name in self._cameras:
                self.source_box.addItem(f"Camera {index}: {name}", index)
            if self.source_box.findData(current) < 0:
                label = Path(current).name if isinstance(current, str) else f"Camera {current} (not found)"
                self.source_box.addItem(label, current)
            self.source_box.setCurrentIndex(self.source_box.findData(current))

    def _show_frame(self, frame, reading) -> None:
        self.video.badge = self.record_panel.overlay_text()
        self.video.show_frame(frame, reading)
        self.candidates.set_candidates(reading.top3 if reading else [])
        if reading is not None:
            self._show_suggestions(reading.suggestions)

    def _send_edit(self) -> None:
        """The user typed in the box: the worker's speller takes the new text."""
        text = self.text_box.toPlainText()
        self._edits_sent += 1
        self.session.worker.set_text(text, seen=self._worker_text, edit=self._edits_sent)
        self._worker_text = text

    def _show_text(self, text: str, edits_applied: int) -> None:
        if edits_applied < self._edits_sent:
            return  # the worker has not caught up with the user's typing: showing this would undo it
        finished = text.endswith(" ") and not self._worker_text.endswith(" ") and text.strip()
        self._worker_text = text
        if finished and self.speak_words_box.isChecked():
            self.speaker.say(text.split()[-1])  # a word just ended
        if text == self.text_box.toPlainText():
            return
        with QSignalBlocker(self.text_box):  # not a user edit: do not send it back
            self.text_box.setPlainText(text)
        self.text_box.moveCursor(QTextCursor.MoveOperation.End)

    def _show_stats(self, s: StatsSnapshot) -> None:
        worker = self.session.worker
        device = worker.classifier.device if worker.classifier else "-"
        paused = " · paused" if worker.paused else ""
        # Kept short: the status bar's messages share its width, and a long line clipped them.
        self.stats_label.setText(
            f"{s.camera_fps:.0f} fps camera · {s.recognition_fps:.0f} fps recognition · "
            f"{s.latency_p50:.0f}/{s.latency_p95:.0f} ms · {s.dropped} dropped · {worker.model_name} · {device}{paused}")
        self.stats_label.setToolTip("frames per second from the camera and read by the model; latency p50/p95 "
                                    "from capture to reading; frames dropped to stay live; model file; device")

    def _show_problem(self, kind: str, message: str) -> None:
        self.statusBar().showMessage(message, 10000)
        if kind == "model":  # a device that failed (gpu with none) is not ticked
            self.device_actions[self.session.worker.config.device].setChecked(True)
        if kind == "record":
            self.record_panel.stopped()
        if kind == "source":
            self.video.show_message(message)
            self._fill_sources(self.session.source_spec, rescan=True)  # a camera plugged in since shows up
            message += ". Retry, or pick another source above or with File → Open video…"
        self.banner.show_message(message, "Retry" if kind == "source" else None)

    def _source_started(self, name: str) -> None:
        if isinstance(self.session.source_spec, int):
            self.settings.camera = self.session.source_spec  # remembered once it worked
        self.banner.hide()
        self.statusBar().showMessage(f"reading {Path(name).name if Path(name).is_file() else name}", 3000)

    def _source_lost(self, message: str) -> None:
        """The camera stopped mid-run: the text stays, recording stops (what it saved is on disk), and
        the session reopens the camera by itself."""
        stopped = ""
        if self.record_panel.is_recording:
            self.record_panel.stopped()
            stopped = " Recording stopped; the frames saved are kept."
        self.video.show_message(message)
        self.banner.show_message(f"{message}. Trying again every few seconds; your text is kept.{stopped}",
                                 "Retry now")

    def _source_resumed(self, name: str) -> None:
        self.banner.hide()
        self.statusBar().showMessage(f"{name} is back", 5000)

    def _model_loaded(self, message: str, path: str) -> None:
        self.statusBar().showMessage(f"model {message}", 5000)
        if self._opened_model is not None and Path(path) == self._opened_model:
            self.settings.model = path  # remembered only when the user chose it (not --model)
        if self._asked_device == self.session.worker.config.device:
            self.settings.device = self._asked_device  # likewise (not --device)

    def closeEvent(self, event) -> None:
        if self.retrain_dialog is not None:
            self.retrain_dialog.done(0)  # kills a retraining still running
        if self.profiles.dialog is not None:
            self.profiles.dialog.close()  # a walk part-way keeps its letters
        self.record_panel.close_session()
        self.speaker.close()
        self.session.stop(timeout=1.0)
        self.settings.sync()
        event.accept()
