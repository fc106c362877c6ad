"""Cross-validation by person: each fold holds out whole sources and trains on the rest.

A source is a person or one webcam session (`Samples.sources`): Massey's handN, a folder of
`letters/signers`, keptsecret-train. Frames of one source are near-duplicates, so a fold that
split a source would measure memory, not reading a new person.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .progress import Progress

from .metrics import plot_confusion, summarize
from .prepare import Samples
from .train import TrainConfig, write_json_atomic


def source_folds(sources: np.ndarray, k: int) -> list[list[str]]:
    """K folds of whole sources, each about 1/K of them: sources sorted by size are dealt out
    back and forth (0, 1, .., K-1, K-1, .., 0, ...), so folds also get similar sample counts."""
    names, sizes = np.unique(sources, return_counts=True)
    if k < 2:
        raise ValueError("cross-validation needs at least 2 folds")
    if len(names) < k:
        raise ValueError(f"{k} folds need at least {k} sources; the data has {len(names)}: {', '.join(names)}")
    folds: list[list[str]] = [[] for _ in range(k)]
    for rank, i in enumerate(np.argsort(-sizes, kind="stable")):
        lap, pos = divmod(rank, k)
        folds[pos if lap % 2 == 0 else k - 1 - pos].append(str(names[i]))
    return folds


def _train_and_predict(train_s: Samples, held: Samples, labels: list[str], cfg: TrainConfig, fold_dir: Path,
                       landmarks_only: bool, tests: dict[str, Samples], log) -> tuple[np.ndarray, dict]:
    """Per head (landmarks; crop + landmarks), probabilities over `labels` for the held-out samples
    and for each extra test set: arrays (heads, N, labels)."""
    from signcam.letters.classifier import load_classifier, model_view

    from .model import head_outputs
    from .train import train

    if landmarks_only:
        return _landmark_head_only(train_s, held, labels, cfg, tests)
    train(train_s, cfg, fold_dir, resume=True, log=log)
    classifier = load_classifier(fold_dir / "model.keras")
    heads = head_outputs(classifier.model)

    def predict(s: Samples) -> np.ndarray:
        crops, lms = model_view(classifier.info, s.crops, s.landmarks, s.handedness)
        outs = heads.predict({"crop": crops, "landmarks": lms}, batch_size=64, verbose=0)
        return np.stack([_in_order(o, classifier.info.labels, labels) for o in outs])

    return predict(held), {name: predict(s) for name, s in tests.items()}


def _in_order(probs: np.ndarray, have: list[str], want: list[str]) -> np.ndarray:
    """Columns rearranged to `want` (a fold may lack a letter that another has: its column is 0)."""
    out = np.zeros((len(probs), len(want)), np.float32)
    for j, name in enumerate(have):
        if name in want:
            out[:, want.index(name)] = probs[:, j]
    return out


def combine(heads: np.ndarray, landmark_weight: float) -> np.ndarray:
    """The app's reading from the heads' probabilities (one head: itself)."""
    return heads[0] if len(heads) == 1 else landmark_weight * heads[0] + (1 - landmark_weight) * heads[1]


def _accuracy(probs: np.ndarray, truth: np.ndarray, labels: list[str]) -> float:
    known = np.isin(truth, labels)
    pred = np.array(labels)[probs.argmax(axis=1)]
    return round(float(np.mean(pred[known] == truth[known])), 4) if known.any() else float("nan")


def _landmark_head_only(train_s: Samples, held: Samples, labels: list[str], cfg: TrainConfig,
                        tests: dict[str, Samples]) -> tuple[np.ndarray, dict]:
    """The landmark head alone, trained as phase 0 trains it: a quick measure of landmark features.
    Arrays (1, N, labels)."""
    from .model import build_landmark_model
    from .train import fit_landmark_heads, model_landmarks

    fold_labels = sorted(set(train_s.labels))
    index = {c: i for i, c in enumerate(fold_labels)}
    model = build_landmark_model(len(fold_labels), tuple(cfg.features), cfg.use_z, cfg.landmark_heads)
    fit_landmark_heads(model, train_s, held.subset(np.zeros(len(held), bool)), index, cfg)
    predict = lambda s: _in_order(model.predict(model_landmarks(s, cfg), batch_size=256, verbose=0),  # noqa: E731
                                  fold_labels, labels)[None]
    return predict(held), {name: predict(s) for name, s in tests.items()}


def training_sources(train_s: Samples, share: float, draw: int, fold: int) -> np.ndarray:
    """A mask of `train_s` keeping `share` of its sources, drawn at random (seeded by the draw and the
    fold, so a rerun draws the same people): a learning curve's point with fewer people."""
    names = np.unique(train_s.sources)
    if share >= 1.0:
        return np.ones(len(train_s), bool)
    keep = np.random.default_rng([draw, fold]).choice(names, max(1, round(share * len(names))), replace=False)
    return np.isin(train_s.sources, keep)


