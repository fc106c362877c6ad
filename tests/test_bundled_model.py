"""The bundled model's promises, measured on real data it was never trained on."""
import json

import pytest

from signcam import cli
from signcam.training import cli as train_cli

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def test_bundled_model_ships_its_labels_and_card(bundled_classifier):
    from signcam.letters.classifier import DEFAULT_MODEL

    assert bundled_classifier.info.labels == sorted([*LETTERS, "del", "nothing", "space"])
    assert DEFAULT_MODEL.stat().st_size < 30e6
    assert (DEFAULT_MODEL.parent / "MODEL.md").is_file()


def test_keptsecret_test_accuracy_over_detected_hands(letters_dir, bundled_classifier, tmp_path):
    out = tmp_path / "keptsecret-test.json"
    assert train_cli.main(["evaluate", str(letters_dir / "keptsecret-test"), "--json", str(out)]) == 0
    result = json.loads(out.read_text())
    assert result["images"] == 870
    assert result["accuracy"] >= 0.97
    supported = [c for c, m in result["per_class"].items() if m["support"]]
    assert len(supported) == 29  # every class has detected hands and is scored


def test_roboflow_train_many_new_signers(letters_dir, bundled_classifier, tmp_path):
    out = tmp_path / "roboflow-train.json"
    assert train_cli.main(["evaluate", str(letters_dir / "roboflow-train"), "--json", str(out)]) == 0
    result = json.loads(out.read_text())
    assert result["images"] == 1512
    # Measured 0.8299 with the default int8 export (0.8276 the .keras; models/MODEL.md), less a
    # small margin: people the model never saw.
    assert result["accuracy"] >= 0.815, result["accuracy"]


# Clips exact per set as measured with this model, speller and int8 landmark model (models/MODEL.md:
# teal 25, cream-wall 15, hands-blue-wall 22), less one clip of margin.
CLIP_FLOORS = {"teal-signer": 24, "cream-wall": 14, "hands-blue-wall": 21}


@pytest.mark.parametrize("clip_set", sorted(CLIP_FLOORS))
def test_clip_sets_of_new_signers_read_as_their_letter(clip_set, teal_dir, bundled_classifier, capsys):
    clips = sorted((teal_dir.parent / clip_set).glob("*.mp4"))
    assert len(clips) == 26
    assert cli.main(["read", *map(str, clips)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    got = {line.split("\t")[0]: line.split("\t")[1] if "\t" in line else "" for line in lines}
    wrong = {c.stem: got[str(c)] for c in clips if got[str(c)] != c.stem}
    assert 26 - len(wrong) >= CLIP_FLOORS[clip_set], f"only {26 - len(wrong)} of 26 exact; wrong: {wrong}"
