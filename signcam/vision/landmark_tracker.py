"""Video tracking of one hand with MediaPipe's landmark model run directly through LiteRT.

MediaPipe Hands in video mode reads each frame's landmarks from a region cut around the
previous frame's hand, and runs its palm detector only when the hand is lost. This tracker
does the tracking steps itself (`signcam.vision.hand_roi`) and leaves only the finding of a lost hand
to MediaPipe (a still-image `MediaPipeHandTracker`). Why: MediaPipe's graph cost about 12 ms
of CPU per 1080p frame, of which its landmark model is 8.3; the graph's own work and the
full-frame colour conversion are the rest. Its landmarks match MediaPipe's video mode to
about 0.02% of the hand's size (tests/test_landmark_tracker.py), so the letter model,
trained on MediaPipe's landmarks, reads the same hands.
"""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from ..errors import ModelError, first_line
from ..quiet import native_stderr_silenced
from ..runtime import tflite_interpreter_class
from .hand_roi import Roi, cut, roi_from_landmarks, to_frame
from .hands import NUM_LANDMARKS, Hand, HandTracker

INPUT_SIZE = 224
Z_SCALE = 0.4  # MediaPipe's: the model's depth output is 1/0.4 of the image scale


class LandmarkModelTracker:
    def __init__(self, finder: HandTracker, model_path: Path, min_presence: float = 0.5):
        """finder: detects a hand afresh in one image (used only while no hand is followed)."""
        self._finder = finder
        self.model_path = Path(model_path)
        self._min_presence = min_presence
        try:
            with native_stderr_silenced():
                self._model = tflite_interpreter_class()(model_path=str(model_path), num_threads=1)
                self._model.allocate_tensors()
        except (ValueError, RuntimeError) as exc:
            raise ModelError(f"{model_path}: not a valid hand landmark model ({first_line(exc)})") from None
        self._input = self._model.get_input_details()[0]["index"]
        # Landmarks, hand presence, handedness, world landmarks: MediaPipe's order, which is also the
        # order of the outputs' names (Identity, Identity_1, ... in MediaPipe's file;
        # StatefulPartitionedCall_1:0 ... :3 in our int8 export), whatever order the interpreter lists them in.
        details = sorted(self._model.get_output_details(), key=lambda d: d["name"])
        self._outputs = [d["index"] for d in details]
        self._roi: Roi | None = None

    def track(self, image_bgr: np.ndarray) -> list[Hand]:
        if self._roi is None:
            hands = self._finder.track(image_bgr)[:1]
            self._roi = roi_from_landmarks(hands[0].landmarks) if hands else None
            return hands
        hand = self._read(image_bgr, self._roi)
        self._roi = roi_from_landmarks(hand.landmarks) if hand else None
        return [hand] if hand else []

    def _read(self, image_bgr: np.ndarray, roi: Roi) -> Hand | None:
        crop = cv2.cvtColor(cut(image_bgr, roi, INPUT_SIZE), cv2.COLOR_BGR2RGB)
        # Scaled to 0..1 straight into the interpreter's input buffer: no temporary copies.
        np.multiply(crop, np.float32(1 / 255), out=self._model.tensor(self._input)()[0], casting="unsafe")
        self._model.invoke()
        raw, presence, handed, world = (self._model.get_tensor(i) for i in self._outputs)
        if float(presence.ravel()[0]) < self._min_presence:
            return None
        raw = raw.reshape(NUM_LANDMARKS, 3)
        landmarks = np.empty((NUM_LANDMARKS, 3), np.float32)
        landmarks[:, :2] = to_frame(raw[:, :2], roi, INPUT_SIZE)
        landmarks[:, 2] = raw[:, 2] / (INPUT_SIZE * Z_SCALE) * roi.side
        world = world.reshape(NUM_LANDMARKS, 3).astype(np.float32)
        c, s = np.cos(roi.rotation), np.sin(roi.rotation)
        world[:, 0], world[:, 1] = c * world[:, 0] - s * world[:, 1], s * world[:, 0] + c * world[:, 1]
        left = float(handed.ravel()[0])  # the model's score for a left hand (MediaPipe's labels)
        label, score = ("Left", left) if left > 0.5 else ("Right", 1 - left)
        return Hand(landmarks, label, score, world)

    def close(self) -> None:
        self._finder.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
