"""Batches for Keras: cached crops and landmarks, augmented on the fly."""
from __future__ import annotations

import keras
import numpy as np

from signcam.letters.hand_view import as_one_hand

from .augment import augment
from .model import FUSED_HEAD, LANDMARK_HEAD
from .prepare import Samples


HEADS = (LANDMARK_HEAD, FUSED_HEAD)


def model_inputs(crops: np.ndarray, landmarks: np.ndarray) -> dict:
    return {"crop": crops, "landmarks": landmarks}


class AugmentedBatches(keras.utils.PyDataset):
    def __init__(self, samples: Samples, label_index: dict[str, int], batch_size: int = 32,
                 augmented: bool = True, background_p: float = 0.4, seed: int = 0,
                 weights: np.ndarray | None = None, mirror_hands: bool = False,
                 flip_p: float = 0.5, erase_p: float = 0.0, **kwargs):
        super().__init__(**kwargs)
        self.samples = samples
        self.y = np.array([label_index[c] for c in samples.labels], dtype=np.int32)
        # Per-sample loss weights (Keras takes class_weight only for single-output models).
        self.weights = weights
        self.batch_size = batch_size
        self.augmented = augmented
        self.background_p = background_p
        self.mirror_hands, self.flip_p, self.erase_p = mirror_hands, flip_p, erase_p
        self.rng = np.random.default_rng(seed)
        self.order = np.arange(len(samples))
        if augmented:
            self.rng.shuffle(self.order)

    def __len__(self) -> int:
        return int(np.ceil(len(self.order) / self.batch_size))

    def __getitem__(self, i: int):
        idx = self.order[i * self.batch_size:(i + 1) * self.batch_size]
        crops = self.samples.crops[idx]
        lms = self.samples.landmarks[idx]
        if self.mirror_hands:
            crops, lms = as_one_hand(crops, lms, self.samples.handedness[idx])
        if self.augmented:
            pairs = [augment(c, l, self.rng, self.samples.crops, self.background_p, self.flip_p, self.erase_p)
                     for c, l in zip(crops, lms)]
            crops = np.stack([p[0] for p in pairs])
            lms = np.stack([p[1] for p in pairs])
        y = {head: self.y[idx] for head in HEADS}
        if self.weights is None:
            return model_inputs(crops, lms), y
        return model_inputs(crops, lms), y, {head: self.weights[idx] for head in HEADS}

    def on_epoch_end(self) -> None:
        if self.augmented:
            self.rng.shuffle(self.order)
