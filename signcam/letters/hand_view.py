"""The letter model's view of a hand: one handedness. Models trained with `mirror_hands` (labels.json)
see every hand as CANONICAL_HAND; training and the app mirror through this one function."""
from __future__ import annotations

import numpy as np

# MediaPipe names handedness as if the image were mirrored: an unmirrored photo of a right hand
# is "Left". Models trained with `mirror_hands` see every hand as this one.
CANONICAL_HAND = "Left"


def as_one_hand(crops: np.ndarray, landmarks: np.ndarray, handedness) -> tuple[np.ndarray, np.ndarray]:
    """Mirror the crops (N, S, S, 3) and landmarks (N, 21, 3) of hands that are not CANONICAL_HAND,
    so a left-handed signer reads like a right-handed one. Shared by training and the app."""
    other = np.asarray(handedness) != CANONICAL_HAND
    if not other.any():
        return crops, landmarks
    crops, landmarks = crops.copy(), landmarks.copy()
    crops[other] = crops[other][:, :, ::-1]
    landmarks[other, :, 0] = 1.0 - landmarks[other, :, 0]
    return crops, landmarks
