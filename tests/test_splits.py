"""Grouping and splitting: near-duplicates of one person or photo never straddle a split."""
from pathlib import Path

import numpy as np

from signcam.training.groups import group_of
from signcam.training.splits import group_split


def test_groups_follow_signer_photo_or_recording():
    assert group_of(Path("massey/A/hand3_a_bot_seg_1_cropped.jpeg"), "massey") == "massey/hand3"
    assert group_of(Path("rf/A/A22_jpg.rf.292a08.jpg"), "rf") == group_of(Path("rf/A/A22_jpg.rf.beea8a.jpg"), "rf")
    assert group_of(Path("k/A/A3.jpg"), "k") == group_of(Path("k/A/A19.jpg"), "k") != group_of(Path("k/A/A20.jpg"), "k")


def test_group_split_keeps_groups_whole_and_is_about_the_asked_size():
    rng = np.random.default_rng(1)
    groups = np.array([f"g{rng.integers(60)}" for _ in range(3000)])
    train, val = group_split(groups, 0.2, seed=0)
    assert not set(groups[train]) & set(groups[val])
    assert (train ^ val).all()
    assert 0.15 < val.mean() < 0.3


def test_group_split_does_not_put_a_whole_big_signer_in_validation_by_default():
    groups = np.array(["signer1"] * 900 + [f"photo{i}" for i in range(100)])
    for seed in range(20):
        train, val = group_split(groups, 0.1, seed=seed)
        assert train[:900].all() and val.sum() >= 90


def test_group_split_with_only_big_groups_still_validates_on_one():
    groups = np.array(["a"] * 50 + ["b"] * 40 + ["c"] * 60)
    train, val = group_split(groups, 0.1)
    assert set(groups[val]) == {"b"} and train.sum() == 110
