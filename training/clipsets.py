"""The clip sets of the shared data (`videos/<set>/<L>.mp4`: one letter per clip) and words joined from them."""
from __future__ import annotations

from pathlib import Path

import cv2

from signcam.errors import DatasetError


def clip_sets(videos: Path) -> dict[str, list[Path]]:
    """{set name: its letter clips, sorted}, for every folder of `videos` that holds .mp4 clips."""
    if not videos.is_dir():
        raise DatasetError(f"clip folder not found: {videos}")
    sets = {d.name: sorted(d.glob("*.mp4")) for d in sorted(videos.iterdir()) if d.is_dir()}
    return {name: clips for name, clips in sets.items() if clips}


def join_clips(paths: list[Path], out_path: Path, fps: float = 30.0) -> Path:
    """One video of several clips played one after the other (a word spelled letter by letter),
    every frame resized to the first clip's size."""
    writer, size = None, None
    for path in paths:
        cap = cv2.VideoCapture(str(path))
        if not cap.isOpened():
            raise DatasetError(f"cannot open clip {path}")
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            if writer is None:
                size = (frame.shape[1], frame.shape[0])
                writer = cv2.VideoWriter(str(out_path), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
            if (frame.shape[1], frame.shape[0]) != size:
                frame = cv2.resize(frame, size)
            writer.write(frame)
        cap.release()
    if writer is None:
        raise DatasetError(f"no frames in {', '.join(map(str, paths))}")
    writer.release()
    return out_path
