"""`signcam bench --classifier-only CACHE.npz`: the letter model alone on a cache's crops and landmarks.

No camera, MediaPipe, OpenCV or video: the classifier (signcam.letters) and the cache format
(training/cache.py) only, so it runs on a rented GPU machine from a checkout, the keras wheel, the
model and a cache slice. `--write-reference FILE` (on a CPU machine) saves the crops used as such a
slice, with the model's outputs there; run on that file, the bench reports how far the outputs on
this machine are from them.
"""
from __future__ import annotations

import hashlib
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import numpy as np

from signcam.errors import DatasetError
from signcam.letters.classifier import LetterClassifier, load_classifier

from .cache import Samples, load_cache, save_cache

DEFAULT_SIZES = (1, 8, 32, 128, 512)
MIN_SECONDS = 1.0  # each batch size is timed for at least this long...
MIN_CALLS = 3  # ... and this many calls, after one untimed call (compiling, allocating)


@dataclass
class Reference:
    probs: np.ndarray  # (N, C): the reference model's outputs for the same crops
    labels: list[str]  # its classes, in order
    model: str
    device: str
    digest: str  # of the crops and landmarks it was made on


def inputs_digest(samples: Samples) -> str:
    digest = hashlib.sha256(np.ascontiguousarray(samples.crops).tobytes())
    digest.update(np.ascontiguousarray(samples.landmarks, np.float32).tobytes())
    return digest.hexdigest()


def evenly_spaced(samples: Samples, limit: int | None) -> Samples:
    """`limit` samples spread over the whole cache (every letter, not the first few), in order."""
    if limit is None or limit >= len(samples):
        return samples
    if limit < 1:
        raise DatasetError("--limit must be at least 1")
    return samples.subset(np.unique(np.linspace(0, len(samples) - 1, limit).round().astype(int)))


def read_reference(path: Path) -> Reference | None:
    """The reference outputs stored in a file `--write-reference` made; None if it holds none."""
    try:
        with np.load(path, allow_pickle=False) as z:
            if "reference_probs" not in z.files:
                return None
            return Reference(z["reference_probs"], [str(x) for x in z["reference_labels"]],
                             str(z["reference_model"]), str(z["reference_device"]), str(z["reference_digest"]))
    except (OSError, ValueError, KeyError) as exc:
        raise DatasetError(f"{path} holds no readable reference outputs ({exc})") from None


def write_reference(samples: Samples, probs: np.ndarray, classifier: LetterClassifier, out: Path) -> None:
    """The samples as a (compressed) cache, with the classifier's outputs for them."""
    save_cache(samples, out, compress=True, extra={
        "reference_probs": probs.astype(np.float32), "reference_labels": np.array(classifier.info.labels),
        "reference_model": np.array(classifier.path.name), "reference_device": np.array(classifier.device),
        "reference_digest": np.array(inputs_digest(samples))})


def predict_all(classifier: LetterClassifier, samples: Samples, batch: int) -> np.ndarray:
    return np.concatenate([classifier.predict_batch(samples.crops[i:i + batch], samples.landmarks[i:i + batch],
                                                    samples.handedness[i:i + batch])
                           for i in range(0, len(samples), batch)])


def time_batches(classifier: LetterClassifier, samples: Samples, size: int) -> dict:
    """ms per call and crops/s at batch `size`, taking the crops in turn (round again past the end)."""
    n = len(samples)
    start = 0

    def call() -> float:
        nonlocal start
        idx = (start + np.arange(size)) % n
        start = (start + size) % n
        t0 = time.perf_counter()
        classifier.predict_batch(samples.crops[idx], samples.landmarks[idx], samples.handedness[idx])
        return time.perf_counter() - t0

    call()  # the first call at a new size compiles and allocates: not timed
    times = []
    while len(times) < MIN_CALLS or sum(times) < MIN_SECONDS:
        times.append(call())
    return {"batch": size, "calls": len(times), "ms_per_batch": round(1e3 * float(np.median(times)), 3),
            "crops_per_s": round(size * len(times) / sum(times), 1)}


