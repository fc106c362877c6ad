"""The window on a looping clip for a long time, sampled every minute: memory, CPU per frame, latency
p95, queues, and Qt's own objects (widgets, timers, all QObjects) and Python threads, which must stay flat.

    xvfb-run -a -s "-screen 0 1280x1000x24" python docs/window_soak.py --minutes 30 --out docs/window_soak.json
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import threading
from pathlib import Path

from PyQt6.QtCore import QObject, QSettings, QTimer
from PyQt6.QtWidgets import QApplication

from signcam.app.settings import Settings
from signcam.app.window import MainWindow
from signcam.live.bench import cpu_seconds, rss_mb
from signcam.live.soak import Sampler, plot

ROOT = Path(__file__).resolve().parent.parent
CLIP = ROOT.parent / "shared" / "data" / "videos" / "teal-signer" / "B.mp4"


def qt_counts(app: QApplication, window: MainWindow) -> dict:
    objects = window.findChildren(QObject)
    return {"widgets": len(app.allWidgets()), "qobjects": len(objects),
            "timers": sum(1 for o in objects if isinstance(o, QTimer)), "python_threads": threading.active_count()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--every", type=float, default=60, help="seconds between samples")
    parser.add_argument("--clip", type=Path, default=CLIP)
    parser.add_argument("--out", type=Path, required=True, help="JSON timeline (rewritten after each sample)")
    parser.add_argument("--plot", type=Path)
    args = parser.parse_args()
    app = QApplication(sys.argv[:1])
    scratch = Path(tempfile.mkdtemp(prefix="signcam-soak-"))
    settings = Settings(QSettings(str(scratch / "signcam.ini"), QSettings.Format.IniFormat))
    settings.record_dir, settings.models_dir = scratch / "dataset", scratch / "models"
    window = MainWindow(settings, str(args.clip))
    window.show()
    session = window.session
    session.source_ended.connect(lambda _name: window.open_source(str(args.clip)))  # loop, as Play again does
    sampler = Sampler(session.stats, session.slot, session.worker, cpu_seconds, rss_mb, args.every, args.out,
                      extra=lambda: qt_counts(app, window))
    sample = QTimer(interval=round(args.every * 1000))
    sample.timeout.connect(lambda: print(sampler.sample(), flush=True))
    sample.start()

    def finish() -> None:
        if args.plot:
            plot(sampler.samples, args.plot, f"signcam window, {args.clip.name} looping, {args.minutes:.0f} min")
        window.close()
        app.quit()

    QTimer.singleShot(round(args.minutes * 60_000) + 500, finish)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
