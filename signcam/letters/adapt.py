"""Adapt the letter model to one person from a few of their frames, without touching the model.

The base model's probabilities are kept; what is learned from the person sits beside them and
is applied after every model call (`AdaptedClassifier`), so any back end (.tflite, .keras) and
any later base model can carry it. Each frame is described by its hand's shape (from the
landmarks, in the palm's own frame: position, size and turn in the picture removed) and by the
base model's reading (which carries what the crop showed). Two methods, measured against each
other by `signcam-train enroll-eval` (README: "Calibrate"):

- nearest neighbours: a frame that looks like one of the person's enrolled frames of a letter
  leans towards that letter, by how close it is; a hand unlike anything enrolled (another person,
  a letter not enrolled) keeps the base reading, which keeps a profile personal;
- correction: a multinomial logistic correction added to the base's log-probabilities, fitted on
  the enrolled frames with an L2 pull towards no change.

Either is gated by how the crop looks (its colours: skin, sleeve, room): a crop unlike every
enrolled one keeps the base reading. Measured over signers2 (README, "Calibrate"), this is what
keeps other people's reading within a point when they sign through someone else's profile.
"""
from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import ModelError
from .hand_view import CANONICAL_HAND

FINGERS = ((1, 2, 3, 4), (5, 6, 7, 8), (9, 10, 11, 12), (13, 14, 15, 16), (17, 18, 19, 20))
BONES = tuple((0 if i == 0 else f[i - 1], f[i]) for f in FINGERS for i in range(4))
TIPS = (4, 8, 12, 16, 20)
THUMB_TOUCHES = (5, 6, 9, 10, 13, 14, 17, 18)
ADAPTATION_VERSION = 1


def _unit(v: np.ndarray) -> np.ndarray:
    return v / (np.linalg.norm(v, axis=-1, keepdims=True) + 1e-6)


def hand_shape(landmarks: np.ndarray, handedness=None) -> np.ndarray:
    """(N, 21, 3) crop landmarks -> (N, D) shape features: each part scaled to unit length, so
    no part outweighs the others by its count. A left hand is mirrored to a right one first."""
    lms = np.array(landmarks, np.float32, copy=True).reshape(-1, 21, 3)
    if handedness is not None:
        other = np.asarray(handedness) != CANONICAL_HAND
        lms[other, :, 0] = 1.0 - lms[other, :, 0]
    rel = lms - lms[:, :1]
    xy = rel[..., :2] / (np.linalg.norm(rel[..., :2], axis=-1).max(axis=1)[:, None, None] + 1e-6)
    index, middle, pinky = rel[:, 5], rel[:, 9], rel[:, 17]
    palm = (np.linalg.norm(index, axis=-1) + np.linalg.norm(middle, axis=-1) + np.linalg.norm(pinky, axis=-1)) / 3
    rel = rel / (palm[:, None, None] + 1e-6)
    up = _unit(index + pinky)
    normal = _unit(np.cross(index, pinky))
    frame = np.stack([up, np.cross(normal, up), normal], axis=1)
    local = np.einsum("bij,bkj->bki", frame, rel)
    bones = _unit(np.stack([local[:, b] - local[:, a] for a, b in BONES], axis=1))
    bends = [np.sum(bones[:, 4 * f + i] * bones[:, 4 * f + i + 1], -1) for f in range(5) for i in range(3)]
    spreads = [np.sum(bones[:, 4 * f + 1] * bones[:, 4 * (f + 1) + 1], -1) for f in range(4)]
    pairs = [(a, b) for i, a in enumerate(TIPS) for b in TIPS[i + 1:]] + [(4, k) for k in THUMB_TOUCHES]
    tips = np.stack([np.linalg.norm(local[:, a] - local[:, b], axis=-1) for a, b in pairs], -1)
    parts = [xy.reshape(len(lms), -1), local.reshape(len(lms), -1), bones.reshape(len(lms), -1),
             np.stack(bends + spreads, -1), tips, frame.reshape(len(lms), -1)]
    return np.concatenate([_unit(p) for p in parts], axis=1).astype(np.float32) / np.sqrt(len(parts))


