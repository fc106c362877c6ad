"""Training photos that everyone else reads as another letter: found from a cross-validation by source.

In a cross-validation every photo is read by a model that never saw its source. Where nearly all of
one source's photos of a letter are read as one and the same other letter, that source signs the
letter unlike everyone else (the I-love-you hand filed as Z, a V filed as K) or its folder is
misnamed. Such an *odd cell* is worth a look before training on it: `signcam-train audit` lists
them with a contact sheet, and `train`/`crossval --drop-cells` leave chosen cells out of training.

A large cell is kept out of the list (`max_label_share`): many photos of a letter signed alike
(keptsecret-train's P, nearly half of all P) are a way people sign it, not an odd few.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np

from signcam.errors import DatasetError

from .crossval import combine
from .prepare import Samples


def held_out_probs(run: Path, samples: Samples) -> tuple[np.ndarray, list[str]]:
    """Each sample's probabilities from the fold model that never saw its source, as the
    cross-validation in `run` (its crossval.json and fold_N/probs.npz) combined them."""
    try:
        result = json.loads((run / "crossval.json").read_text())
        labels, folds = result["labels"], result["folds"]
        weight = result["config"]["landmark_weight"]
    except (OSError, ValueError, KeyError) as exc:
        raise DatasetError(f"{run} is not a finished cross-validation (signcam-train crossval --out): {exc}") from None
    probs = np.full((len(samples), len(labels)), np.nan, np.float32)
    for n, fold in enumerate(folds):
        mask = np.isin(samples.sources, fold)
        with np.load(run / f"fold_{n + 1}" / "probs.npz") as z:
            held = z["held"]
        if held.shape[1] != mask.sum():
            raise DatasetError(f"{run} fold {n + 1} read {held.shape[1]} photos, these caches have {int(mask.sum())}"
                               " of its sources: pass the caches the cross-validation was run on, in the same order")
        probs[mask] = combine(held, weight)
    if np.isnan(probs).any():
        raise DatasetError(f"these caches have sources that {run} never held out: pass the caches it was run on")
    return probs, labels


def odd_cells(samples: Samples, probs: np.ndarray, labels: list[str], share: float = 0.75,
              min_photos: int = 4, max_label_share: float = 0.2) -> list[dict]:
    """(source, letter) cells where at least `share` of the source's photos of the letter are read as
    one other letter, largest first. Letters only one source has (no one else to compare with),
    cells under `min_photos`, and cells over `max_label_share` of the letter's photos are left out."""
    pred = np.asarray(labels)[probs.argmax(axis=1)]
    cells = []
    for label in sorted(set(samples.labels)):
        of_label = samples.labels == label
        if len(set(samples.sources[of_label])) < 2:
            continue
        for source in sorted(set(samples.sources[of_label])):
            cell = of_label & (samples.sources == source)
            n = int(cell.sum())
            wrong = Counter(pred[cell & (pred != label)]).most_common(1)
            if n < min_photos or n > max_label_share * of_label.sum() or not wrong:
                continue
            read_as, k = wrong[0]
            if k >= share * n:
                cells.append({"source": str(source), "label": str(label), "read_as": str(read_as),
                              "photos": n, "read_as_count": int(k)})
    return sorted(cells, key=lambda c: (-c["read_as_count"] / c["photos"], -c["photos"], c["source"], c["label"]))


def load_cells(path: Path) -> list[dict]:
    """Cells from an audit's JSON (or a file in its format, `{"cells": [{"source", "label"}, ...]}`)."""
    try:
        cells = json.loads(Path(path).read_text())["cells"]
        return [{"source": str(c["source"]), "label": str(c["label"])} for c in cells]
    except OSError as exc:
        raise DatasetError(f"cannot read {path}: {exc.strerror}") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise DatasetError(f"{path} is not a list of cells ({{\"cells\": [{{\"source\", \"label\"}}, ...]}}): {exc}") from None


def cell_mask(samples: Samples, cells: list[dict]) -> np.ndarray:
    """The samples in any of the cells. A cell that names no photo of these caches is an error
    (a misspelt source would otherwise drop nothing, silently)."""
    mask = np.zeros(len(samples), bool)
    for c in cells:
        cell = (samples.sources == c["source"]) & (samples.labels == c["label"])
        if not cell.any():
            raise DatasetError(f"no photos of {c['label']} from source {c['source']!r} in these caches")
        mask |= cell
    return mask


def contact_sheet(samples: Samples, cells: list[dict], path: Path, per_cell: int = 4, side: int = 96) -> None:
    """One row per cell: a few of its crops, then one crop of the letter it is read as (from the
    largest other source), so the eye can judge which it is."""
    import cv2

    def tile(image, text, colour):
        image = cv2.resize(image, (side, side)).copy()
        cv2.rectangle(image, (0, 0), (side, 15), (0, 0, 0), -1)
        cv2.putText(image, text, (2, 11), cv2.FONT_HERSHEY_SIMPLEX, 0.36, colour, 1, cv2.LINE_AA)
        return image

    blank = np.zeros((side, side, 3), np.uint8)
    rows = []
    for c in cells:
        own = np.flatnonzero((samples.sources == c["source"]) & (samples.labels == c["label"]))[:per_cell]
        row = [tile(samples.crops[i], f"{c['source'][:11]} {c['label']}", (255, 255, 255)) for i in own]
        row += [blank] * (per_cell - len(row))
        others = (samples.labels == c["read_as"]) & (samples.sources != c["source"])
        if others.any():
            biggest = Counter(samples.sources[others]).most_common(1)[0][0]
            i = np.flatnonzero(others & (samples.sources == biggest))[0]
            row.append(tile(samples.crops[i], f"a {c['read_as']} ({biggest[:8]})", (120, 255, 120)))
        else:
            row.append(blank)
        rows.append(np.hstack(row))
    sheet = np.vstack(rows) if rows else np.zeros((side, side * (per_cell + 1), 3), np.uint8)
    cv2.imwrite(str(path), cv2.cvtColor(sheet, cv2.COLOR_RGB2BGR))
