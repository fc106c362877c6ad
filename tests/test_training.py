"""A tiny real training run on real photos: prepare -> train -> resume -> save -> load -> evaluate -> export."""
import json
import shutil

import numpy as np
import pytest

from signcam.letters.classifier import load_classifier
from signcam.training import cli as train_cli
from signcam.training.prepare import load_cache

CLASSES = ["A", "B", "L"]


@pytest.fixture(scope="module")
def tiny_dataset(tmp_path_factory, letters_dir):
    """12 images per class from keptsecret-train, plus one unreadable file."""
    root = tmp_path_factory.mktemp("data") / "tiny"
    for cls in CLASSES:
        (root / cls).mkdir(parents=True)
        for src in sorted((letters_dir / "keptsecret-train" / cls).glob("*.jpg"))[:12]:
            shutil.copy(src, root / cls / src.name)
    (root / "A" / "broken.jpg").write_bytes(b"\xff\xd8 truncated")
    return root


@pytest.fixture(scope="module")
def cache(tiny_dataset, tmp_path_factory):
    out = tmp_path_factory.mktemp("cache") / "tiny.npz"
    assert train_cli.main(["prepare", str(tiny_dataset), "--out", str(out)]) == 0
    return out


def test_prepare_caches_crops_and_reports_bad_files(cache, capsys):
    samples = load_cache(cache)
    assert samples.crops.shape[1:] == (160, 160, 3) and samples.crops.dtype == np.uint8
    assert samples.landmarks.shape[1:] == (21, 3)
    assert set(samples.labels) == set(CLASSES)
    assert len(samples) + sum(samples.no_hand.values()) == 36
    assert any(p.endswith("broken.jpg") for p in samples.unreadable)
    assert all(g.startswith("tiny/") for g in samples.groups)


@pytest.fixture(scope="module")
def trained(cache, tmp_path_factory, mobilenet_weights):
    out = tmp_path_factory.mktemp("run")
    args = ["train", str(cache), "--weights", str(mobilenet_weights), "--out", str(out),
            "--head-epochs", "1", "--finetune-epochs", "0", "--steps-per-epoch", "2", "--batch-size", "8",
            "--val-fraction", "0.3", "--landmark-heads", "2"]
    assert train_cli.main(args) == 0
    state = json.loads((out / "checkpoints" / "state.json").read_text())
    assert state["phase"] == 0 and state["epoch"] == 1
    # Resume: the finished head epoch is kept and fine-tuning continues from the checkpoint.
    args[args.index("--finetune-epochs") + 1] = "1"
    assert train_cli.main(args + ["--resume"]) == 0
    return out


def test_train_resumes_and_writes_model_labels_metrics_and_plots(trained):
    state = json.loads((trained / "checkpoints" / "state.json").read_text())
    assert len(state["history"]["loss"]) == 2  # one head epoch + one fine-tuning epoch, not three
    assert state["phase_starts"] == [0, 1]
    assert json.loads((trained / "labels.json").read_text())["labels"] == CLASSES
    metrics = json.loads((trained / "metrics.json").read_text())
    assert metrics["validation"]["per_class"].keys() == set(CLASSES)
    for png in ("training_curves.png", "confusion_validation.png"):
        assert (trained / png).read_bytes()[:4] == b"\x89PNG"


def test_trained_model_loads_and_predicts(trained, cache):
    clf = load_classifier(trained / "model.keras")
    samples = load_cache(cache)
    probs = clf.predict_batch(samples.crops[:5], samples.landmarks[:5])
    assert probs.shape == (5, 3)
    assert np.allclose(probs.sum(axis=1), 1, atol=1e-4)
    assert clf.info.labels == CLASSES and clf.info.input_size == 160


def _readings(model, samples, names):
    """These layers' outputs for the samples."""
    import keras

    inner = keras.Model(model.input, [model.get_layer(n).output for n in names])
    return inner.predict({"crop": samples.crops, "landmarks": samples.landmarks.astype(np.float32)}, verbose=0)


