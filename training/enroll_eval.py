"""`signcam-train enroll-eval`: how much a short calibration helps each person, measured honestly.

Per person (the cache's `sources`: a source folder, Massey's handN) and letter, the first K photos in
file order (natural order: frame 30 before frame 132, a burst's start) enroll; the person's other
photos are read before and after adapting to them. With `enroll_match`, only photos whose file name
holds that text may enroll and only the others are tested (Massey: enroll under one lighting, read
the other four). The photos of one session are alike, so same-session figures flatter what a
later session of that person would read.
"""
from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np

from signcam.errors import DatasetError
from signcam.letters.adapt import AdaptConfig, fit
from signcam.letters.bundled import sha256_of
from signcam.profiles.calibrate import natural_key

from .prepare import Samples, detect_and_crop, load_cache


def load_inputs(paths: list[Path]) -> Samples:
    """Prepared caches (.npz) as they are; folders of photos through the app's own hand cropping."""
    parts = [load_cache(p) if p.suffix == ".npz" else detect_and_crop([p], label="enroll-eval") for p in paths]
    return Samples.concat(parts) if len(parts) > 1 else parts[0]


def enroll_split(samples: Samples, per_letter: int, enroll_match: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(enroll, test) masks: per person and letter, the first `per_letter` photos (of those whose
    name holds `enroll_match`, when given) enroll; the rest (the non-matching ones) are tested."""
    if per_letter < 1:
        raise DatasetError(f"--per-letter must be 1 or more, not {per_letter}")
    enroll, test = np.zeros(len(samples), bool), np.zeros(len(samples), bool)
    names = np.array([Path(f).name for f in samples.files])
    matches = np.array([enroll_match in n for n in names]) if enroll_match else np.ones(len(samples), bool)
    for person in np.unique(samples.sources):
        for letter in np.unique(samples.labels):
            idx = np.flatnonzero((samples.sources == person) & (samples.labels == letter))
            candidates = sorted(idx[matches[idx]], key=lambda i: natural_key(Path(samples.files[i])))
            chosen = candidates[:per_letter]
            enroll[chosen] = True
            rest = idx[~matches[idx]] if enroll_match else np.setdiff1d(idx, chosen)
            test[rest] = True
    return enroll, test


def evaluate(samples: Samples, classifier, per_letter: int, config: AdaptConfig | None = None,
             enroll_match: str | None = None, probs: np.ndarray | None = None, log=print) -> dict:
    """Before and after figures per person. `probs`: the base model's readings of `samples`, when
    already known (trying several settings over one set reads each photo once; the time then
    leaves out reading the enrolled photos, which the app must do)."""
    rows, letters = person_rows(samples, classifier, per_letter, config, enroll_match, probs, log)
    return summarize(rows, letters, str(classifier.path), per_letter, config, enroll_match)


def evaluate_crossval(samples: Samples, run: Path, per_letter: int, config: AdaptConfig | None = None,
                      enroll_match: str | None = None, log=print) -> dict:
    """The same figures with the fold models of a `signcam-train crossval` run: each person is read
    and adapted to by the one fold model that never saw them (its result.json's held-out sources)."""
    from signcam.letters.classifier import load_classifier

    rows, letters = [], {"before": {}, "after": {}}
    folds = sorted(f for f in Path(run).glob("fold_*") if (f / "model.keras").is_file() and (f / "result.json").is_file())
    if not folds:
        raise DatasetError(f"{run}: no finished fold (fold_*/model.keras with result.json) of a full-recipe crossval")
    for fold in folds:
        held = json.loads((fold / "result.json").read_text())["sources"]
        keep = np.isin(samples.sources, held)
        if not keep.any():
            continue
        fold_rows, fold_letters = person_rows(samples.subset(keep), load_classifier(fold / "model.keras"), per_letter,
                                              config, enroll_match, None, log)
        for r in fold_rows:
            r["fold"] = fold.name
        rows += fold_rows
        for k in ("before", "after"):
            for c, hits in fold_letters[k].items():
                letters[k].setdefault(c, []).extend(hits)
        log(f"{fold.name}: {len(fold_rows)} people")
    return summarize(rows, letters, f"{run} (the fold model that never saw each person)", per_letter, config,
                     enroll_match)


def person_rows(samples: Samples, classifier, per_letter: int, config: AdaptConfig | None,
                enroll_match: str | None, probs: np.ndarray | None, log) -> tuple[list[dict], dict]:
    given = probs is not None
    labels = classifier.info.labels
    if probs is None:
        probs = classifier.predict_batch(samples.crops, samples.landmarks, samples.handedness)
    base_id = sha256_of(Path(classifier.path))
    enroll, test = enroll_split(samples, per_letter, enroll_match)
    rows = []
    letters: dict[str, dict[str, list]] = {"before": {}, "after": {}}
    for person in sorted(np.unique(samples.sources)):
        mine = samples.sources == person
        e, t = np.flatnonzero(mine & enroll), np.flatnonzero(mine & test)
        if len(e) == 0 or len(t) == 0:
            log(f"skipped {person}: {len(e)} photo(s) to enroll, {len(t)} to test")
            continue
        start = time.perf_counter()
        # The app reads the enrolled frames through the base model before fitting: timed as part of it.
        enrolled_probs = probs[e] if given else classifier.predict_batch(samples.crops[e], samples.landmarks[e],
                                                                          samples.handedness[e])
        adaptation = fit(labels, base_id, enrolled_probs, samples.landmarks[e], samples.handedness[e],
                         samples.labels[e], config, samples.crops[e])
        seconds = time.perf_counter() - start
        after = adaptation.apply(probs[t], samples.landmarks[t], samples.handedness[t], samples.crops[t])
        truth = samples.labels[t]
        hit_before = np.array(labels)[probs[t].argmax(1)] == truth
        hit_after = np.array(labels)[after.argmax(1)] == truth
        # Profiles stay personal: everyone else's photos, read through this person's profile.
        others = np.flatnonzero(~mine & test)
        other_truth = samples.labels[others]
        others_before = float(np.mean(np.array(labels)[probs[others].argmax(1)] == other_truth)) if len(others) else None
        others_after = float(np.mean(np.array(labels)[adaptation.apply(probs[others], samples.landmarks[others],
                                                                        samples.handedness[others],
                                                                        samples.crops[others]).argmax(1)]
                                     == other_truth)) if len(others) else None
        for c, b, a in zip(truth, hit_before, hit_after):
            letters["before"].setdefault(c, []).append(b)
            letters["after"].setdefault(c, []).append(a)
        rows.append({"person": str(person), "enrolled": int(len(e)), "tested": int(len(t)),
                     "before": round(float(hit_before.mean()), 4), "after": round(float(hit_after.mean()), 4),
                     "adapt_seconds": round(seconds, 3),
                     "others_before": None if others_before is None else round(others_before, 4),
                     "others_after": None if others_after is None else round(others_after, 4)})
    return rows, letters


def summarize(rows: list[dict], letters: dict, model: str, per_letter: int, config: AdaptConfig | None,
              enroll_match: str | None) -> dict:
    if not rows:
        raise DatasetError("no person had photos both to enroll and to test")
    mean = lambda key: round(float(np.mean([r[key] for r in rows])), 4)  # noqa: E731
    worst = min(rows, key=lambda r: r["after"])
    losses = [r["others_before"] - r["others_after"] for r in rows if r["others_before"] is not None]
    return {"model": model, "per_letter": per_letter, "enroll_match": enroll_match,
            "config": asdict(config or AdaptConfig()), "people": len(rows),
            "mean_before": mean("before"), "mean_after": mean("after"),
            "worst_before": min(r["before"] for r in rows), "worst_after": worst["after"], "worst_person": worst["person"],
            "others_loss_mean": round(float(np.mean(losses)), 4) if losses else None,
            "others_loss_worst": round(float(np.max(losses)), 4) if losses else None,
            "median_adapt_seconds": round(float(np.median([r["adapt_seconds"] for r in rows])), 3),
            "per_letter_before": {c: round(float(np.mean(v)), 4) for c, v in sorted(letters["before"].items())},
            "per_letter_after": {c: round(float(np.mean(v)), 4) for c, v in sorted(letters["after"].items())},
            "rows": rows}


def table_lines(result: dict) -> list[str]:
    width = max(8, *(len(r["person"]) for r in result["rows"]))
    lines = [f"{'person':<{width}} {'enrolled':>8} {'tested':>6} {'before':>7} {'after':>7} {'adapt s':>8}"]
    for r in result["rows"]:
        lines.append(f"{r['person']:<{width}} {r['enrolled']:>8} {r['tested']:>6} {r['before']:>7.3f} {r['after']:>7.3f}"
                     f" {r['adapt_seconds']:>8.2f}")
    lines.append(f"{'mean':<{width}} {'':>8} {'':>6} {result['mean_before']:>7.3f} {result['mean_after']:>7.3f}"
                 f" {result['median_adapt_seconds']:>8.2f} (median)")
    lines.append(f"worst after: {result['worst_person']} {result['worst_after']:.3f}"
                 f" (worst before {result['worst_before']:.3f}); {result['people']} people, K={result['per_letter']}")
    if result.get("others_loss_mean") is not None:
        lines.append(f"others read through each person's profile lose {result['others_loss_mean'] * 100:.2f} points "
                     f"on average, {result['others_loss_worst'] * 100:.2f} at most")
    letters = " ".join(f"{c}:{result['per_letter_before'][c]:.2f}>{result['per_letter_after'][c]:.2f}"
                       for c in result["per_letter_after"])
    lines.append(f"per letter, before>after: {letters}")
    return lines
