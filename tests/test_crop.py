"""crop_hand: square, from the raw frame, padded (never wrapped) at the frame edges."""
import numpy as np

from signcam.vision.crop import crop_hand, square_box
from signcam.vision.hands import Hand


def hand_at(x0, y0, x1, y1):
    pts = np.zeros((21, 3), np.float32)
    pts[:, 0] = np.linspace(x0, x1, 21)
    pts[:, 1] = np.linspace(y0, y1, 21)
    return Hand(pts, "Right", 0.9)


def test_crop_is_square_and_centred_inside_the_frame():
    frame = np.zeros((480, 640, 3), np.uint8)
    frame[200:280, 300:340] = (0, 0, 255)  # red block (BGR) where the hand is
    crop = crop_hand(frame, hand_at(300, 200, 340, 280), 96)
    assert crop.image.shape == (96, 96, 3)
    x0, y0, x1, y1 = crop.box
    assert x1 - x0 == y1 - y0 == 120  # 80 px box + 25% margin each side
    assert tuple(crop.image[48, 48]) == (255, 0, 0)  # RGB out: the block is red
    assert np.allclose(crop.landmarks[0, :2], [(300 - x0) / 120, (200 - y0) / 120], atol=1e-5)


def test_crop_at_the_frame_edge_is_padded_black_not_wrapped():
    frame = np.full((480, 640, 3), 200, np.uint8)
    frame[:, -5:] = (0, 255, 0)  # a stripe on the right edge that wrapping would drag in
    crop = crop_hand(frame, hand_at(-30, -20, 40, 60), 100)
    x0, y0, x1, y1 = crop.box
    assert x0 < 0 and y0 < 0
    # The part above/left of the frame is black; the frame's own pixels are grey.
    assert crop.image[:5, :5].max() == 0
    assert (crop.image[-5:, -5:] == 200).all()
    assert not (crop.image == (0, 255, 0)).all(axis=-1).any()
    # Landmarks keep their meaning: the first point (at -30, -20) maps inside the crop.
    lx, ly = crop.landmarks[0, :2]
    assert 0 <= lx <= 1 and 0 <= ly <= 1


def test_square_box_uses_the_longer_side():
    x0, y0, x1, y1 = square_box(hand_at(0, 0, 100, 40), margin=0.0)
    assert (x1 - x0, y1 - y0) == (100, 100)
    assert (y0 + y1) / 2 == 20
