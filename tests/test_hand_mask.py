"""HandMask: the crop branch sees the hand and not the room; with known hand poses."""
import json

import numpy as np

from signcam.letters.model_layers import HandMask

from test_features import fist_with_thumb_across, open_hand

SIZE = 160


def mask_of(lms: np.ndarray) -> np.ndarray:
    """The mask itself: HandMask applied to an all-ones image."""
    ones = np.ones((1, SIZE, SIZE, 3), np.float32)
    return np.asarray(HandMask()([ones, lms[None].astype(np.float32)]))[0, ..., 0]


def at(mask: np.ndarray, xy) -> float:
    x, y = (np.asarray(xy) * SIZE).astype(int)
    return float(mask[y, x])


def in_crop(hand, scale=1.2):
    """open_hand placed as crop_hand places a hand: about 3/4 of the side tall, the wrist near the bottom."""
    return (hand - hand[0]) * scale + np.array([0.5, 0.85, 0.0], np.float32)


def test_the_hand_is_kept_and_the_corners_are_grey():
    for hand in (in_crop(open_hand()), in_crop(fist_with_thumb_across(open_hand()))):
        mask = mask_of(hand)
        assert min(at(mask, p[:2]) for p in hand) > 0.95  # every landmark, thumb tip to wrist
        palm_centre = hand[[0, 5, 9, 13, 17], :2].mean(axis=0)
        assert at(mask, palm_centre) > 0.95
        assert max(mask[0, 0], mask[0, -1], mask[-1, 0], mask[-1, -1]) < 0.02
        assert 0.1 < mask.mean() < 0.6  # the hand, not the whole crop


def test_the_mask_moves_and_grows_with_the_hand():
    hand = in_crop(open_hand())
    mask = mask_of(hand)
    shifted = hand + np.array([-0.1, -0.1, 0.0], np.float32)  # 16 px up and left
    assert np.abs(mask_of(shifted)[:-40, :-40] - mask[16:-24, 16:-24]).mean() < 0.01
    small, bigger = mask_of(in_crop(open_hand(), 0.7)), mask_of(in_crop(open_hand(), 0.7 * 1.3))  # both inside
    assert 1.3 * small.mean() < bigger.mean() < 1.3 ** 2 * 1.15 * small.mean()  # area grows as size squared


def test_a_model_with_the_mask_saves_loads_and_exports(tmp_path):
    from signcam.letters.classifier import load_classifier
    from signcam.training.export import export_tflite
    from signcam.training.model import build_model, inference_model

    model = inference_model(build_model(3, weights=None, hand_mask=True))
    assert model.get_layer("hand_mask")
    path = tmp_path / "masked.keras"
    model.save(path)
    (tmp_path / "labels.json").write_text(json.dumps({"labels": ["A", "B", "C"], "input_size": SIZE}))
    rng = np.random.default_rng(0)
    crops = rng.integers(0, 256, (4, SIZE, SIZE, 3), dtype=np.uint8)
    lms = np.stack([in_crop(open_hand())] * 4).astype(np.float32)
    a = np.asarray(model.predict({"crop": crops, "landmarks": lms}, verbose=0))
    b = load_classifier(path).predict_batch(crops, lms)
    c = load_classifier(export_tflite(path)).predict_batch(crops, lms)
    assert np.allclose(a, b, atol=1e-5) and np.allclose(a, c, atol=1e-3)
    # What the backbone sees is the masked crop: changing the room changes nothing.
    far = mask_of(lms[0]) < 1e-3
    assert far.mean() > 0.3  # most of the crop is away from the hand
    other_room = crops.copy()
    other_room[:, far] = 255 - other_room[:, far]
    assert np.allclose(load_classifier(path).predict_batch(other_room, lms), b, atol=1e-4)
