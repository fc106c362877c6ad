"""Cross-validation by source, and its audit, on a small slice of real photos: three webcam sources, three letters."""
import json
import shutil

import numpy as np
import pytest

from signcam.training import cli as train_cli
from signcam.training.crossval import source_folds
from signcam.training.prepare import load_cache

SOURCES = ("sufyan", "mandeep", "meyyappan")
CLASSES = ("A", "B", "L")


@pytest.fixture(scope="module")
def sources_cache(tmp_path_factory, letters_dir):
    """letters/signers-style folder of sources, prepared as one folder (DATA_DIR/<SOURCE>/<CLASS>/)."""
    root = tmp_path_factory.mktemp("slice") / "signers"
    for source in SOURCES:
        for cls in CLASSES:
            (root / source / cls).mkdir(parents=True)
            for src in sorted((letters_dir / "signers" / source / cls).glob("*.jpg"))[:5]:
                shutil.copy(src, root / source / cls / src.name)
    out = root.parent / "slice.npz"
    assert train_cli.main(["prepare", str(root), "--out", str(out)]) == 0
    return out


def test_a_folder_of_sources_is_prepared_with_each_source_named(sources_cache):
    samples = load_cache(sources_cache)
    assert set(samples.sources) == set(SOURCES)
    assert set(samples.labels) == set(CLASSES)
    assert samples.world.shape == samples.landmarks.shape and np.abs(samples.world).sum() > 0


def test_folds_hold_out_whole_sources_evenly():
    sources = np.array(["k"] * 50 + ["a"] * 10 + ["b"] * 9 + ["c"] * 8 + ["d"] * 7 + ["e"] * 6 + ["f"] * 5 + ["g"] * 4)
    folds = source_folds(sources, 4)
    assert sorted(s for f in folds for s in f) == sorted(set(sources))
    assert [len(f) for f in folds] == [2, 2, 2, 2]
    with pytest.raises(ValueError, match="at least 9 sources"):
        source_folds(sources, 9)


def test_landmark_crossval_scores_every_source_on_a_model_that_never_saw_it(sources_cache, tmp_path, capsys):
    out = tmp_path / "cv"
    args = ["crossval", str(sources_cache), "--folds", "3", "--out", str(out), "--landmarks-only",
            "--landmark-epochs", "10", "--features", "xy,palm,angles", "--test", str(sources_cache)]
    assert train_cli.main(args) == 0
    printed = capsys.readouterr().out
    result = json.loads((out / "crossval.json").read_text())
    assert sorted(len(f) for f in result["folds"]) == [1, 1, 1]  # one source held out per fold
    assert set(result["per_source"]) == set(SOURCES)
    accs = [v["accuracy"] for v in result["per_source"].values()]
    assert result["mean_over_sources"] == pytest.approx(np.mean(accs), abs=1e-4)
    assert result["worst_source"]["accuracy"] == min(accs)
    assert np.array(result["confusion"]).sum() == len(load_cache(sources_cache))
    assert set(result["per_letter_recall"]) == set(CLASSES)
    assert len(result["tests"]["slice"]["per_fold"]) == 3
    assert "worst:" in printed and (out / "crossval_confusion.png").read_bytes()[:4] == b"\x89PNG"


def test_full_recipe_crossval_continues_a_stopped_run(sources_cache, tmp_path, mobilenet_weights, capsys):
    out = tmp_path / "cv"
    args = ["crossval", str(sources_cache), "--folds", "3", "--out", str(out), "--weights", str(mobilenet_weights),
            "--landmark-epochs", "2", "--head-epochs", "1", "--finetune-epochs", "0", "--steps-per-epoch", "1",
            "--batch-size", "8"]
    assert train_cli.main(args) == 0
    first = json.loads((out / "crossval.json").read_text())
    (out / "crossval.json").unlink()
    shutil.rmtree(out / "fold_3")  # as if killed during the last fold
    capsys.readouterr()
    assert train_cli.main(args) == 0
    log = capsys.readouterr().out
    assert log.count("already done") == 2
    again = json.loads((out / "crossval.json").read_text())
    assert set(again["per_source"]) == set(SOURCES) and again["folds"] == first["folds"]
    assert (out / "fold_1" / "model.keras").is_file()

    # enroll-eval with the fold models: each person adapted to by the one model that never saw them.
    enrolled = tmp_path / "enroll.json"
    assert train_cli.main(["enroll-eval", str(sources_cache), "--per-letter", "2", "--crossval", str(out),
                           "--json", str(enrolled)]) == 0
    result = json.loads(enrolled.read_text())
    folds_of = {s: f"fold_{i + 1}" for i, fold in enumerate(again["folds"]) for s in fold}
    assert {r["person"]: r["fold"] for r in result["rows"]} == folds_of
    photos = load_cache(sources_cache)
    for r in result["rows"]:
        counts = [np.sum((photos.sources == r["person"]) & (photos.labels == c)) for c in CLASSES]
        assert r["enrolled"] == sum(min(2, n) for n in counts) and r["tested"] == sum(n - min(2, n) for n in counts)
    assert train_cli.main(["enroll-eval", str(sources_cache), "--crossval", str(tmp_path / "none")]) == 1


