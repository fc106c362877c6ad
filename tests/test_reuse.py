"""A still hand is not classified again every frame: it takes the last classified frame's result."""
import time

import cv2
import numpy as np
import pytest

from signcam.letters.classifier import load_classifier
from signcam.config import Config
from signcam.vision.frames import Frame
from signcam.headless import make_tracker
from signcam.pipeline import Recognizer


@pytest.fixture(scope="module")
def classifier():
    return load_classifier(None)  # the default (bundled) model, as the app runs it


def middle_frame(clip) -> np.ndarray:
    cap = cv2.VideoCapture(str(clip))
    cap.set(cv2.CAP_PROP_POS_FRAMES, cap.get(cv2.CAP_PROP_FRAME_COUNT) // 2)
    ok, image = cap.read()
    cap.release()
    assert ok
    return image


def run(recognizer: Recognizer, images: list[np.ndarray]):
    readings = []
    for i, image in enumerate(images):
        readings.append(recognizer.process(Frame(image, i, time.perf_counter(), i / 30)))
    return readings


def test_a_still_hand_takes_the_last_result_until_it_moves_or_too_many_frames_pass(classifier, teal_dir):
    config = Config(suggestions=False)
    config.reuse.max_frames = 5
    b, v = middle_frame(teal_dir / "B.mp4"), middle_frame(teal_dir / "V.mp4")
    with make_tracker(config) as tracker:
        recognizer = Recognizer(classifier, tracker, config)
        readings = run(recognizer, [b] * 8 + [v] + [np.zeros_like(b)] + [v] * 2)
    # The same picture eight times: one model call, five frames take it, then a fresh one.
    assert recognizer.model_inputs == 1 + 1 + 1 + 1 and recognizer.reused == 6 + 1
    assert all(r.probs is readings[0].probs for r in readings[1:6])
    assert readings[6].probs is not readings[0].probs
    # And it agrees (not to the last digit: frame 0's landmarks come from detection, later ones from tracking).
    np.testing.assert_allclose(readings[6].probs, readings[0].probs, atol=0.01)
    assert readings[0].raw_letter == "B" and readings[8].raw_letter == "V"  # another hand: classified
    assert readings[9].probs is None  # no hand; the V after it is classified afresh
    assert readings[10].probs is not readings[8].probs and readings[11].probs is readings[10].probs


@pytest.mark.parametrize("setting", ["max_motion", "min_confidence"])
def test_no_reuse_below_the_motion_or_above_the_confidence_classifies_every_crop(classifier, teal_dir, setting):
    config = Config(suggestions=False)
    # No movement is small enough, or no result sure enough: every crop goes through the model.
    setattr(config.reuse, setting, 0.0 if setting == "max_motion" else 1.01)
    b = middle_frame(teal_dir / "B.mp4")
    with make_tracker(config) as tracker:
        recognizer = Recognizer(classifier, tracker, config)
        run(recognizer, [b] * 4)
    assert recognizer.model_inputs == 4 and recognizer.reused == 0


class OnAGpu:
    """The real model, labelled as it would be on a GPU: only the label is faked (no GPU here)."""

    def __init__(self, classifier):
        self.classifier, self.info, self.path = classifier, classifier.info, classifier.path
        self.device = "GPU (none here, jax)"

    def predict_batch(self, *args, **kwargs):
        return self.classifier.predict_batch(*args, **kwargs)


def test_on_a_gpu_every_tracked_frame_is_classified(classifier, teal_dir):
    # The shortcut saves CPU; on a GPU a fresh reading of every frame costs nothing that matters.
    config = Config(suggestions=False)
    b = middle_frame(teal_dir / "B.mp4")
    with make_tracker(config) as tracker:
        recognizer = Recognizer(OnAGpu(classifier), tracker, config)
        readings = run(recognizer, [b] * 4)
    assert recognizer.model_inputs == 4 and recognizer.reused == 0
    assert readings[0].raw_letter == "B" and len({id(r.probs) for r in readings}) == 4
