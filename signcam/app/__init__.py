"""The desktop window (PyQt6). Everything it shows comes from the Qt-free core in signcam.live.

The top layer: may import anything in signcam; the only package that imports Qt."""
from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from ..errors import SigncamError


def run_app(source: str | None = None, model: Path | None = None, device: str | None = None) -> int:
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
                                                 or os.environ.get("QT_QPA_PLATFORM")):
        # Qt would abort with a page about platform plugins; say it in one line instead.
        raise SigncamError("no display to open the window on; `signcam read SOURCE` runs without one")
    from PyQt6.QtCore import QTimer
    from PyQt6.QtWidgets import QApplication

    from .settings import Settings
    from .window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("signcam")
    window = MainWindow(Settings(), source, model, device)
    window.show()
    # Ctrl+C in the terminal closes the window (and so stops the threads) instead of being ignored:
    # the timer lets Python run its signal handler while Qt's loop is in C++.
    signal.signal(signal.SIGINT, lambda *_: window.close())
    wake = QTimer(interval=250)
    wake.timeout.connect(lambda: None)
    wake.start()
    return app.exec()
