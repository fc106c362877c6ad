"""The Profiles menu, the Calibrate… action and the status bar's profile label.

A profile is applied by wrapping the worker's base model (`InferenceWorker.use_profile`); one made
for another base model says so and offers to rebuild it from its frames.
"""
from __future__ import annotations

from pathlib import Path

from PyQt6.QtCore import QObject
from PyQt6.QtGui import QAction, QActionGroup, QKeySequence
from PyQt6.QtWidgets import QInputDialog, QLabel, QMessageBox

from ..errors import SigncamError
from ..letters.adapt import AdaptedClassifier
from ..profiles.store import ProfileStore
from .calibrate_dialog import CalibrateDialog


class ProfileControls(QObject):
    def __init__(self, window, store: ProfileStore | None = None):
        super().__init__(window)
        self.window, self.store = window, store or ProfileStore()
        self.worker = window.session.worker
        self.dialog: CalibrateDialog | None = None
        self.label = QLabel()
        self.label.setStyleSheet("QLabel { padding: 0 6px; border-left: 1px solid palette(mid); "
                                 "border-right: 1px solid palette(mid); }")
        window.statusBar().addPermanentWidget(self.label)  # shown while messages come and go
        self.calibrate_action = QAction("Calibrate…", window)
        self.calibrate_action.setShortcut(QKeySequence("Ctrl+Shift+K"))
        self.calibrate_action.setToolTip("Teach the model your hand: a guided walk through the letters (Ctrl+Shift+K)")
        self.calibrate_action.triggered.connect(lambda: self.calibrate())
        self.menu = window.menuBar().addMenu("&Profiles")
        self.menu.aboutToShow.connect(self._fill_menu)
        self._fill_menu()
        window.session.model_loaded.connect(lambda *_: self._model_changed())
        self._show_label()

    # ---- what the window and the tests call
    @property
    def base_model(self) -> Path | None:
        c = self.worker.classifier
        return Path(getattr(c, "base", c).path) if c is not None else None

    def calibrate(self, name: str | None = None, **walk) -> CalibrateDialog | None:
        """Start the walk for profile `name` (asked when None); `walk`: CalibrateDialog's settings
        (letters, countdown, frames_per_letter)."""
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.raise_()
            return self.dialog
        if self.base_model is None:
            self._problem("the model is still loading: calibrate once it has loaded")
            return None
        if name is None:
            name, ok = QInputDialog.getText(self.window, "Calibrate", "Whose profile? (a name)",
                                            text=self.store.active() or "me")
            if not ok:
                return None
        if self.window.record_action.isChecked():
            self.window.set_record_mode(False)  # the walk takes the worker's recording slot
        try:
            profile = self.store.create(name)
            self.dialog = CalibrateDialog(self.worker, profile, self.base_model, self.window, **walk)
        except SigncamError as exc:
            self._problem(str(exc))
            return None
        self.dialog.adapted.connect(self.switch)
        self.dialog.show()
        return self.dialog

    def switch(self, name: str | None) -> bool:
        """Read through profile `name` (None: no profile). False, with a message, if it cannot be used."""
        if name is None:
            self.store.set_active(None)
            self.worker.use_profile(None)
            self._show_label(None)
            return True
        try:
            profile = self.store.get(name)
            adaptation = profile.load_adaptation(self.base_model)
        except SigncamError as exc:
            if "another model" in str(exc):
                self._offer_rebuild(name, str(exc))
            else:
                self._problem(str(exc))
            return False
        self.store.set_active(name)
        self.worker.use_profile(lambda base: AdaptedClassifier(base, adaptation, name))
        self._show_label(name)
        return True

    def rename(self, old: str, new: str) -> bool:
        try:
            self.store.rename(old, new)
        except (SigncamError, OSError) as exc:
            self._problem(str(exc))
            return False
        self._show_label()
        return True

    def delete(self, name: str) -> bool:
        was_active = self.store.active() == name
        try:
            self.store.delete(name)
        except (SigncamError, OSError) as exc:
            self._problem(str(exc))
            return False
        if was_active:
            self.worker.use_profile(None)
        self._show_label()
        return True

    def rebuild(self, name: str) -> None:
        """Adapt the current base model to the profile's frames (through the dialog's adapting step)."""
        try:
            profile = self.store.get(name)
            self.dialog = CalibrateDialog(self.worker, profile, self.base_model, self.window, letters=())
        except SigncamError as exc:
            self._problem(str(exc))
            return
        self.dialog.adapted.connect(self.switch)
        self.dialog.show()

    # ---- inside
    def _fill_menu(self) -> None:
        self.menu.clear()
        self.menu.addAction(self.calibrate_action)
        self.menu.addSeparator()
        group = QActionGroup(self.menu)
        active = self.store.active()
        for name in [None, *self.store.names()]:
            action = QAction(name or "No profile (the model alone)", self.menu, checkable=True)
            action.setChecked(name == active)
            action.triggered.connect(lambda _=False, n=name: self.switch(n))
            group.addAction(action)
            self.menu.addAction(action)
        if active:
            self.menu.addSeparator()
            for text, slot in ((f"Rename {active}…", self._ask_rename), (f"Delete {active}…", self._ask_delete),
                               (f"Rebuild {active} for this model", lambda: self.rebuild(active))):
                action = QAction(text, self.menu)
                action.triggered.connect(slot)
                self.menu.addAction(action)

    def _ask_rename(self) -> None:
        old = self.store.active()
        new, ok = QInputDialog.getText(self.window, "Rename profile", "New name:", text=old or "")
        if ok and old:
            self.rename(old, new)

    def _ask_delete(self) -> None:
        name = self.store.active()
        answer = QMessageBox.question(self.window, "Delete profile",
                                      f"Delete profile {name!r} and its calibration frames?")
        if name and answer == QMessageBox.StandardButton.Yes:
            self.delete(name)

    def _offer_rebuild(self, name: str, message: str) -> None:
        self._problem(message)
        answer = QMessageBox.question(self.window, "Profile made for another model", f"{message}.\nRebuild it now?")
        if answer == QMessageBox.StandardButton.Yes:
            self.rebuild(name)

    def _model_changed(self) -> None:
        """A model was loaded (at start-up, or another base): put the active profile back on it."""
        if isinstance(self.worker.classifier, AdaptedClassifier):
            self._show_label(self.worker.classifier.profile)
            return
        active = self.store.active()
        if active:
            self.switch(active)
        else:
            self._show_label(None)

    def _show_label(self, name: str | None = ...) -> None:
        if name is ...:
            name = self.store.active()
        self.label.setText(f"profile: {name}" if name else "profile: none")

    def _problem(self, message: str) -> None:
        self.window.statusBar().showMessage(message, 10000)
        self.window.banner.show_message(message, None)
