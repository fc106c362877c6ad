"""Which model the app loads by default, and bad model files as one clear line."""
import json
import shutil

import numpy as np
import pytest

from signcam import cli
from signcam.letters.bundled import (BUNDLED_KERAS, BUNDLED_TFLITE, default_model, is_current_export, read_export_record,
                             source_model_for)
from signcam.letters.classifier import load_classifier


def test_the_default_is_the_bundled_tflite_export_of_the_bundled_keras():
    assert is_current_export(BUNDLED_TFLITE, BUNDLED_KERAS), (
        "models/signcam_mobilenet_v2.tflite was not exported from the .keras file as it is now: "
        "run `signcam-train export --bundled`")
    assert default_model() == BUNDLED_TFLITE
    assert source_model_for(BUNDLED_TFLITE) == BUNDLED_KERAS
    assert read_export_record(BUNDLED_TFLITE)["format"] == "tflite"


def test_an_export_is_stale_once_its_source_changes(tmp_path):
    for path in (BUNDLED_KERAS, BUNDLED_TFLITE, BUNDLED_TFLITE.with_suffix(".export.json")):
        shutil.copy(path, tmp_path / path.name)
    keras, tflite = tmp_path / BUNDLED_KERAS.name, tmp_path / BUNDLED_TFLITE.name
    assert is_current_export(tflite, keras)
    with open(keras, "ab") as f:  # a retrained model: other bytes
        f.write(b"\0")
    assert not is_current_export(tflite, keras)
    (tmp_path / "signcam_mobilenet_v2.export.json").unlink()
    assert not is_current_export(tflite, keras) and source_model_for(tflite) is None


def test_bundled_tflite_reads_real_crops_as_the_keras_model_does(tiny_original_cache):
    from signcam.training.prepare import load_cache

    samples = load_cache(tiny_original_cache)
    keras_probs = load_classifier(BUNDLED_KERAS).predict_batch(samples.crops, samples.landmarks)
    tflite = load_classifier(BUNDLED_TFLITE)
    assert type(tflite).__name__ == "TFLiteClassifier"
    tflite_probs = tflite.predict_batch(samples.crops, samples.landmarks)
    assert (keras_probs.argmax(1) == tflite_probs.argmax(1)).all()
    assert np.abs(keras_probs - tflite_probs).max() < 0.02
    assert tflite.predict_batch(samples.crops[:0], samples.landmarks[:0]).shape == (0, len(tflite.info.labels))


def _truncated(src, dst, keep=0.5):
    dst.write_bytes(src.read_bytes()[:int(src.stat().st_size * keep)])
    return dst


@pytest.mark.parametrize("make", [
    lambda d: _truncated(BUNDLED_KERAS, d / "cut.keras"),
    lambda d: _truncated(BUNDLED_TFLITE, d / "cut.tflite"),
    lambda d: (d / "text.tflite").write_text("not a model") and d / "text.tflite",
    lambda d: (d / "text.keras").write_text("not a model") and d / "text.keras",
], ids=["truncated-keras", "truncated-tflite", "text-as-tflite", "text-as-keras"])
def test_a_corrupt_model_file_is_one_line_not_a_valid_model_file(make, tmp_path, capsys):
    bad = make(tmp_path)
    (tmp_path / "labels.json").write_text(json.dumps({"labels": ["A", "B"], "input_size": 160}))
    assert cli.main(["read", "--model", str(bad), str(tmp_path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"signcam: error: not a valid model file: {bad} " + err[0].split(f"{bad} ", 1)[1]]
    assert "not found" not in err[0].lower()
