"""Evaluate a model on a folder-per-class dataset, through the app's own detect-and-crop path."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from signcam.letters.classifier import LetterClassifier

from .metrics import plot_confusion, summarize
from .prepare import Samples, detect_and_crop

BATCH = 64


def predict_samples(classifier: LetterClassifier, samples: Samples) -> np.ndarray:
    parts = [classifier.predict_batch(samples.crops[i:i + BATCH], samples.landmarks[i:i + BATCH],
                                      samples.handedness[i:i + BATCH])
             for i in range(0, len(samples), BATCH)]
    return np.concatenate(parts) if parts else np.zeros((0, len(classifier.info.labels)))


def evaluate_samples(classifier: LetterClassifier, samples: Samples) -> dict:
    """Accuracy over detected hands; images with no hand are counted apart, not as errors.

    `accuracy_with_no_hand` is what a user sees: an image with no hand found
    reads as `nothing` (right only for the `nothing` class).
    """
    labels = classifier.info.labels
    unknown = sorted(set(samples.labels) - set(labels))
    probs = predict_samples(classifier, samples)
    pred = [labels[i] for i in probs.argmax(axis=1)]
    known = np.array([c in labels for c in samples.labels], dtype=bool)
    result = summarize(samples.labels[known], [p for p, k in zip(pred, known) if k], labels)
    images = int(sum(samples.images.values())) if samples.images else len(samples)
    no_hand = {k: int(v) for k, v in samples.no_hand.items() if v}
    right = int(sum(p == t for p, t in zip(pred, samples.labels)))
    right_idle = no_hand.get("nothing", 0) if "nothing" in labels else 0
    return {"accuracy": result["accuracy"], "images": images, "detected": len(samples),
            "no_hand": no_hand, "no_hand_total": int(sum(no_hand.values())),
            "accuracy_with_no_hand": round((right + right_idle) / images, 4) if images else None,
            "unknown_classes": unknown, "labels": labels, "per_class": result["per_class"],
            "confusion": result["confusion"],
            "mistakes": [{"file": f, "true": t, "predicted": p, "confidence": round(float(c), 3)}
                         for f, t, p, c in zip(samples.files, samples.labels, pred, probs.max(axis=1)) if t != p]}


def evaluate_dir(classifier: LetterClassifier, data_dir: Path) -> dict:
    info = classifier.info
    samples = detect_and_crop([data_dir], info.input_size, info.crop_margin, label="evaluate")
    return evaluate_samples(classifier, samples)


def summary_lines(result: dict) -> list[str]:
    lines = [f"images {result['images']}, hand found in {result['detected']}, "
             f"no hand in {result['no_hand_total']}",
             f"accuracy over detected hands: {result['accuracy']:.4f}",
             f"accuracy counting no-hand as 'nothing': {result['accuracy_with_no_hand']:.4f}",
             f"{'class':>8} {'precision':>9} {'recall':>7} {'support':>7} {'no hand':>7}"]
    for c, m in result["per_class"].items():
        if m["support"] or result["no_hand"].get(c):
            fmt = lambda v: f"{v:.3f}" if v is not None else "-"  # noqa: E731
            lines.append(f"{c:>8} {fmt(m['precision']):>9} {fmt(m['recall']):>7} {m['support']:>7} "
                         f"{result['no_hand'].get(c, 0):>7}")
    return lines


def save_confusion_png(result: dict, path: Path, title: str) -> None:
    plot_confusion(result["confusion"], result["labels"], path,
                   f"{title}: accuracy {result['accuracy']:.3f} over {result['detected']} detected hands")
