"""How retraining holds out recorded frames: whole sessions, or the end of a single session after a gap."""
import numpy as np

from signcam.training.prepare import Samples
from signcam.training.retrain import split_recorded


def recorded(names, labels=None):
    n = len(names)
    labels = labels or ["C"] * n
    return Samples(np.zeros((n, 4, 4, 3), np.uint8), np.zeros((n, 21, 3), np.float32), np.array(labels),
                   np.array([f"/d/C/{name}.jpg" for name in names]), np.array(["g"] * n), np.array(["Left"] * n))


def test_one_session_is_split_by_time_with_a_gap():
    names = [f"me_20260101T000000-abcd_{i:05d}" for i in range(20, 0, -1)]  # any order on disk
    train, held, how = split_recorded(recorded(names), holdout=0.3, gap=5)
    serial = np.array([int(n[-5:]) for n in names])
    assert sorted(serial[held]) == list(range(15, 21))  # the last 6 frames
    assert sorted(serial[train]) == list(range(1, 10))  # then 5 dropped, so no neighbour straddles
    assert "its last 6 frames" in how


def test_several_sessions_are_held_out_whole():
    names = [f"me_2026010{d}T000000-abcd_{i:05d}" for d in (1, 2, 3) for i in range(1, 11)]
    train, held, how = split_recorded(recorded(names), holdout=0.3, gap=5)
    sessions = np.array([n.split("_")[1] for n in names])
    assert set(sessions[held]).isdisjoint(sessions[train])
    assert held.sum() == 10 and train.sum() == 20 and "1 of 3 sessions held out" in how


def test_every_recorded_label_is_both_trained_on_and_measured():
    # One session, A recorded first and B after it: a split over the session alone would never train on B.
    names = [f"me_20260101T000000-abcd_{i:05d}" for i in range(1, 41)]
    labels = ["A"] * 20 + ["B"] * 20
    train, held, how = split_recorded(recorded(names, labels), holdout=0.3, gap=5)
    y = np.array(labels)
    for label in "AB":
        assert train[y == label].sum() == 9 and held[y == label].sum() == 6
