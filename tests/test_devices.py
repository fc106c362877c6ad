"""Where the letter model runs (--device), the back-end-neutral Keras classifier and the
classifier-only benchmark, on the CPU-only machines tests run on. A GPU is faked only to test how
one is chosen; every model output here is the real model's."""
import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from signcam.cli import main
from signcam.errors import ModelError
from signcam.letters import devices
from signcam.letters.bundled import BUNDLED_KERAS
from signcam.training.cache import load_cache


def no_gpu_here() -> bool:
    return devices.find_gpu()[0] is None


def test_a_gpu_is_taken_from_the_first_back_end_that_sees_one(monkeypatch):
    monkeypatch.setattr(devices, "backends_to_try", lambda: ["jax", "torch", "tensorflow"])

    def broken():
        raise RuntimeError("CUDA driver too old")
    seen = devices.find_gpu({"jax": broken, "torch": lambda: "NVIDIA H200", "tensorflow": lambda: "other"})
    assert seen == (devices.Gpu("torch", "NVIDIA H200"), "")
    assert seen[0].label == "GPU (NVIDIA H200, torch)"
    assert devices.choose_gpu("auto", {"jax": lambda: None, "torch": lambda: None}) is None
    with pytest.raises(ModelError, match=r"^--device gpu: no installed Keras back end sees a GPU \(asked jax, torch\)$"):
        devices.choose_gpu("gpu", {"jax": lambda: None, "torch": lambda: None})
    # cpu asks nobody; a device that is not one is refused.
    assert devices.choose_gpu("cpu", {"jax": broken}) is None
    with pytest.raises(ModelError, match="unknown device 'tpu'"):
        devices.choose_gpu("tpu")


@pytest.mark.skipif(not no_gpu_here(), reason="this machine has a GPU")
def test_device_gpu_without_a_gpu_is_a_one_line_error(teal_dir, tmp_path, capsys):
    done = subprocess.run([sys.executable, "-m", "signcam.cli", "read", str(teal_dir / "A.mp4"), "--device", "gpu"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 1
    assert done.stderr.startswith("signcam: error: --device gpu: ") and done.stderr.count("\n") == 1, done.stderr
    cache = tmp_path / "none.npz"  # the device is refused before the cache is read
    assert main(["bench", str(cache), "--classifier-only", "--device", "gpu"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("signcam: error: --device gpu: ") and err.count("\n") == 1


def test_auto_on_a_machine_without_a_gpu_is_the_tflite_model_on_the_cpu():
    if not no_gpu_here():
        pytest.skip("this machine has a GPU")
    from signcam.letters.classifier import load_classifier

    classifier = load_classifier(None, "auto")
    assert classifier.path.suffix == ".tflite" and classifier.device == "CPU"


def test_the_keras_classifier_gives_todays_probabilities_under_tensorflow(tiny_original_cache):
    if "keras" in sys.modules and sys.modules["keras"].backend.backend() != "tensorflow":
        pytest.skip("Keras runs on another back end in this process")
    from signcam.letters.classifier import load_classifier
    from signcam.runtime import import_tensorflow

    samples = load_cache(tiny_original_cache)
    classifier = load_classifier(BUNDLED_KERAS, "cpu")
    assert classifier.device == "CPU (tensorflow)"
    got = classifier.predict_batch(samples.crops, samples.landmarks, samples.handedness)

    # Today's KerasClassifier, as it was before the back ends: one tf.function over the loaded model.
    tf = import_tensorflow()
    import keras

    model = keras.models.load_model(BUNDLED_KERAS, compile=False)
    s = classifier.info.input_size
    call = tf.function(lambda crop, lms: model({"crop": crop, "landmarks": lms}, training=False),
                       input_signature=[tf.TensorSpec([None, s, s, 3], tf.uint8), tf.TensorSpec([None, 21, 3], tf.float32)])
    from signcam.letters.classifier import model_view
    expected = call(*model_view(classifier.info, samples.crops, samples.landmarks, samples.handedness)).numpy()
    np.testing.assert_allclose(got, expected, atol=1e-6)
    labels = np.array(classifier.info.labels)
    assert (labels[got.argmax(1)] == samples.labels).mean() >= 0.8  # and it reads these photos


def test_classifier_only_prints_its_table_and_checks_against_a_reference(tiny_original_cache, tmp_path, capsys):
    figures, ref = tmp_path / "bench.json", tmp_path / "ref.npz"
    n = len(load_cache(tiny_original_cache))
    assert main(["bench", str(tiny_original_cache), "--classifier-only", "--device", "cpu", "--batch-sizes", "1,4",
                 "--json", str(figures), "--write-reference", str(ref)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"signcam bench --classifier-only: {n} crops of original.npz, model ")
    assert out[1].split() == ["batch", "ms/batch", "crops/s"]
    assert [line.split()[0] for line in out[2:4]] == ["1", "4"]
    assert any(line.strip().startswith("accuracy") for line in out)
    result = json.loads(figures.read_text())
    assert [s["batch"] for s in result["sizes"]] == [1, 4] and all(s["crops_per_s"] > 0 for s in result["sizes"])
    assert len(load_cache(ref)) == n  # the slice is a cache itself

    # Run on the slice: it carries its reference, and the same model on the same CPU gives the same outputs.
    assert main(["bench", str(ref), "--classifier-only", "--device", "cpu", "--batch-sizes", "2"]) == 0
    out = capsys.readouterr().out
    assert f"same letter for {n} of {n} crops, largest probability difference 0.0e+00" in out
    # Compared on other crops, it says so in one line.
    assert main(["bench", str(tiny_original_cache), "--classifier-only", "--device", "cpu", "--limit", "3",
                 "--reference", str(ref)]) == 1
    err = capsys.readouterr().err
    assert "was made on other crops" in err and err.count("\n") == 1


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_the_same_letters_under_jax_and_pytorch_without_tensorflow(backend, tiny_original_cache, tmp_path, capsys):
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"{backend} is not installed (CI installs only .[test]; e.g. pip install jax==0.7.1 or torch)")
    ref = tmp_path / "ref.npz"  # the .keras model's outputs on this process's back end (TensorFlow)
    assert main(["bench", str(tiny_original_cache), "--classifier-only", "--device", "cpu", "--model",
                 str(BUNDLED_KERAS), "--limit", "6", "--batch-sizes", "2", "--write-reference", str(ref)]) == 0
    capsys.readouterr()
    figures = tmp_path / f"{backend}.json"
    code = ("import sys; from signcam.cli import main; "
            f"rc = main(['bench', {str(ref)!r}, '--classifier-only', '--device', 'cpu', '--model', {str(BUNDLED_KERAS)!r},"
            f" '--batch-sizes', '1,2', '--json', {str(figures)!r}]); "
            "print('imported:', [m for m in ('tensorflow', 'mediapipe') if m in sys.modules]); sys.exit(rc)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=900,
                          env={**os.environ, "KERAS_BACKEND": backend})
    assert done.returncode == 0, done.stderr
    assert "imported: []" in done.stdout  # the classifier-only path needs neither
    result = json.loads(figures.read_text())
    assert result["device"] == f"CPU ({backend})"
    assert result["reference"]["same_letters"] == result["crops"] == 6
    assert result["reference"]["max_abs_diff"] < 1e-3
