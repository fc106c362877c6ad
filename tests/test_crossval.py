"""Cross-validation by source on a small slice of real photos: three webcam sources, three letters."""
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
