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
    """`epoch_size`: crops per epoch, drawn anew each epoch with every source keeping its share, so a
    large dataset fits a time budget by sampling people's photos, never by dropping people.
    Each batch's augmentation draws come from (seed, epoch, batch), so `workers` threads can
    prepare batches while the model trains (augmenting is a third of a step on 2 cores) and a
    run is the same whichever thread made which batch."""

    def __init__(self, samples: Samples, label_index: dict[str, int], batch_size: int = 32,
                 augmented: bool = True, background_p: float = 0.4, seed: int = 0,
                 weights: np.ndarray | None = None, mirror_hands: bool = False,
                 flip_p: float = 0.5, erase_p: float = 0.0, epoch_size: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.samples = samples
        self.y = np.array([label_index[c] for c in samples.labels], dtype=np.int32)
        # Per-sample loss weights (Keras takes class_weight only for single-output models).
        self.weights = weights
        self.batch_size = batch_size
        self.augmented = augmented
        self.background_p = background_p
        self.mirror_hands, self.flip_p, self.erase_p = mirror_hands, flip_p, erase_p
        self.seed, self.epoch = seed, 0
        self.epoch_size = epoch_size if 0 < epoch_size < len(samples) else 0
        self.rng = np.random.default_rng(seed)
        _, self.source_of = np.unique(samples.sources, return_inverse=True)
        self.order = self._draw()

    def _draw(self) -> np.ndarray:
        if not self.augmented:
            return np.arange(len(self.samples))
        if not self.epoch_size:
            return self.rng.permutation(len(self.samples))
        counts = np.bincount(self.source_of)
        exact = self.epoch_size * counts / counts.sum()
        take = np.floor(exact).astype(int)
        # The crops left by rounding down go to the sources with the largest remainders: exactly
        # epoch_size a time, so every epoch has the same number of batches.
        take[np.argsort(take - exact)[:self.epoch_size - take.sum()]] += 1
        picked = [self.rng.choice(np.flatnonzero(self.source_of == s), k, replace=False)
                  for s, k in enumerate(take) if k]
        return self.rng.permutation(np.concatenate(picked))

    def __len__(self) -> int:
        return int(np.ceil(len(self.order) / self.batch_size))

    def __getitem__(self, i: int):
        idx = self.order[i * self.batch_size:(i + 1) * self.batch_size]
        crops = self.samples.crops[idx]
        lms = self.samples.landmarks[idx]
        if self.mirror_hands:
            crops, lms = as_one_hand(crops, lms, self.samples.handedness[idx])
        if self.augmented:
            rng = np.random.default_rng([self.seed, self.epoch, i])
            pairs = [augment(c, l, rng, self.samples.crops, self.background_p, self.flip_p, self.erase_p)
                     for c, l in zip(crops, lms)]
            crops = np.stack([p[0] for p in pairs])
            lms = np.stack([p[1] for p in pairs])
        y = {head: self.y[idx] for head in HEADS}
        if self.weights is None:
            return model_inputs(crops, lms), y
        return model_inputs(crops, lms), y, {head: self.weights[idx] for head in HEADS}

    def on_epoch_end(self) -> None:
        # Keras has stopped its prefetching threads by now, so the order can change under none.
        self.epoch += 1
        self.order = self._draw()