@dataclass
class AdaptConfig:
    method: str = "neighbours"  # or "correction"
    # neighbours: the embedding is [shape, prob_weight * sqrt(probs)]; a frame's pull towards the
    # letter of its nearest enrolled frames is exp(-(d / (reach * spread))^2), spread being the
    # enrolled frames' typical distance to their nearest same-letter neighbour.
    prob_weight: float = 0.25
    neighbours: int = 1  # per letter, averaged
    temperature: float = 0.25  # of the softmax over letters' distances, in units of spread
    reach: float = 5.0
    # The adaptation fades as exp(-(d / appearance)^2), d being the Hellinger distance from the crop's
    # colour histogram to the nearest enrolled crop's; 0 turns the gate off.
    appearance: float = 0.4
    strength: float = 1.0  # the most the neighbours' reading may weigh against the base's
    # correction
    l2: float = 0.01  # measured on signers2: 1.0 gave 0.958, 0.01 0.968 (600 steps)
    steps: int = 600
    learning_rate: float = 0.5


@dataclass
class Adaptation:
    """What was learned from one person, for one base model (its SHA-256)."""
    labels: list[str]
    base_model: str
    config: AdaptConfig
    embeddings: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    targets: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # label index per enrolled frame
    spread: float = 1.0
    weights: np.ndarray | None = None  # correction: (D + 1, C)
    looks: np.ndarray | None = None  # the enrolled crops' colour histograms (N, 64)

    @property
    def enrolled(self) -> list[str]:
        return [self.labels[i] for i in sorted(set(self.targets.tolist()))]

    def apply(self, probs: np.ndarray, landmarks: np.ndarray, handedness=None, crops: np.ndarray | None = None) -> np.ndarray:
        """The base model's (N, C) probabilities for these hands (and their crops), adapted to the person."""
        probs = np.asarray(probs, np.float32)
        if len(probs) == 0 or len(self.targets) == 0:
            return probs
        e = embed(probs, landmarks, handedness, self.config.prob_weight)
        out = _correct(probs, e, self.weights) if self.config.method == "correction" else _lean(probs, e, self)
        if crops is None or self.looks is None or not self.config.appearance:
            return out
        gate = np.exp(-(_distances(colour_histogram(crops), self.looks).min(1) / self.config.appearance) ** 2)[:, None]
        return gate * out + (1 - gate) * probs

    def save(self, path: Path) -> None:
        """One .npz (arrays) with its facts as JSON inside; written beside and renamed (atomic)."""
        tmp = path.with_name(path.name + ".part")
        meta = {"version": ADAPTATION_VERSION, "labels": self.labels, "base_model": self.base_model,
                "config": self.config.__dict__, "spread": self.spread}
        arrays = {"embeddings": self.embeddings, "targets": self.targets}
        for name in ("weights", "looks"):
            if getattr(self, name) is not None:
                arrays[name] = getattr(self, name)
        with open(tmp, "wb") as f:
            np.savez(f, meta=json.dumps(meta), **arrays)
        tmp.replace(path)

    @staticmethod
    def load(path: Path) -> "Adaptation":
        try:
            with np.load(path, allow_pickle=False) as z:
                meta = json.loads(str(z["meta"]))
                if meta.get("version") != ADAPTATION_VERSION:
                    raise ModelError(f"{path} is a version {meta.get('version')} adaptation; "
                                     f"this signcam reads version {ADAPTATION_VERSION}: rebuild the profile")
                return Adaptation(list(meta["labels"]), str(meta["base_model"]), AdaptConfig(**meta["config"]),
                                  z["embeddings"].astype(np.float32), z["targets"].astype(np.int64),
                                  float(meta["spread"]), z["weights"] if "weights" in z.files else None,
                                  z["looks"] if "looks" in z.files else None)
        except FileNotFoundError:
            raise ModelError(f"adaptation not found: {path}") from None
        except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile, EOFError) as exc:
            raise ModelError(f"damaged adaptation file {path} ({type(exc).__name__}): rebuild the profile") from None


