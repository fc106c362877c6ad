"""The README's pictures of Calibrate…: the walk part-way, and the before/after result.

    xvfb-run -a -s "-screen 0 1280x1000x24" python docs/calibrate_screenshots.py

The walk runs on a clip set (one clip per letter: the window's source is switched to the letter
the walk asks for), into a scratch profile; it is stopped part-way, so the result shows what
stopping keeps. Needs a display (Xvfb will do) and the shared clips; SIGNCAM_SHARED moves them.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from PyQt6.QtCore import QSettings, QTimer
from PyQt6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parent.parent
CLIPS = Path(os.environ.get("SIGNCAM_SHARED", ROOT.parent / "shared")) / "data" / "videos"


def shoot(clips: Path, letters: str, stop_after: int, walk_out: Path, result_out: Path) -> None:
    scratch = Path(tempfile.mkdtemp(prefix="signcam-calibrate-shot-"))
    os.environ["SIGNCAM_PROFILES"] = str(scratch / "profiles")  # never the user's own profiles
    from signcam.app.settings import Settings
    from signcam.app.window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    settings = Settings(QSettings(str(scratch / "signcam.ini"), QSettings.Format.IniFormat))
    settings.record_dir, settings.models_dir = scratch / "dataset", scratch / "models"
    window = MainWindow(settings, str(clips / f"{letters[0]}.mp4"))
    window.resize(1000, 800)
    window.move(0, 0)
    window.show()
    state = {"dialog": None, "letter": None, "shot": False}

    def replay(_name: str) -> None:  # a clip ended before the letter's frames were in: sign it again
        if state["letter"] is not None:
            window.open_source(str(clips / f"{state['letter']}.mp4"))

    window.session.source_ended.connect(replay)

    def screen(out: Path) -> None:
        app.processEvents()
        app.primaryScreen().grabWindow(0, 0, 0, window.width() + 260, window.height() + 40).save(str(out))
        print(f"wrote {out}", flush=True)

    def tick() -> None:
        worker = window.session.worker
        if worker.classifier is None:
            return
        if state["dialog"] is None:
            dialog = state["dialog"] = window.profiles.calibrate("teal", letters=tuple(letters), countdown=1.0,
                                                                 frames_per_letter=8)
            dialog.move(window.width() - dialog.width() + 240, 120)  # beside the video, not over it
            return
        dialog = state["dialog"]
        p = dialog.walk.progress()
        print(f"{p.letter} {p.phase} {p.frames}/{p.target} done {''.join(p.done)}", file=sys.stderr, flush=True)
        if p.letter is not None and p.letter != state["letter"]:
            state["letter"] = p.letter
            window.open_source(str(clips / f"{p.letter}.mp4"))  # the person signs the letter asked for
        if p.letter is not None and len(p.done) >= stop_after - 1 and p.frames >= 4 and not state["shot"]:
            state["shot"] = True
            screen(walk_out)
            dialog.walk.stop()  # stopped part-way: the letters done are kept and adapted to
        if p.letter is None:
            state["letter"] = None
        if dialog.close_button.isVisible():
            QTimer.singleShot(1500, finish)
            timer.stop()

    def finish() -> None:
        screen(result_out)
        state["dialog"].close()
        window.close()
        app.quit()

    timer = QTimer(interval=100)
    timer.timeout.connect(tick)
    timer.start()
    app.exec()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clips", type=Path, default=CLIPS / "teal-signer")
    parser.add_argument("--letters", default="ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    parser.add_argument("--stop-after", type=int, default=8, help="the letter during which the walk is stopped")
    parser.add_argument("--walk-out", type=Path, default=ROOT / "docs" / "calibrate_walk.png")
    parser.add_argument("--result-out", type=Path, default=ROOT / "docs" / "calibrate_result.png")
    args = parser.parse_args()
    shoot(args.clips, args.letters, args.stop_after, args.walk_out, args.result_out)


if __name__ == "__main__":
    main()
