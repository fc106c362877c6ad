"""Make the README's pictures of the running window: `xvfb-run -s "-screen 0 1280x1000x24" python docs/screenshot.py`.

Needs a display (Xvfb will do) and the shared clips; SIGNCAM_SHARED moves them.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from PyQt6.QtCore import QSettings, QTimer
from PyQt6.QtWidgets import QApplication

from signcam.app.settings import Settings
from signcam.app.window import MainWindow

ROOT = Path(__file__).resolve().parent.parent
CLIPS = Path(os.environ.get("SIGNCAM_SHARED", ROOT.parent / "shared")) / "data" / "videos" / "teal-signer"


def shoot(clip: Path, out: Path, record_label: str | None, after_ms: int) -> None:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    scratch = Path(tempfile.mkdtemp(prefix="signcam-shot-"))
    settings = Settings(QSettings(str(scratch / "signcam.ini"), QSettings.Format.IniFormat))
    settings.record_dir, settings.models_dir = scratch / "dataset", scratch / "models"
    window = MainWindow(settings, str(clip))
    window.resize(1100, 900 if record_label else 820)
    window.show()
    if record_label:
        window.set_record_mode(True)
        window.record_panel.set_label(record_label)
        window.record_panel.record_button.setChecked(True)

    def grab() -> None:
        window.grab().save(str(out))
        print(f"wrote {out}")
        window.close()
        app.quit()

    # Wait for the model, then let the clip play until the letter is typed.
    def wait_for_model() -> None:
        if window.session.worker.classifier is None:
            QTimer.singleShot(200, wait_for_model)
        else:
            QTimer.singleShot(after_ms, grab)

    wait_for_model()
    app.exec()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clip", default="W.mp4")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshot.png")
    parser.add_argument("--record", metavar="LABEL", help="show Record mode, recording this label")
    parser.add_argument("--after", type=int, default=2200, help="milliseconds of the clip before the picture")
    args = parser.parse_args()
    shoot(CLIPS / args.clip, args.out, args.record, args.after)


if __name__ == "__main__":
    main()
