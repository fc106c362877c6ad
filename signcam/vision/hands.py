"""Hand landmarks behind a small interface, with MediaPipe Hands as the back end.

Only this module imports mediapipe, so the tracker can be swapped (or the
MediaPipe version changed) without touching the rest of the code.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from ..quiet import native_stderr_silenced
from .mediapipe_import import import_mediapipe

NUM_LANDMARKS = 21
WRIST = 0


@dataclass
class Hand:
    landmarks: np.ndarray  # (21, 3) float32: x, y in frame pixels; z in the same pixel scale
    handedness: str  # "Left" or "Right" as MediaPipe reports it
    score: float
    world: np.ndarray | None = None  # (21, 3) metres about the hand's centre (MediaPipe's world landmarks)

    @property
    def box(self) -> tuple[float, float, float, float]:
        """Tight box around the landmarks: x0, y0, x1, y1 in pixels."""
        xy = self.landmarks[:, :2]
        x0, y0 = xy.min(axis=0)
        x1, y1 = xy.max(axis=0)
        return float(x0), float(y0), float(x1), float(y1)

    @property
    def center(self) -> tuple[float, float]:
        x0, y0, x1, y1 = self.box
        return (x0 + x1) / 2, (y0 + y1) / 2

    @property
    def size(self) -> float:
        x0, y0, x1, y1 = self.box
        return max(x1 - x0, y1 - y0, 1.0)


class HandTracker(Protocol):
    def track(self, image_bgr: np.ndarray) -> list[Hand]: ...
    def close(self) -> None: ...


def landmark_model_file(model_complexity: int = 1) -> Path | None:
    """MediaPipe's own hand landmark model (full or lite), as its wheel ships it."""
    name = "hand_landmark_full.tflite" if model_complexity else "hand_landmark_lite.tflite"
    path = Path(import_mediapipe().__file__).parent / "modules" / "hand_landmark" / name
    return path if path.is_file() else None


class MediaPipeHandTracker:
    """MediaPipe Hands (the legacy `solutions` API that ships its models in the wheel).

    video=True tracks between frames (fast, for cameras and clips); video=False
    detects afresh in every image (for photo datasets).
    """

    def __init__(self, video: bool = True, max_hands: int = 1, min_detection: float = 0.5,
                 min_tracking: float = 0.5, model_complexity: int = 1):
        with native_stderr_silenced():  # MediaPipe logs as it builds its graph
            mp = import_mediapipe()  # imported here: it is slow to import and only this class needs it

            self._hands = mp.solutions.hands.Hands(
                static_image_mode=not video,
                max_num_hands=max_hands,
                model_complexity=model_complexity,
                min_detection_confidence=min_detection,
                min_tracking_confidence=min_tracking,
            )
        self._first = True

    def track(self, image_bgr: np.ndarray) -> list[Hand]:
        h, w = image_bgr.shape[:2]
        rgb = cv2.cvtColor(image_bgr, cv2.COLOR_BGR2RGB)
        rgb.flags.writeable = False  # lets MediaPipe skip a copy
        if self._first:  # the graph logs once more when it sees its first image
            with native_stderr_silenced():
                result = self._hands.process(rgb)
            self._first = False
        else:
            result = self._hands.process(rgb)
        if not result.multi_hand_landmarks:
            return []
        hands = []
        worlds = result.multi_hand_world_landmarks or [None] * len(result.multi_hand_landmarks)
        for lms, world, handed in zip(result.multi_hand_landmarks, worlds, result.multi_handedness):
            pts = np.array([(p.x * w, p.y * h, p.z * w) for p in lms.landmark], dtype=np.float32)
            metric = np.array([(p.x, p.y, p.z) for p in world.landmark], dtype=np.float32) if world else None
            label = handed.classification[0]
            hands.append(Hand(pts, label.label, float(label.score), metric))
        # Largest hand first: with several hands, the nearest one is the signer's.
        hands.sort(key=lambda hand: -hand.size)
        return hands

    def close(self) -> None:
        self._hands.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