def crossval(samples: Samples, cfg: TrainConfig, k: int, out: Path, landmarks_only: bool = False,
             tests: dict[str, Samples] | None = None, log=print, drop: np.ndarray | None = None,
             always: Samples | None = None, train_share: float = 1.0, draw: int = 0) -> dict:
    """Train K times, each time without one fold's sources; score every source on the model that never
    saw it. A finished fold is kept on disk (fold_N/result.json): a killed run continues where it stopped.
    drop: samples never trained on (`--drop-cells`); they are still scored when their source is held out,
    so the figures stay over every photo. always: samples in every fold's training, never held out, so
    the folds over `samples` stay those of a run without them. train_share, draw: each fold trains on
    that share of its training sources (drawn with the seed `draw`), for a learning curve by people."""
    out.mkdir(parents=True, exist_ok=True)
    tests = tests or {}
    labels = sorted(set(samples.labels))
    folds = source_folds(samples.sources, k)
    heads = np.zeros((1 if landmarks_only else 2, len(samples), len(labels)), np.float32)
    test_heads: dict[str, list[np.ndarray]] = {name: [] for name in tests}
    bar = Progress(k, "crossval")
    trained: list[list[str]] = []  # the sources each fold trained on
    for n, fold in enumerate(folds):
        fold_dir = out / f"fold_{n + 1}"
        fold_dir.mkdir(exist_ok=True)
        held_mask = np.isin(samples.sources, fold)
        train_mask = ~held_mask if drop is None else ~held_mask & ~drop
        train_s = samples.subset(train_mask) if always is None else Samples.concat([samples.subset(train_mask), always])
        train_s = train_s.subset(training_sources(train_s, train_share, draw, n))
        done = fold_dir / "result.json"
        record = {"sources": fold, "tests": sorted(tests)}
        if drop is not None and drop.any():
            record["dropped"] = int((drop & ~held_mask).sum())
        if always is not None or train_share < 1.0:
            record["trained_sources"] = sorted(set(train_s.sources.tolist()))
        # A fold is reused only when it held out the same sources and scored the same test sets
        # (a rerun with another --test would otherwise find no probabilities for it).
        if done.is_file() and json.loads(done.read_text()) == record:
            with np.load(fold_dir / "probs.npz") as z:
                saved, fold_tests = z["held"], {name: z[f"test_{name}"] for name in tests}
            log(f"fold {n + 1}/{k}: already done ({', '.join(fold)})")
        else:
            log(f"fold {n + 1}/{k}: holding out {', '.join(fold)} ({int(held_mask.sum())} crops), "
                f"training on {len(train_s)} from {len(np.unique(train_s.sources))} sources")
            saved, fold_tests = _train_and_predict(train_s, samples.subset(held_mask), labels,
                                                   cfg, fold_dir, landmarks_only, tests, log)
            np.savez(fold_dir / "probs.npz", held=saved, **{f"test_{name}": p for name, p in fold_tests.items()})
            write_json_atomic(done, record)
        heads[:, held_mask] = saved
        trained.append(sorted(set(train_s.sources.tolist())))
        for name, p in fold_tests.items():
            test_heads[name].append(p)
        bar.update(1, f"fold {n + 1} done")
    bar.close()
    return summarize_crossval(samples, labels, heads, folds, tests, test_heads, cfg,
                              landmarks_only, out, trained)