def colour_histogram(crops: np.ndarray, bins: int = 4) -> np.ndarray:
    """(N, S, S, 3) uint8 crops -> (N, bins^3) square-rooted colour shares (Hellinger space)."""
    crops = np.asarray(crops)
    q = (crops.reshape(len(crops), -1, 3).astype(np.int32) * bins) // 256
    codes = (q[..., 0] * bins + q[..., 1]) * bins + q[..., 2]
    counts = np.stack([np.bincount(c, minlength=bins ** 3) for c in codes]).astype(np.float32)
    return np.sqrt(counts / np.maximum(counts.sum(1, keepdims=True), 1))


def embed(probs: np.ndarray, landmarks: np.ndarray, handedness, prob_weight: float) -> np.ndarray:
    """A frame as the adaptation sees it: its hand's shape and (square-rooted) the base's reading."""
    return np.concatenate([hand_shape(landmarks, handedness),
                           prob_weight * np.sqrt(np.clip(probs, 0, 1))], axis=1).astype(np.float32)


def _distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    d2 = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T
    return np.sqrt(np.maximum(d2, 0))


def _letter_distances(e: np.ndarray, a: Adaptation) -> tuple[np.ndarray, np.ndarray]:
    """(N, L) mean distance to each enrolled letter's k nearest frames, and the letters' indices."""
    d = _distances(e, a.embeddings)
    letters = np.array(sorted(set(a.targets.tolist())))
    out = np.empty((len(e), len(letters)), np.float32)
    for j, c in enumerate(letters):
        dc = np.sort(d[:, a.targets == c], axis=1)
        out[:, j] = dc[:, :a.config.neighbours].mean(1)
    return out, letters


def _lean(probs: np.ndarray, e: np.ndarray, a: Adaptation) -> np.ndarray:
    cfg = a.config
    dist, letters = _letter_distances(e, a)
    near = dist.min(1)
    pull = cfg.strength * np.exp(-(near / (cfg.reach * a.spread)) ** 2)  # 0 for a hand unlike any enrolled
    logits = -(dist - near[:, None]) / (cfg.temperature * a.spread)
    q_enrolled = np.exp(logits)
    q_enrolled /= q_enrolled.sum(1, keepdims=True)
    # The neighbours speak for the enrolled letters only; how far they may speak is the pull, which
    # fades with the distance to the nearest enrolled frame.
    q = np.zeros_like(probs)
    q[:, letters] = q_enrolled
    out = (1 - pull[:, None]) * probs + pull[:, None] * q
    return out / out.sum(1, keepdims=True)


def _design(e: np.ndarray) -> np.ndarray:
    return np.concatenate([e, np.ones((len(e), 1), np.float32)], axis=1)


def _correct(probs: np.ndarray, e: np.ndarray, weights: np.ndarray) -> np.ndarray:
    logits = np.log(np.clip(probs, 1e-6, 1)) + _design(e) @ weights
    logits -= logits.max(1, keepdims=True)
    out = np.exp(logits)
    return out / out.sum(1, keepdims=True)


def _fit_correction(probs: np.ndarray, e: np.ndarray, y: np.ndarray, cfg: AdaptConfig) -> np.ndarray:
    """Full-batch gradient descent (with momentum) on cross-entropy + l2 * |W|^2 / 2."""
    x = _design(e)
    w = np.zeros((x.shape[1], probs.shape[1]), np.float32)
    v = np.zeros_like(w)
    onehot = np.eye(probs.shape[1], dtype=np.float32)[y]
    for _ in range(cfg.steps):
        p = _correct(probs, e, w)
        grad = x.T @ (p - onehot) / len(x) + cfg.l2 * w / len(x)
        v = 0.9 * v - cfg.learning_rate * grad
        w += v
    return w


