"""Splits that keep every group (signer, source photo, recording) on one side."""
from __future__ import annotations

import numpy as np


def group_split(groups: np.ndarray, val_fraction: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Boolean masks (train, val): whole groups, drawn at random, go to validation
    until it holds about `val_fraction` of the samples. A group never straddles
    the split, so near-duplicates of a validation image are never trained on.
    """
    rng = np.random.default_rng(seed)
    names, sizes = np.unique(groups, return_counts=True)
    order = rng.permutation(len(names))
    target = val_fraction * len(groups)
    chosen, taken = [], 0
    for i in order:
        if taken >= target:
            break
        if taken + sizes[i] > 1.5 * target:  # a big group (a whole signer) would overshoot
            continue
        chosen.append(names[i])
        taken += sizes[i]
    if not chosen and len(names) > 1:  # every group is big: hold out the smallest one
        chosen.append(names[np.argmin(sizes)])
    val = np.isin(groups, chosen)
    return ~val, val
