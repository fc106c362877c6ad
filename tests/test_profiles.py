"""Calibration profiles: adapting to one person, storing them, the walk, the commands, bad input."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from signcam.datasets.recorder import read_manifest
from signcam.errors import ModelError
from signcam.letters.adapt import AdaptConfig, Adaptation, fit
from signcam.profiles.store import ProfileError, ProfileStore
from signcam.profiles.walk import HANDSHAPES, CalibrationWalk
from signcam.vision.frames import Frame
from signcam.vision.hands import Hand

LABELS = ["A", "B", "C"]
SOURCE = "9900riya"  # a signers2 source: the bundled model never saw anyone in signers2


def synthetic_hands(rng, n, centre):
    """Hands whose landmarks scatter about a shape `centre` (21, 3), as one person's letter does."""
    return (centre[None] + rng.normal(0, 0.01, (n, 21, 3))).astype(np.float32)


def shapes(rng):
    return [rng.uniform(0.2, 0.8, (21, 3)).astype(np.float32) for _ in LABELS]


@pytest.mark.parametrize("method", ["neighbours", "correction"])
def test_adaptation_learns_a_persons_letter_the_model_misreads(method):
    rng = np.random.default_rng(0)
    centres = shapes(rng)
    # The base model reads this person's B as A: probabilities 0.6 A, 0.3 B, 0.1 C for every B.
    def probs_for(label, n):
        p = np.tile(np.array([[0.8, 0.1, 0.1]] if label != "B" else [[0.6, 0.3, 0.1]], np.float32), (n, 1))
        if label == "C":
            p[:] = [0.1, 0.1, 0.8]
        return p

    enrol = {c: synthetic_hands(rng, 3, centres[i]) for i, c in enumerate(LABELS)}
    test = {c: synthetic_hands(rng, 10, centres[i]) for i, c in enumerate(LABELS)}
    a = fit(LABELS, "sha", np.concatenate([probs_for(c, 3) for c in LABELS]),
            np.concatenate([enrol[c] for c in LABELS]), None, sum(([c] * 3 for c in LABELS), []), AdaptConfig(method=method))
    for i, c in enumerate(LABELS):
        out = a.apply(probs_for(c, 10), test[c], None)
        assert (out.argmax(1) == i).all(), (c, out[:2])
        assert np.allclose(out.sum(1), 1, atol=1e-5)


def test_a_hand_unlike_the_enrolled_ones_keeps_the_base_reading():
    # What keeps a profile personal: another person's hands are far from every enrolled frame.
    rng = np.random.default_rng(1)
    centres = shapes(rng)
    probs = np.tile(np.array([[0.6, 0.3, 0.1]], np.float32), (9, 1))
    a = fit(LABELS, "sha", probs, np.concatenate([synthetic_hands(rng, 3, c) for c in centres]), None,
            sum(([c] * 3 for c in LABELS), []))
    stranger = rng.uniform(0.2, 0.8, (5, 21, 3)).astype(np.float32)
    base = np.tile(np.array([[0.1, 0.2, 0.7]], np.float32), (5, 1))
    assert np.allclose(a.apply(base, stranger, None), base, atol=0.02)


def test_adaptation_saves_and_loads_and_refuses_a_damaged_file(tmp_path):
    rng = np.random.default_rng(2)
    a = fit(LABELS, "sha", np.full((3, 3), 1 / 3, np.float32), rng.uniform(0, 1, (3, 21, 3)), None, LABELS)
    a.save(tmp_path / "a.npz")
    b = Adaptation.load(tmp_path / "a.npz")
    lms = rng.uniform(0, 1, (4, 21, 3))
    probs = np.full((4, 3), 1 / 3, np.float32)
    assert np.allclose(a.apply(probs, lms), b.apply(probs, lms))
    (tmp_path / "a.npz").write_bytes(b"not an npz")
    with pytest.raises(ModelError, match="damaged adaptation file") as info:
        Adaptation.load(tmp_path / "a.npz")
    assert "\n" not in str(info.value)


def fake_frames(n, seed=0):
    """Frames with a hand in them: noise pictures (each differs, so the recorder keeps every one)."""
    rng = np.random.default_rng(seed)
    centre = rng.uniform(100, 200, (21, 3)).astype(np.float32)
    for i in range(n):
        image = rng.integers(0, 255, (240, 320, 3), dtype=np.uint8)
        yield Frame(image, i, 0.0, i / 10, f"f{i}"), Hand(centre + rng.normal(0, 0.2, (21, 3)).astype(np.float32), "Right", 1.0)


class Clock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


