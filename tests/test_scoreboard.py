"""`signcam-train scoreboard` on a small slice of the shared data, with the bundled model."""
import json

import pytest

from signcam.training import cli as train_cli


@pytest.fixture(scope="module")
def data_slice(tmp_path_factory, letters_dir, teal_dir):
    """letters/keptsecret-test with two letters; teal clips for HELLO; two cream-wall clips (no word there)."""
    root = tmp_path_factory.mktemp("shared") / "data"
    for cls in ("B", "L"):
        (root / "letters" / "keptsecret-test" / cls).mkdir(parents=True)
        for src in sorted((letters_dir / "keptsecret-test" / cls).glob("*.jpg"))[:3]:
            (root / "letters" / "keptsecret-test" / cls / src.name).symlink_to(src)
    for set_name, letters in (("teal-signer", "HELO"), ("cream-wall", "BV")):
        (root / "videos" / set_name).mkdir(parents=True)
        for letter in letters:
            (root / "videos" / set_name / f"{letter}.mp4").symlink_to(teal_dir.parent / set_name / f"{letter}.mp4")
    return root


def test_scoreboard_prints_one_table_of_photos_clips_and_words(data_slice, bundled_classifier, tmp_path, capsys):
    out = tmp_path / "score.json"
    assert train_cli.main(["scoreboard", "--data", str(data_slice), "--json", str(out)]) == 0
    captured = capsys.readouterr()
    result = json.loads(out.read_text())
    photos = result["photos"]["keptsecret-test"]
    assert photos["images"] == 6 and 0 < photos["detected"] <= 6 and 0 <= photos["accuracy"] <= 1
    assert "roboflow-train" not in result["photos"] and "roboflow-train: not found" in captured.err
    assert set(result["clips"]) == {"teal-signer", "cream-wall"}
    teal = result["clips"]["teal-signer"]
    assert teal["clips"] == 4 and teal["exact"] == 4 - len(teal["wrong"])
    # Frames of each still letter's clip read as its letter: teal's H, E, L and O are read steadily.
    assert set(teal["frames_per_letter"]) == set("HELO") and teal["frames"] >= 0.8, teal["frames_per_letter"]
    assert result["clips_total"]["clips"] == 6
    assert result["words"]["HELLO (teal-signer)"]["read"] == "HELLO"  # the bundled model's promise
    assert "NAME (cream-wall): clips missing, skipped" in captured.err
    fast = result["fast_words"]["teal-signer"]  # HELLO is the one listed word these four letters make
    assert fast["words"] == 1 and set(fast["read"]) == {"HELLO"} and "cream-wall" not in result["fast_words"]
    table = captured.out.splitlines()
    assert table[0].split()[:2] == ["measure", "result"]
    assert any(line.startswith("teal-signer clips") and f"{teal['exact']}/4" in line for line in table)
    assert any(line.startswith("word HELLO (teal-signer)") and "exact" in line for line in table)
    assert any(line.startswith("teal-signer 0.5 s cuts") for line in table)
    assert any(line.startswith("teal-signer frames") and f"{teal['frames']:.3f}" in line for line in table)


def test_scoreboard_without_shared_data_is_one_line(tmp_path, capsys):
    assert train_cli.main(["scoreboard", "--data", str(tmp_path)]) == 1
    assert capsys.readouterr().err.strip().startswith("signcam-train: error: no shared data at")
