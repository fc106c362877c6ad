"""Landmark features with known hand poses: what moving, turning, scaling or mirroring a hand may change."""
import numpy as np
import pytest

from signcam.letters.hand_view import CANONICAL_HAND, as_one_hand
from signcam.letters.model_layers import FEATURE_PARTS, LandmarkFeatures
from signcam.training.augment import vary_hand

SHAPE_PARTS = ("palm", "bones", "angles", "tips")  # the hand's own shape, in its palm frame


def open_hand() -> np.ndarray:
    """A right hand, palm to the camera, fingers up and a little spread, thumb out to the side (21, 3)."""
    pts = [(0.0, 0.0, 0.0)]
    pts += [(-0.10 - 0.06 * i, -0.08 - 0.05 * i, -0.01 * i) for i in range(4)]  # thumb 1-4
    for k, x in enumerate((-0.08, -0.02, 0.04, 0.09)):  # index .. pinky, knuckles 5, 9, 13, 17
        length = (0.10, 0.11, 0.10, 0.08)[k]
        pts += [(x + 0.01 * j * (k - 1.5), -0.30 - length * j, 0.02 * j) for j in range(4)]
    return np.array(pts, np.float32) + np.array([0.5, 0.8, 0.0], np.float32)


def fist_with_thumb_across(hand: np.ndarray) -> np.ndarray:
    """The same hand curled (fingertips folded down onto the palm): another letter's shape."""
    fist = hand.copy()
    for knuckle in (5, 9, 13, 17):
        fist[knuckle + 1:knuckle + 4, 1] = fist[knuckle, 1] + np.array([0.04, 0.06, 0.05])
        fist[knuckle + 1:knuckle + 4, 2] = -0.06
    return fist


def features(lms: np.ndarray, parts) -> np.ndarray:
    return np.asarray(LandmarkFeatures(parts=tuple(parts))(lms[None].astype(np.float32)))[0]


def rotation(yaw, pitch, roll) -> np.ndarray:
    cy, sy, cp, sp, cr, sr = np.cos(yaw), np.sin(yaw), np.cos(pitch), np.sin(pitch), np.cos(roll), np.sin(roll)
    rz = np.array([[cr, -sr, 0], [sr, cr, 0], [0, 0, 1]])
    ry = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    rx = np.array([[1, 0, 0], [0, cp, -sp], [0, sp, cp]])
    return rz @ ry @ rx


def moved(hand: np.ndarray, r: np.ndarray, scale: float, shift) -> np.ndarray:
    centre = hand[0]
    return ((hand - centre) @ r.T * scale + centre + np.array(shift)).astype(np.float32)


@pytest.mark.parametrize("angles", [(0.3, 0.0, 0.0), (0.0, -0.4, 0.2), (0.5, 0.3, 1.2), (0.0, 0.0, np.pi / 2)])
def test_turned_scaled_moved_hand_has_the_same_shape_features(angles):
    hand = open_hand()
    other = moved(hand, rotation(*angles), scale=1.7, shift=(0.1, -0.2, 0.05))
    np.testing.assert_allclose(features(other, SHAPE_PARTS), features(hand, SHAPE_PARTS), atol=2e-4)


def test_orientation_is_kept_apart_and_turns_with_the_hand():
    hand = open_hand()
    r = rotation(0.0, 0.0, np.pi / 2)  # the same shape turned a quarter in the image: H against U
    turned = moved(hand, r, 1.0, (0, 0, 0))
    axes, axes_turned = features(hand, ["orientation"]).reshape(3, 3), features(turned, ["orientation"]).reshape(3, 3)
    np.testing.assert_allclose(axes_turned, axes @ r.T, atol=2e-4)
    assert np.abs(axes_turned - axes).max() > 0.5


def test_scaled_and_moved_hand_has_the_same_xy_features():
    hand = open_hand()
    np.testing.assert_allclose(features(moved(hand, np.eye(3), 0.6, (0.2, 0.1, 0)), ["xy"]), features(hand, ["xy"]),
                               atol=1e-5)


def test_a_mirrored_hand_reads_like_the_hand_itself_once_mirrored_by_handedness():
    hand = open_hand()
    mirror = hand.copy()
    mirror[:, 0] = 1.0 - mirror[:, 0]
    other = "Right" if CANONICAL_HAND == "Left" else "Left"
    crops = np.zeros((2, 4, 4, 3), np.uint8)
    crops[1, :, 0] = 255  # a mark on the left edge of the mirrored hand's crop
    seen_crops, seen = as_one_hand(crops, np.stack([hand, mirror]), [CANONICAL_HAND, other])
    np.testing.assert_allclose(seen[1], hand, atol=1e-6)
    assert (seen_crops[1, :, -1] == 255).all() and (seen_crops[1, :, 0] == 0).all()
    every = FEATURE_PARTS
    np.testing.assert_allclose(features(seen[1], every), features(hand, every), atol=1e-5)
    # Without the mirroring, the mirror image is another hand: its palm frame differs.
    assert np.abs(features(mirror, ["palm"]) - features(hand, ["palm"])).max() > 0.1


def test_shape_features_tell_an_open_hand_from_a_fist():
    hand = open_hand()
    assert np.abs(features(fist_with_thumb_across(hand), SHAPE_PARTS) - features(hand, SHAPE_PARTS)).max() > 0.5


def test_another_persons_hand_keeps_wrist_and_knuckles_and_changes_fingers_a_little():
    hand = open_hand()
    rng = np.random.default_rng(0)
    varied = vary_hand(np.stack([hand] * 50), rng, drop_p=0.0)
    knuckles = [0, 1, 5, 9, 13, 17]
    np.testing.assert_allclose(varied[:, knuckles], np.broadcast_to(hand[knuckles], (50, 6, 3)), atol=1e-6)
    tip_shift = np.linalg.norm(varied[:, 8] - hand[8], axis=-1) / np.linalg.norm(hand[8] - hand[5])
    assert 0.01 < tip_shift.mean() < 0.3 and tip_shift.max() < 0.4
    assert np.abs(features(varied[0], SHAPE_PARTS) - features(hand, SHAPE_PARTS)).max() < 0.5


def test_unknown_feature_part_is_refused():
    with pytest.raises(ValueError, match="unknown landmark feature parts"):
        LandmarkFeatures(parts=("xy", "curvature"))