def test_a_walk_stopped_part_way_keeps_its_frames_and_redo_replaces_a_letter(tmp_path):
    store = ProfileStore(tmp_path)
    profile = store.create("ana")
    clock = Clock()
    walk = CalibrationWalk(profile, letters=("A", "B", "C"), frames_per_letter=4, countdown=2.0, clock=clock)
    frames = fake_frames(40)
    walk.offer(*next(frames))  # during the countdown nothing is saved
    assert walk.progress().phase == "countdown" and walk.progress().frames == 0
    clock.t = 2.5
    while walk.progress().letter == "A":
        walk.offer(*next(frames))
    assert walk.progress().letter == "B" and walk.progress().done == ("A",)
    walk.skip()
    clock.t = 5.0
    walk.offer(*next(frames))
    walk.offer(*next(frames))
    assert walk.progress().letter == "C" and walk.progress().frames >= 1
    walk.stop()
    assert walk.progress().phase == "stopped" and walk.progress().skipped == ("B",)
    counts = ProfileStore(tmp_path).get("ana").letter_counts()  # as a later run sees the folder
    assert counts["A"] == 4 and counts["C"] >= 1 and "B" not in counts

    walk = CalibrationWalk(profile, letters=("A", "B", "C"), frames_per_letter=4, countdown=0.0, clock=clock)
    walk.redo("A")
    frames = fake_frames(20, seed=5)
    while walk.progress().letter == "A":
        walk.offer(*next(frames))
    walk.stop()
    assert profile.letter_counts()["A"] == 4  # the first attempt's frames are dropped, the new ones count
    assert len([e for e in read_manifest(profile.frames_dir) if e["label"] == "A"]) == 8  # nothing deleted


def test_profiles_are_listed_switched_renamed_and_deleted(tmp_path):
    store = ProfileStore(tmp_path)
    assert store.names() == [] and store.active() is None
    store.create("Ana")
    store.create("bo")
    store.set_active("Ana")
    assert store.names() == ["Ana", "bo"] and store.active() == "Ana"
    store.rename("Ana", "Ana M")
    assert store.active() == "Ana M" and store.get("Ana M").meta()["name"] == "Ana M"
    with pytest.raises(ProfileError, match="already exists"):
        store.rename("bo", "Ana M")
    with pytest.raises(ProfileError, match="bad profile name"):
        store.create("../x")
    store.delete("Ana M")
    assert store.names() == ["bo"] and store.active() is None
    with pytest.raises(ProfileError, match="no profile named 'Ana M'"):
        store.get("Ana M")


def test_bad_profiles_get_one_line_messages(tmp_path, bundled_classifier):
    store = ProfileStore(tmp_path)
    empty = store.create("empty")
    with pytest.raises(ProfileError, match="no calibration frames") as info:
        empty.rebuild(bundled_classifier)
    assert "\n" not in str(info.value)
    with pytest.raises(ProfileError, match="not calibrated yet"):
        empty.adapted(bundled_classifier)
    (empty.folder / "profile.json").write_text("{ damaged")
    with pytest.raises(ProfileError, match="damaged profile file") as info:
        empty.meta()
    assert "\n" not in str(info.value)


def slice_of(letters_dir: Path, tmp_path: Path, letters=("A", "B", "V")) -> Path:
    root = tmp_path / SOURCE
    for c in letters:
        shutil.copytree(letters_dir / "signers2" / SOURCE / c, root / c)
    return root


def run(*args, env=None):
    return subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, timeout=900, env=env)


def test_calibrate_then_read_through_the_profile_and_another_model_is_detected(letters_dir, tmp_path,
                                                                               bundled_classifier, model_path):
    import os

    env = {**os.environ, "SIGNCAM_PROFILES": str(tmp_path / "profiles")}
    photos = slice_of(letters_dir, tmp_path)
    (photos / "C").mkdir()  # a letter with no hand in it: said in one line, the others still count
    cv2.imwrite(str(photos / "C" / "blank.jpg"), np.zeros((120, 120, 3), np.uint8))
    out = run("signcam.cli", "calibrate", str(photos), "--profile", "riya", "--per-letter", "3", env=env)
    assert out.returncode == 0, out.stderr
    assert "C: no hand found in" in out.stdout
    profile = ProfileStore(tmp_path / "profiles").get("riya")
    assert profile.letter_counts() == {"A": 3, "B": 3, "V": 3}
    meta = profile.meta()
    assert meta["letters"] == ["A", "B", "V"] and meta["check"]["frames"] > 0

    def v_confidence(*profile):
        out = run("signcam.cli", "read", str(photos / "V"), *profile, "--jsonl", str(tmp_path / "r.jsonl"), env=env)
        assert out.returncode == 0, out.stderr
        rows = [json.loads(line) for line in (tmp_path / "r.jsonl").read_text().splitlines()]
        return np.array([r["raw_confidence"] if r["raw_letter"] == "V" else 0.0 for r in rows if r["hand"]])

    alone, adapted = v_confidence(), v_confidence("--profile", "riya")
    assert len(alone) >= 3 and (adapted >= alone - 1e-3).all() and (adapted > alone + 0.01).any(), (alone, adapted)

    # Another base model (the bundled export and its .keras source differ by their SHA-256): said so.
    made = Path(meta["base_model_path"])
    other = made.with_suffix(".keras" if made.suffix == ".tflite" else ".tflite")
    with pytest.raises(ProfileError, match="made for another model") as info:
        profile.load_adaptation(other)
    assert "\n" not in str(info.value)
    out = run("signcam.cli", "read", str(photos / "V"), "--profile", "riya", "--model", str(other), env=env)
    assert out.returncode == 1 and "made for another model" in out.stderr and out.stderr.count("\n") == 1

    empty = tmp_path / "nohands"
    (empty / "A").mkdir(parents=True)
    cv2.imwrite(str(empty / "A" / "blank.jpg"), np.zeros((120, 120, 3), np.uint8))
    out = run("signcam.cli", "calibrate", str(empty), "--profile", "nobody", env=env)
    assert out.returncode == 1 and "no hand was found" in out.stderr and out.stderr.count("\n") == 1


