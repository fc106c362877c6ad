"""Bad dataset input: one line or a stated skip, never a traceback or a silent wrong result."""
import shutil

import numpy as np

from signcam.training import cli as train_cli
from signcam.training.prepare import CACHE_VERSION, Samples, load_cache, save_cache


def one_error_line(capsys) -> str:
    err = [line for line in capsys.readouterr().err.strip().splitlines() if line.startswith("signcam-train")]
    assert len(err) == 1 and err[0].startswith("signcam-train: error:"), err
    return err[0]


def test_a_folder_without_letter_folders_is_one_line(tmp_path, capsys, letters_dir):
    flat = tmp_path / "flat"
    flat.mkdir()
    shutil.copy(next((letters_dir / "keptsecret-train" / "A").glob("*.jpg")), flat / "a.jpg")
    (tmp_path / "deep" / "source" / "notes").mkdir(parents=True)
    for folder in (flat, tmp_path / "deep"):
        assert train_cli.main(["prepare", str(folder), "--out", str(tmp_path / "x.npz")]) == 1
        assert "has no letter folders with images" in one_error_line(capsys)
    assert not (tmp_path / "x.npz").exists()


def test_an_empty_class_is_skipped_with_a_warning(tmp_path, capsys, letters_dir):
    root = tmp_path / "set"
    (root / "B").mkdir(parents=True)
    (root / "A").mkdir()
    for src in sorted((letters_dir / "keptsecret-train" / "A").glob("*.jpg"))[:2]:
        shutil.copy(src, root / "A" / src.name)
    assert train_cli.main(["prepare", str(root), "--out", str(tmp_path / "x.npz")]) == 0
    assert f"warning: skipped empty class folder {root / 'B'}" in capsys.readouterr().out
    assert set(load_cache(tmp_path / "x.npz").labels) == {"A"}


def test_a_cache_from_an_older_version_is_refused_in_one_line(tmp_path, capsys):
    n = 3
    samples = Samples(np.zeros((n, 8, 8, 3), np.uint8), np.zeros((n, 21, 3), np.float32), np.array(["A", "B", "A"]),
                      np.array(["f"] * n), np.array(["g"] * n), np.array(["Left"] * n))
    save_cache(samples, tmp_path / "new.npz")
    assert len(load_cache(tmp_path / "new.npz")) == n
    with np.load(tmp_path / "new.npz") as z:  # what version 1 wrote: no version, sources or world
        old = {k: z[k] for k in ("crops", "landmarks", "labels", "files", "groups", "handedness", "report")}
    np.savez(tmp_path / "old.npz", **old)
    assert train_cli.main(["train", str(tmp_path / "old.npz"), "--out", str(tmp_path / "run")]) == 1
    line = one_error_line(capsys)
    assert f"version 1 cache; this signcam-train reads version {CACHE_VERSION}" in line and "prepare" in line
