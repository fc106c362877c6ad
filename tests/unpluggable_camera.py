"""A stand-in for webcam hardware: frames of a real clip (looped, at 30 fps), and a plug that a
test pulls mid-run. Pulled, `read` fails as OpenCV's camera read does ("stall": it hangs instead,
as a camera taken by another program can) and `open` fails until the plug is back."""
from __future__ import annotations

import threading
import time
from pathlib import Path

import cv2

from signcam.errors import SourceError
from signcam.vision.frames import Frame, _SourceBase


class UnpluggableCamera(_SourceBase):  # with, iter: as the real sources
    is_camera = True

    def __init__(self, clip: Path, index: int = 7, unplug_after: int | None = None, how: str = "fail"):
        self.clip, self.name, self.fps = clip, f"camera {index}", 30.0
        self.unplug_after, self.how = unplug_after, how
        self.plugged = threading.Event()
        self.plugged.set()
        self.frames = 0  # delivered, over every opening
        self.opened = 0
        self._cap = None
        self._next = 0.0

    def unplug(self) -> None:
        self.plugged.clear()

    def plug_in(self) -> None:
        self.plugged.set()

    def open(self) -> None:
        if not self.plugged.is_set():
            raise SourceError(f"cannot open {self.name} (is a camera connected?)")
        self._cap = cv2.VideoCapture(str(self.clip))
        self.opened += 1
        self._next = time.perf_counter()

    def read(self) -> Frame | None:
        if self.unplug_after is not None and self.frames >= self.unplug_after:
            self.unplug_after = None
            self.unplug()
        if not self.plugged.is_set():
            if self.how == "fail":
                raise SourceError(f"{self.name} stopped delivering frames (unplugged?)")
            self.plugged.wait()  # "stall": hangs until plugged back in
        time.sleep(max(0.0, self._next - time.perf_counter()))  # a camera paces itself
        self._next = max(self._next + 1 / self.fps, time.perf_counter() - 1 / self.fps)
        ok, image = self._cap.read()
        if not ok:  # the clip ended: loop it, as a camera goes on
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, image = self._cap.read()
        self.frames += 1
        return Frame(image, self.frames, time.perf_counter(), self.frames / self.fps)

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None