def test_several_landmark_heads_are_trained_apart_and_averaged(trained, cache):
    samples = load_cache(cache)
    model = load_classifier(trained / "model.keras").model
    a, b, mean = _readings(model, samples, ["from_landmarks", "from_landmarks_2", "landmark_heads_mean"])
    truth = np.array([CLASSES.index(c) for c in samples.labels])
    for head in (a, b):  # each learned the letters on its own (three classes: chance is a third)
        assert np.mean(head.argmax(1) == truth) >= 0.6
    first, second = (model.get_layer(n).get_weights()[0] for n in ("lms_dense1", "lms2_dense1"))
    assert first.shape == second.shape and np.abs(first - second).mean() > 0.01  # its own weights
    np.testing.assert_allclose(mean, (a + b) / 2, atol=1e-6)


def test_retraining_a_model_with_several_landmark_heads_trains_all_of_them(trained, cache, tmp_path):
    from signcam.training.retrain import RetrainConfig, retrain

    samples = load_cache(cache)
    before = load_classifier(trained / "model.keras").model
    result = retrain(trained / "model.keras", samples, samples, tmp_path,
                     RetrainConfig(epochs=1, gap=1, original_per_class=4), log=lambda *a: None)
    after = load_classifier(result["model"]).model
    for name in ("lms_dense1", "lms2_dense1", "head_dense"):  # both landmark MLPs and the fused head learn
        assert np.abs(after.get_layer(name).get_weights()[0] - before.get_layer(name).get_weights()[0]).max() > 0, name
    base = next(layer for layer in after.layers if layer.name.startswith("mobilenetv2"))
    base_before = next(layer for layer in before.layers if layer.name.startswith("mobilenetv2"))
    assert all(np.array_equal(a, b) for a, b in zip(base.get_weights(), base_before.get_weights()))  # the backbone kept


def test_evaluate_writes_json_and_confusion_png(trained, tiny_dataset, tmp_path):
    out = tmp_path / "eval.json"
    assert train_cli.main(["evaluate", str(tiny_dataset), "--model", str(trained / "model.keras"),
                           "--json", str(out)]) == 0
    result = json.loads(out.read_text())
    for key in ("accuracy", "images", "detected", "labels", "per_class", "confusion"):
        assert key in result
    assert result["images"] == 36
    assert np.array(result["confusion"]).sum() == result["detected"]
    assert out.with_suffix(".png").is_file()


def test_export_tflite_matches_keras(trained, cache):
    from signcam.training.export import export_tflite

    tfl = export_tflite(trained / "model.keras")
    samples = load_cache(cache)
    a = load_classifier(trained / "model.keras").predict_batch(samples.crops[:4], samples.landmarks[:4])
    b = load_classifier(tfl).predict_batch(samples.crops[:4], samples.landmarks[:4])
    assert np.allclose(a, b, atol=1e-3)


def test_int8_export_quantizes_the_backbone_and_keeps_the_landmark_branch_float(trained, cache):
    from signcam.runtime import tflite_interpreter_class
    from signcam.training.export import export_tflite

    samples = load_cache(cache)
    tfl = export_tflite(trained / "model.keras", trained / "model_int8.tflite", "int8", samples.crops, samples.landmarks)
    model = tflite_interpreter_class()(model_path=str(tfl))
    tensors = {t["index"]: t for t in model.get_tensor_details()}
    dtype_of = {}  # op output name -> its dtype
    for op in model._get_ops_details():
        out = tensors[op["outputs"][0]]
        dtype_of[out["name"]] = (op["op_name"], out["dtype"])
    convs = [d for name, (op, d) in dtype_of.items() if op == "CONV_2D" and "mobilenetv2" in name]
    dense = [d for name, (op, d) in dtype_of.items() if op == "FULLY_CONNECTED"]
    assert convs and all(d == np.int8 for d in convs)
    assert dense and all(d == np.float32 for d in dense)  # landmark branch and heads
    a = load_classifier(trained / "model.keras").predict_batch(samples.crops, samples.landmarks)
    b = load_classifier(tfl).predict_batch(samples.crops, samples.landmarks)
    assert np.mean(a.argmax(1) == b.argmax(1)) >= 0.9
    assert np.abs(a - b).max() < 0.2


