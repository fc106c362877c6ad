"""A learning curve by people: cross-validation by source repeated with a share of each fold's
training sources, to see whether still more people would pay.

Every point holds out the same folds of sources; only who is trained on changes (drawn at random
with a fixed seed per draw and fold). The landmark head alone is trained (`--landmarks-only`), which
takes minutes where the full recipe takes an hour; its slope is what the curve is for.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .crossval import crossval
from .prepare import Samples
from .train import TrainConfig, write_json_atomic

# People per source where a source holds more than one (data/SOURCES.md); every other source is one
# person. keptsecret-train is "a few people": counted as 3. The mon95-* folders hold 15-20 people in
# 16 folders, so one each undercounts them slightly.
PEOPLE_PER_SOURCE = {"jbhumika": 4, "hackmit": 2, "keptsecret-train": 3}


def people(sources: list[str]) -> int:
    return sum(PEOPLE_PER_SOURCE.get(s, 1) for s in sources)


def learning_curve(samples: Samples, cfg: TrainConfig, k: int, out: Path, shares: list[float], draws: int,
                   tests: dict[str, Samples], drop: np.ndarray | None = None, log=print) -> dict:
    points = []
    for share in sorted(shares):
        for draw in range(draws if share < 1 else 1):  # at 100% every draw would train the same people
            run = out / f"share{share:g}_draw{draw}"
            log(f"learning curve: {share:.0%} of the training sources, draw {draw} -> {run}")
            r = crossval(samples, cfg, k, run, landmarks_only=True, tests=tests, log=log, drop=drop,
                         train_share=share, draw=draw)
            points.append({"share": share, "draw": draw,
                           "training_people": float(np.mean([people(s) for s in r["training_sources_per_fold"]])),
                           "training_sources": float(np.mean([len(s) for s in r["training_sources_per_fold"]])),
                           "mean_over_sources": r["mean_over_sources"], "worst_source": r["worst_source"],
                           "tests": {name: v["mean"] for name, v in r["tests"].items()}})
    result = {"points": points, "slope_per_doubling": slope_per_doubling(points), "folds": k}
    write_json_atomic(out / "learning_curve.json", result)
    plot_learning_curve(points, out / "learning_curve.png")
    return result


def slope_per_doubling(points: list[dict]) -> dict:
    """Accuracy gained per doubling of the training people (a least-squares line over log2 people):
    the next point of accuracy then costs 2 ** (1 / slope) times the people."""
    x = np.log2([p["training_people"] for p in points])
    series = {"held-out mean": [p["mean_over_sources"] for p in points],
              "held-out worst": [p["worst_source"]["accuracy"] for p in points]}
    for name in points[0]["tests"] if points else []:
        series[name] = [p["tests"][name] for p in points]
    return {name: round(float(np.polyfit(x, y, 1)[0]), 4) for name, y in series.items() if len(set(x)) > 1}


def plot_learning_curve(points: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 4.8), dpi=120)
    x = [p["training_people"] for p in points]
    lines = [("held-out sources, mean", [p["mean_over_sources"] for p in points], "tab:blue", "o"),
             ("held-out sources, worst", [p["worst_source"]["accuracy"] for p in points], "tab:red", "v")]
    lines += [(name, [p["tests"][name] for p in points], "tab:green", "s") for name in (points[0]["tests"] if points else [])]
    for label, y, colour, marker in lines:
        ax.scatter(x, y, color=colour, marker=marker, alpha=0.6)
        by_share = sorted({p["share"] for p in points})
        mean_x = [np.mean([xi for xi, p in zip(x, points) if p["share"] == s]) for s in by_share]
        mean_y = [np.mean([yi for yi, p in zip(y, points) if p["share"] == s]) for s in by_share]
        ax.plot(mean_x, mean_y, color=colour, marker=marker, label=label)
    ax.set_xscale("log", base=2)
    ax.set_xlabel("people trained on (mean over the folds; log scale)")
    ax.set_ylabel("accuracy (landmark head)")
    ax.set_title("Learning curve by people: cross-validation by source, K=4")
    ax.grid(alpha=0.3)
    ax.legend(loc="center right", fontsize=8)  # the empty band between the lines
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