def test_enroll_eval_on_a_small_slice(letters_dir, tmp_path):
    photos = slice_of(letters_dir, tmp_path)
    out = run("signcam.training.cli", "enroll-eval", str(photos), "--per-letter", "3", "--json", str(tmp_path / "e.json"))
    assert out.returncode == 0, out.stderr
    result = json.loads((tmp_path / "e.json").read_text())
    assert {"mean_before", "mean_after", "worst_after", "rows"} <= set(result)
    (row,) = result["rows"]
    assert row["person"] == SOURCE and row["enrolled"] == 9 and row["tested"] == 9
    assert 0 <= result["mean_after"] <= 1 and result["worst_after"] == row["after"]
    assert "mean" in out.stdout and SOURCE in out.stdout


def test_the_window_walks_a_calibration_adapts_in_the_background_and_switches_profiles(qtbot, teal_dir, model_path, tmp_path):
    pytest.importorskip("pytestqt")
    from PyQt6.QtCore import QSettings

    from signcam.app.settings import Settings
    from signcam.app.window import MainWindow
    from signcam.letters.adapt import AdaptedClassifier

    settings = Settings(QSettings(str(tmp_path / "signcam.ini"), QSettings.Format.IniFormat))
    settings.record_dir, settings.models_dir = tmp_path / "dataset", tmp_path / "models"
    window = MainWindow(settings, str(teal_dir / "A.mp4"), model_path)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.session.worker.classifier is not None, timeout=120_000)
    store = window.profiles.store
    assert window.profiles.label.text() == "profile: none"
    dialog = window.profiles.calibrate("teal", letters=("A", "B"), countdown=0.3, frames_per_letter=4)
    qtbot.waitUntil(lambda: dialog.letter.text() == "B", timeout=120_000)  # A's frames are in
    assert dialog.shape.text() == HANDSHAPES["B"] and dialog.strip.text().count("font-weight") == 1
    window.open_source(str(teal_dir / "B.mp4"))
    qtbot.waitUntil(dialog.close_button.isVisible, timeout=180_000)  # adapted (or failed) in the background
    assert dialog.error is None and "adapted in" in dialog.state.text()
    assert store.get("teal").letter_counts() == {"A": 4, "B": 4}
    qtbot.waitUntil(lambda: isinstance(window.session.worker.classifier, AdaptedClassifier), timeout=60_000)
    assert window.profiles.label.text() == "profile: teal" and store.active() == "teal"

    assert window.profiles.rename("teal", "teal2") and window.profiles.label.text() == "profile: teal2"
    assert window.profiles.switch(None)
    qtbot.waitUntil(lambda: not isinstance(window.session.worker.classifier, AdaptedClassifier), timeout=60_000)
    assert window.profiles.delete("teal2") and store.names() == []
    dialog.close()
    window.close()


def test_enroll_split_takes_the_first_photos_in_natural_order_or_one_session():
    from training.enroll_eval import enroll_split
    from training.prepare import Samples

    files = ["p/A/x_30.jpg", "p/A/x_132.jpg", "p/A/x_5.jpg", "p/A/x_77.jpg",
             "q/A/hand1_a_dif_1.jpg", "q/A/hand1_a_dif_2.jpg", "q/A/hand1_a_top_1.jpg", "q/A/hand1_a_bot_1.jpg"]
    n = len(files)
    samples = Samples(np.zeros((n, 4, 4, 3), np.uint8), np.zeros((n, 21, 3), np.float32), np.array(["A"] * n),
                      np.array(files), np.array(files), np.array(["Right"] * n), sources=np.array(["p"] * 4 + ["q"] * 4))
    enroll, test = enroll_split(samples, 2)
    assert [f for f, e in zip(files, enroll) if e and f.startswith("p")] == ["p/A/x_30.jpg", "p/A/x_5.jpg"]
    assert set(np.array(files)[test & (samples.sources == "p")]) == {"p/A/x_132.jpg", "p/A/x_77.jpg"}
    enroll, test = enroll_split(samples, 3, enroll_match="_dif_")
    q = samples.sources == "q"
    assert set(np.array(files)[enroll & q]) == {"q/A/hand1_a_dif_1.jpg", "q/A/hand1_a_dif_2.jpg"}
    assert set(np.array(files)[test & q]) == {"q/A/hand1_a_top_1.jpg", "q/A/hand1_a_bot_1.jpg"}
