"""`signcam-train scoreboard` on a small slice of the shared data, with the bundled model."""
import contextlib
import io
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


@pytest.fixture(scope="module")
def scored(data_slice, bundled_classifier, tmp_path_factory):
    """One scoreboard run on the slice: its JSON, what it printed, and its frame dump."""
    tmp = tmp_path_factory.mktemp("score")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = train_cli.main(["scoreboard", "--data", str(data_slice), "--json", str(tmp / "score.json"),
                               "--dump", str(tmp / "frames.jsonl")])
    assert code == 0, err.getvalue()
    return json.loads((tmp / "score.json").read_text()), out.getvalue(), err.getvalue(), tmp / "frames.jsonl"


def test_scoreboard_prints_one_table_of_photos_clips_and_words(scored):
    result, printed, log, _ = scored
    photos = result["photos"]["keptsecret-test"]
    assert photos["images"] == 6 and 0 < photos["detected"] <= 6 and 0 <= photos["accuracy"] <= 1
    assert "roboflow-train" not in result["photos"] and "roboflow-train: not found" in log
    assert set(result["clips"]) == {"teal-signer", "cream-wall"}
    teal = result["clips"]["teal-signer"]
    assert teal["clips"] == 4 and teal["exact"] == 4 - len(teal["wrong"])
    # Frames of each still letter's clip read as its letter: teal's H, E, L and O are read steadily.
    assert set(teal["frames_per_letter"]) == set("HELO") and teal["frames"] >= 0.8, teal["frames_per_letter"]
    assert result["clips_total"]["clips"] == 6
    assert result["words"]["HELLO (teal-signer)"]["read"] == "HELLO"  # the bundled model's promise
    assert "NAME (cream-wall): clips missing, skipped" in log
    fast = result["fast_words"]["teal-signer"]  # HELLO is the one listed word these four letters make
    assert fast["words"] == 1 and set(fast["read"]) == {"HELLO"} and "cream-wall" not in result["fast_words"]
    table = printed.splitlines()
    assert table[0].split()[:2] == ["measure", "result"]
    assert any(line.startswith("teal-signer clips") and f"{teal['exact']}/4" in line for line in table)
    assert any(line.startswith("word HELLO (teal-signer)") and "exact" in line for line in table)
    assert any(line.startswith("teal-signer 0.5 s cuts") for line in table)
    assert any(line.startswith("teal-signer frames") and f"{teal['frames']:.3f}" in line for line in table)


def test_scoreboard_without_shared_data_is_one_line(tmp_path, capsys):
    assert train_cli.main(["scoreboard", "--data", str(tmp_path)]) == 1
    assert capsys.readouterr().err.strip().startswith("signcam-train: error: no shared data at")


def test_respell_replays_the_speller_over_the_dump(scored, tmp_path, capsys):
    result, printed, _, dump = scored
    assert not dump.with_name(dump.name + ".partial").exists()
    sources = {json.loads(line)["source"] for line in dump.read_text().splitlines()}
    assert sources == {f"teal-signer/clip/{c}" for c in "HELO"} | {"cream-wall/clip/B", "cream-wall/clip/V",
                                                                   "teal-signer/word/HELLO", "teal-signer/cut/HELLO"}
    # With the speller as it is, the replay gives the scoreboard's own clip, word and cut rows.
    out = tmp_path / "respell.json"
    assert train_cli.main(["respell", str(dump), "--json", str(out)]) == 0
    again = json.loads(out.read_text())
    for key in ("clips", "words", "fast_words", "clips_total"):
        assert again[key] == result[key], key
    rows = [line for line in printed.splitlines() if not line.startswith("keptsecret-test")]
    assert capsys.readouterr().out.splitlines() == rows
    # A setting changes what is read: asking for a probability no frame reaches writes nothing.
    assert train_cli.main(["respell", str(dump), "--set", "threshold=1.01", "--json", str(out)]) == 0
    strict = json.loads(out.read_text())
    assert strict["clips_total"]["exact"] == 0 and strict["words"]["HELLO (teal-signer)"]["read"] == ""


@pytest.mark.parametrize("setting,message", [
    ("hold_tme=0.4", "no spelling setting 'hold_tme'"),
    ("motion.still=0.4", "no spelling setting 'motion.still'"),
    ("hold_time", "no spelling setting 'hold_time'"),
    ("hold_time=fast", "hold_time: 'fast' is not a float"),
    ("motion_letters=J", "motion_letters is not a number setting"),
])
def test_respell_refuses_a_bad_setting_in_one_line(scored, setting, message, capsys):
    assert train_cli.main(["respell", str(scored[3]), "--set", setting]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("signcam-train: error: ") and message in err and "\n" not in err


def test_respell_refuses_a_file_that_is_no_scoreboard_dump(tmp_path, capsys):
    other = tmp_path / "read.jsonl"
    other.write_text(json.dumps({"source": "A.mp4", "t": 0.0, "probs": None, "landmarks": None}) + "\n")
    assert train_cli.main(["respell", str(other)]) == 1
    assert "is not <set>/clip|word|cut/<name>" in capsys.readouterr().err
    assert train_cli.main(["respell", str(tmp_path / "missing.jsonl")]) == 1
    assert "cannot read" in capsys.readouterr().err
