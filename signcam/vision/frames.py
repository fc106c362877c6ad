"""Frame sources: a camera, a video file or stream URL, or a folder of images.

Every source yields `Frame`s through the same small protocol so the pipeline,
the tests and the benchmark can swap a video file in for the camera.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Protocol

import cv2
import numpy as np

from ..errors import SourceError

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp"}
VIDEO_SUFFIXES = {".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v"}


@dataclass
class Frame:
    image: np.ndarray  # BGR uint8, as OpenCV reads it; never drawn on
    index: int
    t_capture: float  # time.perf_counter() when the frame was read
    t_media: float  # position in the source, seconds (video time, or wall time for a camera)
    name: str = ""  # file name for image folders


class FrameSource(Protocol):
    name: str

    def open(self) -> None: ...
    def read(self) -> Frame | None: ...  # None at the end of the source
    def close(self) -> None: ...


class _SourceBase:
    name = ""

    def __enter__(self):
        self.open()
        return self

    def __exit__(self, *exc):
        self.close()

    def __iter__(self) -> Iterator[Frame]:
        while (frame := self.read()) is not None:
            yield frame


class VideoSource(_SourceBase):
    """A video file, a stream URL, or a camera index, read with OpenCV."""

    def __init__(self, target: str | int, fps_hint: float = 30.0):
        self.target = target
        self.is_camera = isinstance(target, int)
        self.name = f"camera {target}" if self.is_camera else str(target)
        self._cap: cv2.VideoCapture | None = None
        self._index = 0
        self._t0 = 0.0
        self.fps = fps_hint

    def open(self) -> None:
        if not self.is_camera and "://" not in str(self.target) and not Path(self.target).is_file():
            raise SourceError(f"video file not found: {self.target}")
        if self.is_camera:
            cap = cv2.VideoCapture(self.target)
        else:
            # One decoding thread: FFmpeg's extra threads cost more CPU per frame (5.3 against 5.0 ms
            # at 1080p) for a speed the pipeline does not need; the tracker is its slowest stage.
            cap = cv2.VideoCapture(str(self.target), cv2.CAP_ANY, [cv2.CAP_PROP_N_THREADS, 1])
        if not cap.isOpened():
            raise SourceError(f"cannot open {self.name}" + (" (is a camera connected?)" if self.is_camera else ""))
        self._cap = cap
        self.fps = cap.get(cv2.CAP_PROP_FPS) or self.fps
        self._index = 0
        self._t0 = time.perf_counter()

    def read(self) -> Frame | None:
        if self._cap is None:
            raise SourceError(f"{self.name} is not open")
        ok, image = self._cap.read()
        now = time.perf_counter()
        if not ok or image is None:
            if self.is_camera:
                raise SourceError(f"{self.name} stopped delivering frames (unplugged?)")
            if self._index == 0:  # opened, yet not one frame: an empty, damaged or unsupported video
                raise SourceError(f"no frame could be decoded from {self.name} (empty, damaged, or a codec "
                                  "this OpenCV cannot read)")
            return None
        t_media = now - self._t0 if self.is_camera else self._index / self.fps
        frame = Frame(image, self._index, now, t_media)
        self._index += 1
        return frame

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


def read_image(path: str | Path) -> np.ndarray | None:
    """cv2.imread, with None for anything it cannot use: unreadable, not an image, or bigger than
    OPENCV_IO_MAX_IMAGE_PIXELS (set by signcam/__init__.py), which OpenCV refuses with an exception."""
    try:
        return cv2.imread(str(path))
    except cv2.error:
        return None


def image_files(folder: Path) -> list[Path]:
    """The images in a folder and its subfolders, sorted by path."""
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)


class ImageFolderSource(_SourceBase):
    """Images of a folder (recursively, sorted by path), as if filmed at `fps`."""

    def __init__(self, folder: str | Path, fps: float = 30.0):
        self.folder = Path(folder)
        self.name = str(folder)
        self.fps = fps
        self._files: list[Path] = []
        self._pos = 0
        self.skipped: list[Path] = []

    def open(self) -> None:
        if not self.folder.is_dir():
            raise SourceError(f"image folder not found: {self.folder}")
        self._files = image_files(self.folder)
        if not self._files:
            raise SourceError(f"no images in {self.folder}")
        self._pos = 0

    def read(self) -> Frame | None:
        while self._pos < len(self._files):
            path = self._files[self._pos]
            index = self._pos
            self._pos += 1
            image = read_image(path)
            if image is None:  # unreadable file: skip it, keep going
                self.skipped.append(path)
                continue
            return Frame(image, index, time.perf_counter(), index / self.fps, path.name)
        return None

    def close(self) -> None:
        self._files = []


def open_source(spec: str | int) -> FrameSource:
    """A source from what a user typed: camera index, video file, URL or image folder."""
    if isinstance(spec, int) or (isinstance(spec, str) and spec.isdigit()):
        return VideoSource(int(spec))
    path = Path(spec)
    if path.is_dir():
        return ImageFolderSource(path)
    if "://" in spec or path.suffix.lower() in VIDEO_SUFFIXES or path.is_file():
        return VideoSource(spec)
    raise SourceError(f"no such camera, video file or image folder: {spec}")