def compare(probs: np.ndarray, labels: list[str], reference: Reference) -> dict:
    if reference.labels != labels:
        raise DatasetError(f"the reference ({reference.model}) has other classes than this model")
    if reference.probs.shape != probs.shape:
        raise DatasetError(f"the reference holds {len(reference.probs)} outputs for {len(probs)} crops")
    same = int((reference.probs.argmax(1) == probs.argmax(1)).sum())
    return {"model": reference.model, "device": reference.device, "same_letters": same, "crops": len(probs),
            "max_abs_diff": float(np.abs(reference.probs - probs).max())}


def run(cache: Path, device: str = "auto", model: Path | None = None, sizes=DEFAULT_SIZES,
        limit: int | None = None, reference_path: Path | None = None) -> tuple[dict, Samples, np.ndarray, object]:
    classifier = load_classifier(model, device)  # first: a device there is none of is the error to give
    samples = evenly_spaced(load_cache(cache), limit)
    reference = read_reference(reference_path or cache)
    if reference_path and reference is None:
        raise DatasetError(f"{reference_path} holds no reference outputs (make it with --write-reference)")
    if reference is not None and reference.digest != inputs_digest(samples):
        raise DatasetError(f"the reference in {reference_path or cache} was made on other crops "
                           "(run on the file --write-reference wrote, without --limit)")
    t0 = time.perf_counter()
    probs = predict_all(classifier, samples, max(sizes))
    first_pass_s = time.perf_counter() - t0
    result = {"cache": str(cache), "crops": len(samples), "model": classifier.path.name, "device": classifier.device,
              "first_pass_s": round(first_pass_s, 2), "sizes": [time_batches(classifier, samples, s) for s in sizes]}
    known = np.isin(samples.labels, classifier.info.labels)
    if known.any():
        truth = np.array([classifier.info.labels.index(x) for x in samples.labels[known]])
        result["accuracy"] = round(float((probs[known].argmax(1) == truth).mean()), 4)
    if reference is not None:
        result["reference"] = compare(probs, classifier.info.labels, reference)
    return result, samples, probs, classifier


def report(r: dict, out: TextIO) -> None:
    lines = [f"signcam bench --classifier-only: {r['crops']} crops of {Path(r['cache']).name}, "
             f"model {r['model']} on {r['device']}",
             f"  {'batch':>6} {'ms/batch':>10} {'crops/s':>10}"]
    lines += [f"  {s['batch']:>6} {s['ms_per_batch']:>10.2f} {s['crops_per_s']:>10.0f}" for s in r["sizes"]]
    lines.append(f"  first pass   {r['first_pass_s']:.1f} s over all crops (compiling included)")
    if "accuracy" in r:
        lines.append(f"  accuracy     {r['accuracy']:.4f} against the cache's labels")
    if "reference" in r:
        ref = r["reference"]
        lines.append(f"  reference    same letter for {ref['same_letters']} of {ref['crops']} crops, largest probability"
                     f" difference {ref['max_abs_diff']:.1e} (from {ref['model']} on {ref['device']})")
    out.write("\n".join(lines) + "\n")


def bench_classifier(cache: Path, device: str = "auto", model: Path | None = None, sizes=DEFAULT_SIZES,
                     limit: int | None = None, reference: Path | None = None, json_path: Path | None = None,
                     write_reference_to: Path | None = None, out: TextIO | None = None) -> dict:
    out = out or sys.stdout  # looked up now: a test may have replaced it
    result, samples, probs, classifier = run(cache, device, model, sizes, limit, reference)
    report(result, out)
    if json_path:
        json_path.write_text(json.dumps(result, indent=1) + "\n")
    if write_reference_to:
        write_reference(samples, probs, classifier, write_reference_to)
        out.write(f"  wrote        {write_reference_to}: these {len(samples)} crops and their outputs "
                  f"({write_reference_to.stat().st_size / 2**20:.1f} MiB)\n")
    return result
