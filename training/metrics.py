"""Accuracy, per-class precision/recall and the confusion matrix, as JSON and as pictures."""
from __future__ import annotations

import numpy as np


def confusion_matrix(true_idx: np.ndarray, pred_idx: np.ndarray, n: int) -> np.ndarray:
    cm = np.zeros((n, n), dtype=np.int64)
    np.add.at(cm, (true_idx, pred_idx), 1)
    return cm


def summarize(true_labels, pred_labels, labels: list[str]) -> dict:
    """accuracy, per_class {precision, recall, support}, confusion (rows: true, columns: predicted)."""
    index = {c: i for i, c in enumerate(labels)}
    t = np.array([index[c] for c in true_labels], dtype=np.int64)
    p = np.array([index[c] for c in pred_labels], dtype=np.int64)
    cm = confusion_matrix(t, p, len(labels))
    per_class = {}
    for i, c in enumerate(labels):
        support = int(cm[i].sum())
        predicted = int(cm[:, i].sum())
        per_class[c] = {
            "precision": round(cm[i, i] / predicted, 4) if predicted else None,
            "recall": round(cm[i, i] / support, 4) if support else None,
            "support": support,
        }
    return {"accuracy": round(float((t == p).mean()), 4) if len(t) else None,
            "per_class": per_class, "confusion": cm.tolist()}


def plot_confusion(cm, labels: list[str], path, title: str) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cm = np.asarray(cm, dtype=float)
    rows = cm.sum(axis=1, keepdims=True)
    norm = np.divide(cm, rows, out=np.zeros_like(cm), where=rows > 0)
    fig, ax = plt.subplots(figsize=(11, 10))
    ax.imshow(norm, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(labels)), labels, rotation=90)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    for i in range(len(labels)):
        for j in range(len(labels)):
            if cm[i, j]:
                ax.text(j, i, int(cm[i, j]), ha="center", va="center", fontsize=7,
                        color="white" if norm[i, j] > 0.5 else "black")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def plot_history(history: dict, path, phase_starts: list[int]) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4))
    epochs = range(1, len(history.get("loss", [])) + 1)
    a1.plot(epochs, history.get("loss", []), label="train loss")
    if history.get("val_loss"):  # none when trained without a validation split
        a1.plot(epochs, history["val_loss"], label="validation loss")
    for key in sorted(k for k in history if k.endswith("accuracy") and not k.startswith("val_")):
        a2.plot(epochs, history[key], label=f"train {key}")
        if history.get(f"val_{key}"):
            a2.plot(epochs, history[f"val_{key}"], "--", label=f"validation {key}")
    for ax in (a1, a2):
        for start in phase_starts[1:]:
            ax.axvline(start + 0.5, color="grey", linestyle=":", linewidth=1)
        ax.set_xlabel("epoch (dotted line: fine-tuning starts)")
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