def test_always_trained_sources_keep_the_folds_and_a_share_trains_fewer_people(sources_cache, tmp_path, capsys):
    from signcam.training.prepare import save_cache

    # A second cache whose one source joins every fold's training: the folds over the first cache stay
    # those of a run without it (issue 9's folds, with new people added to each fold's training).
    samples = load_cache(sources_cache)
    extra = samples.subset(samples.sources == "sufyan")
    extra.sources = np.array(["extra"] * len(extra))
    extra_cache = tmp_path / "extra.npz"
    save_cache(extra, extra_cache)
    base = ["crossval", str(sources_cache), "--folds", "3", "--landmarks-only", "--landmark-epochs", "3"]
    assert train_cli.main([*base, "--out", str(tmp_path / "plain")]) == 0
    assert train_cli.main([*base, "--out", str(tmp_path / "more"), "--always-train", str(extra_cache)]) == 0
    plain = json.loads((tmp_path / "plain" / "crossval.json").read_text())
    more = json.loads((tmp_path / "more" / "crossval.json").read_text())
    assert more["folds"] == plain["folds"] and set(more["per_source"]) == set(SOURCES)  # "extra" is never scored
    for fold, trained in zip(more["folds"], more["training_sources_per_fold"]):
        assert "extra" in trained and not set(fold) & set(trained)

    # Half of each fold's two training sources is one, drawn the same way on a rerun.
    half = [*base, "--out", str(tmp_path / "half"), "--train-share", "0.5", "--draw", "1"]
    assert train_cli.main(half) == 0
    drawn = json.loads((tmp_path / "half" / "crossval.json").read_text())["training_sources_per_fold"]
    assert all(len(s) == 1 for s in drawn)
    capsys.readouterr()
    assert train_cli.main(half) == 0
    assert capsys.readouterr().out.count("already done") == 3
    assert train_cli.main([*base, "--out", str(tmp_path / "bad"), "--train-share", "0"]) == 1
    assert "--train-share must be in (0, 1]" in capsys.readouterr().err


def test_learning_curve_writes_its_points_and_plot(sources_cache, tmp_path, capsys):
    out = tmp_path / "curve"
    args = ["learning-curve", str(sources_cache), "--folds", "3", "--shares", "0.5,1", "--draws", "2",
            "--landmark-epochs", "3", "--out", str(out), "--test", str(sources_cache)]
    assert train_cli.main(args) == 0
    result = json.loads((out / "learning_curve.json").read_text())
    assert [(p["share"], p["draw"]) for p in result["points"]] == [(0.5, 0), (0.5, 1), (1.0, 0)]
    assert [p["training_people"] for p in result["points"]] == [1, 1, 2]  # two sources trained per fold at 100%
    assert set(result["slope_per_doubling"]) == {"held-out mean", "held-out worst", "slice"}
    assert (out / "learning_curve.png").read_bytes()[:4] == b"\x89PNG"
    assert "gained per doubling" in capsys.readouterr().out
    assert train_cli.main([*args[:-4], "--shares", "half", "--out", str(out)]) == 1
    assert "--shares takes numbers" in capsys.readouterr().err


def _samples(sources, labels):
    from signcam.training.prepare import Samples

    n = len(labels)
    return Samples(crops=np.zeros((n, 8, 8, 3), np.uint8), landmarks=np.zeros((n, 21, 3), np.float32),
                   labels=np.array(labels), files=np.array([f"{i}.jpg" for i in range(n)]),
                   groups=np.array(sources), handedness=np.array(["Left"] * n))


