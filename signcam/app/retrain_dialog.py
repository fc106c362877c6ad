"""Retrain from the window: `signcam-train retrain` in a child process, with its progress and result.

A child process, not a thread: training takes both cores' worth of TensorFlow for
minutes, and a process can be cancelled at once, and cannot take the window down.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from PyQt6.QtCore import QProcess, pyqtSignal
from PyQt6.QtWidgets import (QCheckBox, QDialog, QFileDialog, QHBoxLayout, QLabel, QListWidget, QPlainTextEdit,
                             QProgressBar, QPushButton, QSpinBox, QVBoxLayout)


def retrain_command(model: Path, recorded: Path, data: list[Path], out: Path, epochs: int, top: bool) -> list[str]:
    args = ["-m", "signcam.training.cli", "retrain", "--model", str(model), "--recorded", str(recorded),
            "--data", *map(str, data), "--out", str(out), "--epochs", str(epochs), "--progress-lines"]
    return args + (["--top"] if top else [])


def summary_text(result: dict) -> str:
    """Before and after, per recorded label and on the original data."""
    before, after = result["before"], result["after"]
    pct = lambda v: "-" if v is None else f"{v:.0%}"  # noqa: E731
    lines = [f"Held out from the recorded frames ({result['split']}):"]
    for label in result["recorded_labels"]:
        lines.append(f"  {label}: {pct(before['recorded_heldout_per_label'].get(label))} → "
                     f"{pct(after['recorded_heldout_per_label'].get(label))}")
    lines.append(f"Original data (held-out part): {pct(before['original_heldout'])} → {pct(after['original_heldout'])}")
    lines.append(f"New model: {Path(result['model']).name} (the previous one is kept)")
    return "\n".join(lines)


class RetrainDialog(QDialog):
    use_model = pyqtSignal(str)  # the new model's path, when the user switches to it

    def __init__(self, settings, model: Path, recorded: Path, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Retrain on recorded frames")
        self.settings, self.model, self.recorded = settings, Path(model), Path(recorded)
        self.result: dict | None = None
        self.process: QProcess | None = None
        self._buffer = ""

        self.data_list = QListWidget()
        self.data_list.addItems([str(p) for p in settings.train_data])
        self.data_list.setMaximumHeight(70)
        add, remove = QPushButton("Add cache…"), QPushButton("Remove")
        add.clicked.connect(self._add_data)
        remove.clicked.connect(lambda: [self.data_list.takeItem(self.data_list.row(i))
                                        for i in self.data_list.selectedItems()])
        self.epochs = QSpinBox()
        self.epochs.setRange(1, 20)
        self.epochs.setValue(3)
        self.top = QCheckBox("also fine-tune the top of the base (slower)")
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.status = QLabel(f"Start from {self.model.name}, with the frames in {self.recorded}.")
        self.status.setWordWrap(True)
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.start_button, self.cancel_button = QPushButton("Start"), QPushButton("Cancel")
        self.use_button = QPushButton("Use the new model")
        self.use_button.setEnabled(False)
        self.start_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.use_button.clicked.connect(self._use)

        data_row = QHBoxLayout()
        data_row.addWidget(self.data_list, 1)
        data_buttons = QVBoxLayout()
        data_buttons.addWidget(add)
        data_buttons.addWidget(remove)
        data_row.addLayout(data_buttons)
        options = QHBoxLayout()
        options.addWidget(QLabel("Epochs"))
        options.addWidget(self.epochs)
        options.addWidget(self.top)
        options.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.start_button, self.cancel_button, self.use_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Original training data (caches from `signcam-train prepare`), "
                                "so the other letters are not forgotten:"))
        layout.addLayout(data_row)
        for item in (options, self.status, self.progress, self.log, buttons):
            (layout.addLayout if isinstance(item, QHBoxLayout) else layout.addWidget)(item)
        self.resize(640, 420)

    def _add_data(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Training caches", "", "Caches (*.npz)")
        self.data_list.addItems(paths)

    def data(self) -> list[Path]:
        return [Path(self.data_list.item(i).text()) for i in range(self.data_list.count())]

    def start(self) -> None:
        data = self.data()
        if not data:
            self.status.setText("Add the original training data first (a cache made by `signcam-train prepare`).")
            return
        self.settings.train_data = data
        self.result = None
        self._cancelled = False
        self.use_button.setEnabled(False)
        self.start_button.setEnabled(False)
        self.progress.setValue(0)
        self.log.clear()
        self.process = QProcess(self)
        self.process.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        self.process.readyReadStandardOutput.connect(self._read_output)
        self.process.finished.connect(self._finished)
        self.process.errorOccurred.connect(self._failed_to_start)
        out = self.settings.models_dir
        self.process.start(sys.executable, retrain_command(self.model, self.recorded, data, out,
                                                           self.epochs.value(), self.top.isChecked()))
        self.status.setText("Retraining… (detecting hands in the recorded frames first)")

    def cancel(self) -> None:
        if self.process is not None and self.process.state() != QProcess.ProcessState.NotRunning:
            self._cancelled = True
            self.process.kill()
            self.process.waitForFinished(1000)
            self.status.setText("Cancelled; nothing was written.")
        else:
            self.reject()

    def _read_output(self) -> None:
        self._buffer += bytes(self.process.readAllStandardOutput()).decode(errors="replace")
        *lines, self._buffer = self._buffer.split("\n")
        for line in lines:
            try:
                if line.startswith("PROGRESS "):
                    _, fraction, message = (line.split(" ", 2) + [""])[:3]
                    self.progress.setValue(round(float(fraction) * 1000))
                    self.status.setText(f"Retraining: {message}")
                    continue
                if line.startswith("RESULT "):
                    self.result = json.loads(Path(line[7:].strip()).read_text())
                    continue
            except (ValueError, OSError) as exc:  # a garbled line must not take the window down
                line = f"unreadable progress line ({exc}): {line}"
            if line.strip() and not line.startswith(("W0000", "E0000", "I0000", "WARNING: All log")):
                self.log.appendPlainText(line)

    def _finished(self, code: int, status) -> None:
        self._read_output()
        self.start_button.setEnabled(True)
        if self.result is not None:
            self.progress.setValue(1000)
            self.status.setText(summary_text(self.result))
            self.use_button.setEnabled(True)
        elif code != 0 and status == QProcess.ExitStatus.NormalExit:
            last = self.log.toPlainText().strip().splitlines()[-1:] or [f"exit code {code}"]
            self.status.setText(f"Retraining failed: {last[0]}")
        elif status == QProcess.ExitStatus.CrashExit and not self._cancelled:
            # Killed from outside (out of memory, a signal) or crashed: it saves its model by a rename at
            # the very end, so nothing half-written exists, and the model in use was never touched.
            self.status.setText("Retraining stopped before it finished (the process was killed or crashed); "
                                "no new model was made and the model in use is unchanged. Start it again to retry.")

    def _failed_to_start(self, error) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self.start_button.setEnabled(True)
            self.status.setText(f"Retraining could not start: {self.process.errorString()}")

    def _use(self) -> None:
        if self.result:
            self.use_model.emit(self.result["model"])
            self.accept()

    def closeEvent(self, event) -> None:
        self.cancel()
        super().closeEvent(event)

    def done(self, r: int) -> None:  # Escape or Close: never leave a training process behind
        if self.process is not None and self.process.state() != QProcess.ProcessState.NotRunning:
            self.process.kill()
            self.process.waitForFinished(1000)
        super().done(r)
