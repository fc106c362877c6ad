"""Leave-one-signer-out: train without one person, test on that person, for each person."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from signcam.letters.classifier import load_classifier

from .evaluate import evaluate_samples
from .prepare import Samples
from .train import TrainConfig, train


def leave_one_signer_out(signers: Samples, extra: Samples | None, cfg: TrainConfig, out: Path,
                         log=print) -> dict:
    """`signers` groups are people (e.g. Massey's handN); `extra` is always trained on."""
    people = sorted(np.unique(signers.groups))
    folds = {}
    for person in people:
        held = signers.groups == person
        train_set = signers.subset(~held)
        if extra is not None:
            train_set = Samples.concat([train_set, extra])
        fold_dir = out / person.replace("/", "_")
        log(f"fold {person}: training on {len(train_set)} crops, testing on {int(held.sum())}")
        train(train_set, cfg, fold_dir, resume=True, log=log)
        result = evaluate_samples(load_classifier(fold_dir / "model.keras"), signers.subset(held))
        folds[person] = {"accuracy": result["accuracy"], "detected": result["detected"]}
        log(f"fold {person}: accuracy {result['accuracy']:.4f}")
    accs = [f["accuracy"] for f in folds.values()]
    summary = {"folds": folds, "mean_accuracy": round(float(np.mean(accs)), 4),
               "min_accuracy": round(float(np.min(accs)), 4), "config": cfg.__dict__}
    (out / "loso.json").write_text(json.dumps(summary, indent=1))
    return summary
