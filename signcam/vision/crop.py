"""The one hand-cropping path, shared by training and the app.

The crop is a square around the landmarks, taken from the raw frame (never
from a frame with the overlay drawn on it), padded with black where it runs
past the frame edge so that it never wraps around or shrinks.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .hands import Hand

CROP_MARGIN = 0.25  # room around the landmark box, as a fraction of its longer side


@dataclass
class HandCrop:
    image: np.ndarray  # (size, size, 3) uint8, RGB
    landmarks: np.ndarray  # (21, 3) float32, x and y in [0, 1] of the crop, z in the same scale
    box: tuple[int, int, int, int]  # the square in frame pixels: x0, y0, x1, y1 (may pass the edges)


def square_box(hand: Hand, margin: float = CROP_MARGIN) -> tuple[int, int, int, int]:
    cx, cy = hand.center
    side = int(round(hand.size * (1 + 2 * margin)))
    x0 = int(round(cx - side / 2))
    y0 = int(round(cy - side / 2))
    return x0, y0, x0 + side, y0 + side


def crop_hand(image_bgr: np.ndarray, hand: Hand, size: int, margin: float = CROP_MARGIN) -> HandCrop:
    """A `size`x`size` RGB crop of the hand and its landmarks in crop coordinates."""
    h, w = image_bgr.shape[:2]
    x0, y0, x1, y1 = square_box(hand, margin)
    side = x1 - x0
    # Copy the part of the square inside the frame into a black square.
    sx0, sy0, sx1, sy1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
    square = np.zeros((side, side, 3), dtype=np.uint8)
    if sx1 > sx0 and sy1 > sy0:
        square[sy0 - y0:sy1 - y0, sx0 - x0:sx1 - x0] = image_bgr[sy0:sy1, sx0:sx1]
    interp = cv2.INTER_AREA if side > size else cv2.INTER_LINEAR
    crop = cv2.cvtColor(cv2.resize(square, (size, size), interpolation=interp), cv2.COLOR_BGR2RGB)
    lms = hand.landmarks.copy()
    lms[:, 0] -= x0
    lms[:, 1] -= y0
    lms /= side
    return HandCrop(crop, lms.astype(np.float32), (x0, y0, x1, y1))