def per_source_accuracy(samples: Samples, pred: np.ndarray) -> dict:
    return {source: {"accuracy": round(float(np.mean(pred[m] == samples.labels[m])), 4), "crops": int(m.sum())}
            for source in sorted(set(samples.sources)) for m in [samples.sources == source]}


def summarize_crossval(samples: Samples, labels: list[str], heads: np.ndarray, folds: list[list[str]],
                       tests: dict[str, Samples], test_heads: dict[str, list[np.ndarray]], cfg: TrainConfig,
                       landmarks_only: bool, out: Path, trained: list[list[str]] | None = None) -> dict:
    names = np.array(labels)
    pred = names[combine(heads, cfg.landmark_weight).argmax(axis=1)]
    per_source = per_source_accuracy(samples, pred)
    accs = [v["accuracy"] for v in per_source.values()]
    # The heads' weights, measured on held-out people (not on the test sets, which stay unseen).
    weights = {}
    if len(heads) == 2:
        for w in np.round(np.linspace(0, 1, 11), 1):
            ps = per_source_accuracy(samples, names[combine(heads, w).argmax(axis=1)])
            weights[f"{w:.1f}"] = round(float(np.mean([v["accuracy"] for v in ps.values()])), 4)
    test_acc = {name: [_accuracy(combine(p, cfg.landmark_weight), tests[name].labels, labels) for p in ps]
                for name, ps in test_heads.items()}
    worst = min(per_source, key=lambda s: per_source[s]["accuracy"])
    overall = summarize(samples.labels, pred, labels)
    result = {"folds": folds, "per_source": per_source, "mean_over_sources": round(float(np.mean(accs)), 4),
              "worst_source": {"source": worst, **per_source[worst]},
              "pooled_accuracy": overall["accuracy"],
              "per_letter_recall": {c: m["recall"] for c, m in overall["per_class"].items()},
              "tests": {name: {"per_fold": accs_, "mean": round(float(np.mean(accs_)), 4)}
                        for name, accs_ in test_acc.items()},
              "landmark_weight_sweep": weights, "training_sources_per_fold": trained or [],
              "landmarks_only": landmarks_only, "config": cfg.__dict__,
              "labels": labels, "confusion": overall["confusion"]}
    write_json_atomic(out / "crossval.json", result)
    plot_confusion(overall["confusion"], labels, out / "crossval_confusion.png",
                   f"cross-validation by source ({len(folds)} folds): mean over sources "
                   f"{result['mean_over_sources']:.3f}, pooled {overall['accuracy']:.3f}")
    return result


def report_lines(result: dict) -> list[str]:
    lines = [f"{'held-out source':<28} {'crops':>6} {'accuracy':>8}"]
    for source, v in sorted(result["per_source"].items(), key=lambda kv: kv[1]["accuracy"]):
        lines.append(f"{source:<28} {v['crops']:>6} {v['accuracy']:>8.4f}")
    w = result["worst_source"]
    lines += [f"mean over {len(result['per_source'])} sources: {result['mean_over_sources']:.4f} "
              f"(pooled {result['pooled_accuracy']:.4f}); worst: {w['source']} {w['accuracy']:.4f}",
              "recall per letter: " + " ".join(f"{c} {r:.2f}" for c, r in result["per_letter_recall"].items()
                                               if r is not None)]
    if result["landmark_weight_sweep"]:
        lines.append("mean over sources by the landmark head's weight: " +
                     " ".join(f"{w} {a:.4f}" for w, a in result["landmark_weight_sweep"].items()))
    for name, t in result["tests"].items():
        lines.append(f"{name}: mean over fold models {t['mean']:.4f} (" +
                     ", ".join(f"{a:.3f}" for a in t["per_fold"]) + ")")
    return lines
