"""The square, rotated region around a hand that MediaPipe's landmark model reads.

MediaPipe Hands follows a hand between video frames by cutting each frame around the
landmarks it found in the frame before. These are the same steps, so that
`signcam.vision.landmark_tracker` can run MediaPipe's landmark model itself and get MediaPipe's
landmarks (the letter model was trained on them): the region's rotation puts the wrist below
the knuckles, its box holds the palm and the fingers' lower joints, and it is doubled in size
and nudged towards the fingers, so the hand is still inside it a frame later.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

# The wrist, the thumb's base and each finger's two lower joints: they move less with the
# handshape than the fingertips do, so the region stays steady while the fingers change.
ROI_JOINTS = (0, 1, 2, 3, 5, 6, 9, 10, 13, 14, 17, 18)
SCALE = 2.0
SHIFT_TOWARDS_FINGERS = 0.1  # of the box's height


@dataclass(frozen=True)
class Roi:
    cx: float  # centre, frame pixels
    cy: float
    side: float  # pixels
    rotation: float  # radians; rotating by it turns the region's "up" into the frame's

    def crop_to_frame(self, size: int) -> np.ndarray:
        """2x3 affine matrix from the model input's pixels (size x size) to the frame's."""
        c, s = math.cos(self.rotation), math.sin(self.rotation)
        k = self.side / size
        # frame = centre + R @ ((crop - size / 2) * k)
        return np.array([[c * k, -s * k, self.cx - (c - s) * self.side / 2],
                         [s * k, c * k, self.cy - (s + c) * self.side / 2]], np.float64)


def _wrap(angle: float) -> float:
    return angle - 2 * math.pi * math.floor((angle + math.pi) / (2 * math.pi))


def roi_from_landmarks(landmarks: np.ndarray) -> Roi:
    """The region to read the next frame in, from this frame's landmarks ((21, 2+) pixels)."""
    pts = np.asarray(landmarks, np.float64)[list(ROI_JOINTS), :2]
    wrist = pts[0]
    # Towards the middle of the index, middle and ring knuckles (middle counted twice).
    knuckles = ((pts[4] + pts[8]) / 2 + pts[6]) / 2
    rotation = _wrap(math.pi / 2 - math.atan2(-(knuckles[1] - wrist[1]), knuckles[0] - wrist[0]))

    # The box of the joints in the region's own axes, its centre taken back to the frame.
    centre = (pts.min(axis=0) + pts.max(axis=0)) / 2
    c, s = math.cos(rotation), math.sin(rotation)
    to_frame = np.array([[c, -s], [s, c]])
    local = (pts - centre) @ to_frame  # rows times R: each point rotated by -rotation
    lo, hi = local.min(axis=0), local.max(axis=0)
    width, height = hi - lo
    mid = centre + to_frame @ ((lo + hi) / 2)
    mid = mid + to_frame @ np.array([0.0, -SHIFT_TOWARDS_FINGERS * height])
    return Roi(float(mid[0]), float(mid[1]), float(max(width, height) * SCALE), rotation)


def cut(frame: np.ndarray, roi: Roi, size: int) -> np.ndarray:
    """The region as a size x size image (edges repeated where it leaves the frame)."""
    return cv2.warpAffine(frame, roi.crop_to_frame(size), (size, size),
                          flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REPLICATE)


def to_frame(points: np.ndarray, roi: Roi, size: int) -> np.ndarray:
    """Points in the model input's pixels ((n, 2)) in frame pixels."""
    m = roi.crop_to_frame(size)
    return points @ m[:, :2].T + m[:, 2]