def test_odd_cells_are_a_sources_letter_that_others_read_as_one_other_letter():
    from signcam.training.audit import odd_cells

    names = ["A", "B", "L", "space"]
    rows = []  # (source, label, read as)
    for s in "abcdefg":
        rows += [(s, "A", "A")] * 5 + [(s, "L", "L")] * 5
        rows += [(s, "B", "L" if s == "a" else "B")] * 5  # source a's B reads as L to everyone else
    rows += [("b", "A", "B")] * 1  # one stray reading: not a cell
    rows += [("k", "space", "A")] * 6  # only one source has space: nothing to compare with
    rows += [("big", "L", "A")] * 80  # most of all L photos signed alike: a way people sign it
    sources, labels, read = zip(*rows)
    probs = np.eye(len(names), dtype=np.float32)[[names.index(r) for r in read]]
    cells = odd_cells(_samples(sources, labels), probs, names)
    assert cells == [{"source": "a", "label": "B", "read_as": "L", "photos": 5, "read_as_count": 5}]
    assert {c["source"] for c in odd_cells(_samples(sources, labels), probs, names, max_label_share=1.0)} == {"a", "big"}


def test_audit_lists_odd_cells_and_drop_cells_leaves_them_out_of_training_only(sources_cache, tmp_path, capsys):
    from signcam.training.audit import held_out_probs

    cv = tmp_path / "cv"
    common = ["--folds", "3", "--landmarks-only", "--landmark-epochs", "5"]
    assert train_cli.main(["crossval", str(sources_cache), *common, "--out", str(cv)]) == 0
    audit = tmp_path / "audit"
    assert train_cli.main(["audit", str(sources_cache), "--crossval", str(cv), "--share", "0.0",
                           "--out", str(audit)]) == 0
    cells = json.loads((audit / "odd_cells.json").read_text())["cells"]
    assert (audit / "odd_cells.png").stat().st_size > 0
    samples = load_cache(sources_cache)
    probs, names = held_out_probs(cv, samples)
    pred = np.array(names)[probs.argmax(1)]
    for c in cells:  # each listed cell is what its held-out readings say
        cell = (samples.sources == c["source"]) & (samples.labels == c["label"])
        assert c["photos"] == cell.sum() and (pred[cell] == c["read_as"]).sum() == c["read_as_count"] > 0

    # Leave one (source, letter) cell out of training: each fold trains on that many fewer photos,
    # and the held-out figures still count every photo.
    drop = tmp_path / "drop.json"
    drop.write_text(json.dumps({"cells": [{"source": "mandeep", "label": "B"}]}))
    n_cell = int(((samples.sources == "mandeep") & (samples.labels == "B")).sum())
    cv2_ = tmp_path / "cv_drop"
    capsys.readouterr()
    assert train_cli.main(["crossval", str(sources_cache), *common, "--drop-cells", str(drop), "--out", str(cv2_)]) == 0
    printed = capsys.readouterr().out
    assert f"leaving {n_cell} photos" in printed
    records = [json.loads((cv2_ / f"fold_{k}" / "result.json").read_text()) for k in (1, 2, 3)]
    assert sorted(r["dropped"] for r in records) == [0, n_cell, n_cell]  # 0: the fold that holds mandeep out
    assert np.array(json.loads((cv2_ / "crossval.json").read_text())["confusion"]).sum() == len(samples)


def test_bad_cells_files_are_one_line_errors(sources_cache, tmp_path, capsys):
    common = ["crossval", str(sources_cache), "--folds", "3", "--landmarks-only", "--out", str(tmp_path / "cv")]
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2")
    missing = tmp_path / "missing.json"
    misspelt = tmp_path / "misspelt.json"
    misspelt.write_text(json.dumps({"cells": [{"source": "mandep", "label": "B"}]}))
    for path, says in ((bad, "is not a list of cells"), (missing, "cannot read"), (misspelt, "no photos of B from source 'mandep'")):
        assert train_cli.main([*common, "--drop-cells", str(path)]) == 1
        err = capsys.readouterr().err.strip()
        assert says in err and len(err.splitlines()) == 1
    assert train_cli.main(["audit", str(sources_cache), "--crossval", str(tmp_path / "none"), "--out", str(tmp_path / "a")]) == 1
    assert "is not a finished cross-validation" in capsys.readouterr().err


def test_the_wrong_sign_cells_name_real_training_folders(letters_dir):
    """training/wrong_sign_cells.json (cells judged by eye not to show their letter) loads as a cells
    file, and each cell is a letter folder of a training source with photos in it: a misspelt
    source would drop nothing."""
    from pathlib import Path

    from signcam.training.audit import load_cells

    path = Path(__file__).resolve().parent.parent / "training" / "wrong_sign_cells.json"
    cells = load_cells(path)
    assert cells and len({(c["source"], c["label"]) for c in cells}) == len(cells)
    for c in cells:
        folders = [letters_dir / training_set / c["source"] / c["label"] for training_set in ("signers", "signers2")]
        assert any(f.is_dir() and any(f.iterdir()) for f in folders), folders
    assert all("shows" in c for c in json.loads(path.read_text())["cells"])  # each says why