def fit(labels: list[str], base_model: str, probs: np.ndarray, landmarks: np.ndarray, handedness,
        frame_labels, config: AdaptConfig | None = None, crops: np.ndarray | None = None) -> Adaptation:
    """Learn one person from their enrolled frames: the base model's probabilities on them, their
    landmarks and handedness, the letter each shows, and their crops (for the appearance gate)."""
    cfg = config or AdaptConfig()
    if cfg.method not in ("neighbours", "correction"):
        raise ValueError(f"unknown adaptation method {cfg.method!r}: use neighbours or correction")
    index = {c: i for i, c in enumerate(labels)}
    unknown = sorted(set(frame_labels) - set(index))
    if unknown:
        raise ModelError(f"letters the model does not know: {', '.join(unknown)}")
    if len(frame_labels) == 0:
        raise ModelError("no enrolled frames to adapt to: calibrate at least one letter")
    y = np.array([index[c] for c in frame_labels], np.int64)
    e = embed(np.asarray(probs, np.float32), landmarks, handedness, cfg.prob_weight)
    d = _distances(e, e)
    np.fill_diagonal(d, np.inf)
    same = np.where(y[:, None] == y[None, :], d, np.inf).min(1)
    spread = float(np.median(same[np.isfinite(same)])) if np.isfinite(same).any() else float(np.median(d[np.isfinite(d)]) if np.isfinite(d).any() else 1.0)
    weights = _fit_correction(np.asarray(probs, np.float32), e, y, cfg) if cfg.method == "correction" else None
    looks = colour_histogram(crops) if crops is not None and len(crops) else None
    return Adaptation(list(labels), base_model, cfg, e, y, max(spread, 1e-3), weights, looks)


def self_check(labels: list[str], probs: np.ndarray, landmarks: np.ndarray, handedness, frame_labels,
               config: AdaptConfig | None = None, crops: np.ndarray | None = None) -> dict | None:
    """Before/after on the person's own frames: per letter, the first half adapts and the second
    half is read (same session, so it flatters). None when no letter has two frames."""
    frame_labels = np.asarray(frame_labels)
    first, second = [], []
    for c in dict.fromkeys(frame_labels.tolist()):
        idx = np.flatnonzero(frame_labels == c)
        if len(idx) >= 2:
            first += idx[: len(idx) // 2].tolist()
            second += idx[len(idx) // 2:].tolist()
    if not second:
        return None
    handedness = np.asarray(handedness)
    pick = (lambda idx: crops[idx]) if crops is not None else (lambda idx: None)  # noqa: E731
    a = fit(labels, "", probs[first], landmarks[first], handedness[first], frame_labels[first], config, pick(first))
    names = np.array(labels)
    truth = frame_labels[second]
    before = names[probs[second].argmax(1)] == truth
    after = names[a.apply(probs[second], landmarks[second], handedness[second], pick(second)).argmax(1)] == truth
    per_letter = {c: [round(float(before[truth == c].mean()), 3), round(float(after[truth == c].mean()), 3)]
                  for c in dict.fromkeys(truth.tolist())}
    return {"before": round(float(before.mean()), 4), "after": round(float(after.mean()), 4),
            "frames": len(second), "per_letter": per_letter}


class AdaptedClassifier:
    """A LetterClassifier: the base model's reading, adapted to one person's profile."""

    def __init__(self, base, adaptation: Adaptation, profile: str = ""):
        if list(adaptation.labels) != list(base.info.labels):
            raise ModelError("the profile was made for a model with other letters: rebuild it for this model")
        self.base, self.adaptation, self.profile = base, adaptation, profile
        self.info, self.path, self.device = base.info, base.path, base.device

    def predict_batch(self, crops: np.ndarray, landmarks: np.ndarray, handedness=None) -> np.ndarray:
        return self.adaptation.apply(self.base.predict_batch(crops, landmarks, handedness), landmarks, handedness, crops)