def test_bad_inputs_give_one_line_errors(tmp_path, capsys, cache):
    assert train_cli.main(["prepare", str(tmp_path / "nope"), "--out", str(tmp_path / "x.npz")]) == 1
    assert train_cli.main(["train", str(tmp_path / "missing.npz"), "--out", str(tmp_path)]) == 1
    assert train_cli.main(["train", str(cache), "--weights", str(tmp_path / "w.h5"), "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and all(line.startswith("signcam-train: error:") for line in err)


def test_turned_views_keep_the_hands_shape(cache):
    from signcam.training.augment import turn_view

    lms = load_cache(cache).landmarks[:8]
    rng = np.random.default_rng(0)
    turned = turn_view(lms, 30, rng)
    bones = lambda a: np.linalg.norm(a[:, 1:] - a[:, :1], axis=-1)  # noqa: E731  wrist to every point, in 3-D
    assert np.allclose(bones(turned), bones(lms), atol=1e-5)
    assert np.allclose(turned[:, 0], lms[:, 0])  # turned about the wrist
    assert not np.allclose(turned[..., :2], lms[..., :2], atol=1e-3)  # but seen differently
    assert np.allclose(turn_view(lms, 0, rng), lms, atol=1e-6)


def test_sample_weights_balance_classes_and_weigh_big_sources_down():
    from signcam.training.train import sample_weights

    # Source "big" has 8 images, "small" 2; class 0 is 6 images, class 1 is 4.
    y = np.array([0, 0, 0, 0, 0, 1, 1, 1, 0, 1])
    sources = np.array(["big"] * 8 + ["small"] * 2)
    for balance in (0.0, 0.5, 1.0):
        w = sample_weights(y, 2, sources, balance)
        assert w.mean() == pytest.approx(1.0)
        assert w[y == 0].sum() == pytest.approx(w[y == 1].sum())  # the classes count alike
    plain, even = sample_weights(y, 2, sources, 0.0), sample_weights(y, 2, sources, 1.0)
    np.testing.assert_allclose(plain[y == 0], plain[0])  # 0: one weight per class, whatever the source
    share = lambda w: w[sources == "small"].sum() / w.sum()  # noqa: E731
    assert share(even) > share(plain)  # 1: the small source's images count for more


def test_erasing_fills_one_patch_with_noise_and_leaves_the_landmarks(cache):
    from signcam.training.augment import augment, erase_patch

    s = load_cache(cache)
    crop, lms = s.crops[0], s.landmarks[0]
    rng = np.random.default_rng(0)
    for _ in range(20):
        erased = erase_patch(crop, rng)
        changed = np.any(erased != crop, axis=-1)
        ys, xs = np.nonzero(changed)
        box = (ys.max() - ys.min() + 1) * (xs.max() - xs.min() + 1)
        # One rectangle of 5-25% of the crop (noise may match a pixel by chance, never many).
        assert 0.04 * crop.shape[0] ** 2 <= box <= 0.26 * crop.shape[0] ** 2
        assert changed.sum() >= 0.9 * box
    # Off (the default), augmentation draws exactly what it drew before the option existed.
    a = augment(crop, lms, np.random.default_rng(1), s.crops)
    b = augment(crop, lms, np.random.default_rng(1), s.crops, erase_p=0.0)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    c = augment(crop, lms, np.random.default_rng(1), s.crops, erase_p=1.0)
    assert np.array_equal(c[1], a[1])  # landmarks untouched: erasing is the crop's alone
    assert not np.array_equal(c[0], a[0])



def test_epoch_size_draws_each_sources_share_anew_every_epoch():
    from signcam.training.data import AugmentedBatches
    from signcam.training.prepare import Samples

    n = {"big": 300, "mid": 90, "small": 10}
    count = sum(n.values())
    sources = np.repeat(list(n), list(n.values()))
    samples = Samples(np.zeros((count, 8, 8, 3), np.uint8), np.zeros((count, 21, 3), np.float32),
                      np.array(["A", "B"] * (count // 2)), np.array([f"{i}.jpg" for i in range(count)]),
                      sources, np.array(["Right"] * count))
    batches = AugmentedBatches(samples, {"A": 0, "B": 1}, batch_size=10, epoch_size=80)
    seen = set()
    for epoch in range(6):
        drawn = batches.order
        assert len(drawn) == 80 and len(set(drawn)) == 80 and len(batches) == 8
        shares = {s: int(np.sum(sources[drawn] == s)) for s in n}
        assert shares == {"big": 60, "mid": 18, "small": 2}  # every person in every epoch, by their share
        seen |= set(drawn.tolist())
        batches.on_epoch_end()
    assert len(seen) > 0.7 * count  # a new draw each epoch: most photos are trained on
    assert len(AugmentedBatches(samples, {"A": 0, "B": 1}, epoch_size=0).order) == count
