"""SIGKILL a recording at random moments, again and again; after each kill, open the folder as
the next recording would (which runs `reconcile`) and check that folder and manifest agree.

The recording child saves synthetic frames (noise, a hand box in the middle) as fast as it can, so
kills land in every step of a save: encoding, the staged write, the rename, the manifest line.

    python tests/record_kills.py --kills 50 [--seed 0] [--out DIR]
"""
from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r"""
import sys, numpy as np
from signcam.datasets.recorder import Recorder
from signcam.vision.frames import Frame
from signcam.vision.hands import Hand
rng = np.random.default_rng(int(sys.argv[2]))
grid = np.stack(np.meshgrid(np.linspace(60, 100, 7), np.linspace(40, 80, 3)), -1).reshape(-1, 2)[:21]
hand = Hand(np.c_[grid, np.zeros(21)].astype(np.float32), "Right", 1.0)
with Recorder(sys.argv[1], "kill", rate=1000) as rec:
    print("ready", flush=True)
    for i in range(10**9):
        rec.offer(Frame(rng.integers(0, 255, (120, 160, 3), np.uint8), i, 0.0, i), hand, "ABC"[i % 3])
"""


def check(root: Path) -> dict:
    """Folder and manifest agree: every line's image is there and whole, every image has its line."""
    import cv2

    from signcam.datasets.recorder import LABELS, STAGING, read_manifest

    skipped: list[str] = []
    listed = [e["file"] for e in read_manifest(root, skipped)]
    on_disk = sorted(f"{label}/{p.name}" for label in LABELS if (root / label).is_dir()
                     for p in (root / label).iterdir())
    staged = list((root / STAGING).iterdir()) if (root / STAGING).is_dir() else []
    return {"listed": len(listed), "lines_without_image": len(set(listed) - set(on_disk)),
            "images_without_line": len(set(on_disk) - set(listed)), "duplicate_lines": len(listed) - len(set(listed)),
            "damaged_lines": len(skipped), "staged_left": len(staged),
            "unreadable": sum(cv2.imread(str(root / f)) is None for f in listed)}


def kill_while_recording(root: Path, kills: int, seed: int = 0, log=print) -> dict:
    from signcam.datasets.recorder import Recorder, UNLISTED

    rng = random.Random(seed)
    worst = {}
    for k in range(kills):
        proc = subprocess.Popen([sys.executable, "-c", CHILD, str(root), str(seed * 1000 + k)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            assert proc.stdout.readline() == b"ready\n", proc.stderr.read().decode()[-2000:]
            time.sleep(rng.uniform(0.0, 0.4))
            os.kill(proc.pid, signal.SIGKILL)
        finally:
            proc.wait(60)
        assert proc.returncode == -signal.SIGKILL, proc.stderr.read().decode()[-2000:]
        with Recorder(root, "check"):  # what the next recording does first: reconcile
            pass
        result = check(root)
        worst = {key: max(worst.get(key, 0), value) for key, value in result.items() if key != "listed"}
    aside = root / UNLISTED
    result = {"kills": kills, **check(root), "worst_after_any_kill": worst,
              "set_aside": sum(1 for _ in aside.rglob("*.jpg")) if aside.is_dir() else 0}
    log(f"{kills} SIGKILLs while recording: {result['listed']} images listed; after every reconcile "
        f"{worst['lines_without_image']} lines without an image, {worst['images_without_line']} images without a "
        f"line, {worst['staged_left']} staged files left, {worst['unreadable']} unreadable; "
        f"{result['set_aside']} image(s) caught between rename and manifest line set aside in {UNLISTED}/")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, help="dataset folder (default: a temporary one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        kill_while_recording(args.out or Path(tmp) / "ds", args.kills, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
