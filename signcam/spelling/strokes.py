"""J and Z from their motion: a fingertip's path over the last two seconds, matched against templates.

J is the I handshape (little finger out) whose little fingertip draws a hook; Z is the index finger
drawing a Z. A still photo of either is just I or an index-pointing shape, so the letter model
cannot tell them; the path can. The path is taken in the image, divided by the hand's size (so
near and far hands compare), moved to its centroid and scaled by its own extent, then compared
point by point with template paths resampled to the same number of points (a "$1"-style
template matcher). Templates come in the drawn direction and mirrored (left hands, mirrored
cameras), slightly rotated and sheared. A path must also travel far enough (`min_extent` hand
sizes): a still hand never reads J or Z, whatever the model says of its shape.

A stroke is read when the hand comes to rest. People take 0.5-2 s to draw one, and many move on
before resting (back to where the letter began, or towards the next one), so on the first frame
at rest the reader tries every part of the last two seconds that could be the stroke: any start,
and any end up to a second before the rest.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from ..config import StrokeConfig
from .motion import hand_geometry

WRIST = 0
# tip, pip of each long finger (MediaPipe hand landmark indices)
FINGERS = {"index": (8, 6), "middle": (12, 10), "ring": (16, 14), "pinky": (20, 18)}
# The fingertip that draws each letter and the fingers that must be out (the rest curled).
DRAWN_BY = {"J": (20, {"pinky"}), "Z": (8, {"index"})}
POINTS = 24


def extended_fingers(landmarks: np.ndarray) -> set[str]:
    """Fingers whose tip is well past their middle joint, seen from the wrist."""
    xy = np.asarray(landmarks, dtype=np.float64)[:, :2]
    wrist = xy[WRIST]
    return {name for name, (tip, pip) in FINGERS.items()
            if np.linalg.norm(xy[tip] - wrist) > 1.15 * np.linalg.norm(xy[pip] - wrist)}


def resample_spans(path: np.ndarray, spans: np.ndarray, n: int = POINTS) -> np.ndarray:
    """For each span [start, end) of the path (end > start), n points evenly spaced along that
    part's length: (spans, n, 2). All at once, since the reader tries hundreds of parts when a hand
    comes to rest."""
    path = np.asarray(path, dtype=np.float64)
    spans = np.asarray(spans, dtype=np.int64).reshape(-1, 2)
    if len(spans) and (spans[:, 1] <= spans[:, 0]).any():
        raise ValueError("every span needs end > start")
    dist = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(path, axis=0), axis=1))])
    if len(path) == 1:
        return np.repeat(path[None, :1], len(spans), axis=0).repeat(n, axis=1)
    a, b = dist[spans[:, 0]], dist[spans[:, 1] - 1]
    at = a[:, None] + (b - a)[:, None] * np.linspace(0.0, 1.0, n)
    j = np.clip(np.searchsorted(dist, at, side="right") - 1, 0, len(dist) - 2)
    w = (at - dist[j]) / np.maximum(dist[j + 1] - dist[j], 1e-12)
    return path[j] + (path[j + 1] - path[j]) * np.clip(w, 0.0, 1.0)[..., None]


def resample(path: np.ndarray, n: int = POINTS) -> np.ndarray:
    """n points evenly spaced along the path's length."""
    return resample_spans(path, [(0, len(path))], n)[0]


def _normalised(points: np.ndarray) -> np.ndarray:
    """Resampled paths (..., n, 2): centroid at 0, the larger side of the box 1 (the aspect is kept:
    a line is not a Z)."""
    p = points - points.mean(axis=-2, keepdims=True)
    side = (p.max(axis=-2) - p.min(axis=-2)).max(axis=-1)
    return p / np.maximum(side, 1e-9)[..., None, None]


def normalise(path: np.ndarray) -> np.ndarray:
    return _normalised(resample(path))


def _polyline(points, n=200) -> np.ndarray:
    return resample(np.asarray(points, dtype=np.float64), n)


# Template proportions. People draw a J with a long or short stem and a tight or wide hook that
# ends level with its turn or rises past it (the wrist keeps twisting): one template of each, so
# the aspect need not be normalised away (a line must stay a line). Zs of other proportions were
# tried too (heights 0.6-1.6 of the width): they read a hand waving an index about as Z.
Z_ASPECTS = (1.0,)
J_STEMS = (1.0, 0.6, 0.2)
J_HOOKS = ((0.3, 1.0), (0.45, 1.0), (0.3, 1.25), (0.45, 1.25))  # radius, turn (half turns)


def _templates() -> dict[str, list[np.ndarray]]:
    """Z and J as a camera facing the signer sees them (image x right, y down), then variants."""
    # Z as the signer draws it (top stroke away from the thumb side, diagonal back, bottom stroke),
    # seen from the front: mirrored left-right. Both mirror images are kept below anyway.
    zs = [_polyline([(1, 0), (0, 0), (1, a), (0, a)]) for a in Z_ASPECTS]
    # J: the little fingertip goes down, then hooks round and up.
    js = []
    for stem in J_STEMS:
        for r, turn in J_HOOKS:
            hook = [(r - r * np.cos(a), stem + r * np.sin(a)) for a in np.linspace(0, np.pi * turn, 12)]
            js.append(_polyline([(0, 0)] + hook))
    out: dict[str, list[np.ndarray]] = {"J": [], "Z": []}
    for letter, bases in (("Z", zs), ("J", js)):
        for base in bases:
            for mirror in (1.0, -1.0):
                for angle in np.radians([-20, 0, 20]):
                    for shear in (-0.2, 0.0, 0.2):
                        c, s = np.cos(angle), np.sin(angle)
                        m = np.array([[c, -s], [s, c]]) @ np.array([[1.0, shear], [0.0, 1.0]])
                        out[letter].append(normalise((base * [mirror, 1.0]) @ m.T))
    return out


TEMPLATES = {letter: np.stack(ts) for letter, ts in _templates().items()}  # letter -> (n, POINTS, 2)


def _nearest(parts: np.ndarray, templates: np.ndarray, shortlist: int | None) -> np.ndarray:
    """Mean point distance from each normalised part (parts, POINTS, 2) to its nearest template.

    With a `shortlist`, the templates are first ranked by summed squared distance (one matrix
    product for all parts) and the mean distance is worked out for that many nearest only: a
    fraction of the cost when the reader tries hundreds of parts at once (over the 78 clips, the
    slowest update went from 96 ms to 14 with 8). It can only overestimate. Over 15k parts of
    synthetic paths, 16 missed the nearest J template for 6 parts, by at most 0.013 and never for
    one within 0.12 of a template (8 missed 56, by up to 0.021); Z's 18 templates are all kept."""
    if shortlist is not None and shortlist < len(templates):
        flat_p, flat_t = parts.reshape(len(parts), -1), templates.reshape(len(templates), -1)
        squared = (flat_p ** 2).sum(1)[:, None] + (flat_t ** 2).sum(1)[None] - 2 * flat_p @ flat_t.T
        near = np.argpartition(squared, shortlist - 1, axis=1)[:, :shortlist]  # (parts, k) template indices
        return np.linalg.norm(templates[near] - parts[:, None], axis=3).mean(axis=2).min(axis=1)
    return np.linalg.norm(templates[None] - parts[:, None], axis=3).mean(axis=2).min(axis=1)


SHORTLIST = 16


def match_spans(path: np.ndarray, spans, shortlist: int | None = SHORTLIST) -> list[tuple[str, float]]:
    """`match` for each span [start, end) of one path (templates shortlisted: see `_nearest`)."""
    parts = _normalised(resample_spans(path, spans))
    if not len(parts):
        return []
    letters = list(TEMPLATES)
    nearest = np.stack([_nearest(parts, TEMPLATES[letter], shortlist) for letter in letters], axis=1)
    return [(letters[k], float(nearest[n, k])) for n, k in enumerate(nearest.argmin(axis=1))]


def match(path: np.ndarray) -> tuple[str, float]:
    """The closest template letter and its mean point distance (0 = the same shape)."""
    return match_spans(path, [(0, len(path))], shortlist=None)[0]


@dataclass
class Stroke:
    letter: str
    distance: float  # template distance of the path
    extent: float  # how far the fingertip travelled, in hand sizes (box of the path)
    start: float  # when the stroke began (s)


class StrokeReader:
    """Watches the fingertips over the last `window` seconds; reports a J or Z once drawn."""

    def __init__(self, config: StrokeConfig):
        self.config = config
        self._track: deque[tuple[float, np.ndarray, float, set[str]]] = deque()  # t, landmarks, size, fingers
        self._quiet_until = -np.inf  # no new stroke from frames before this (the last one's)
        self._moving = False  # the last frame was not at rest

    def reset(self) -> None:
        self._track.clear()
        self._moving = False

    def update(self, t: float, landmarks: np.ndarray, still: bool) -> Stroke | None:
        cfg = self.config
        xy = np.asarray(landmarks, dtype=np.float64)[:, :2]
        _, size = hand_geometry(xy)
        self._track.append((t, xy, size, extended_fingers(xy)))
        while self._track and self._track[0][0] < t - cfg.window:
            self._track.popleft()
        # A stroke is read when the hand comes to rest after drawing it.
        if not still:
            if t - self._quiet_until < cfg.settle:
                self._quiet_until = t  # still moving on from the last stroke: part of its ending
            self._moving = True
            return None
        came_to_rest, self._moving = self._moving, False
        frames = [f for f in self._track if f[0] > self._quiet_until]
        if len(frames) < cfg.min_frames:
            return None
        # The hand may move on after the stroke before it rests (back to where it started, or on
        # towards the next letter): on the first frame at rest, strokes ending earlier are tried too.
        ends = (len(frames),)
        if came_to_rest:
            earliest = max(cfg.min_frames, int(np.searchsorted([f[0] for f in frames], t - cfg.move_on)))
            ends = range(len(frames), earliest - 1, -cfg.end_step)
        best: Stroke | None = None
        for letter, (tip, out) in DRAWN_BY.items():
            shaped = np.array([fingers == out for _, _, _, fingers in frames])
            if shaped.sum() < cfg.shape_share * cfg.min_frames:
                continue  # too few frames show the handshape for even the shortest stroke
            size = float(np.median([s for _, _, s, _ in frames]))
            path = np.stack([lm[tip] for _, lm, _, _ in frames]) / size
            spans = self._spans(path, shaped, ends)
            for (start, end), (name, distance) in zip(spans, match_spans(path, spans)):
                if name == letter and distance <= cfg.max_distance[letter] and (best is None or distance < best.distance):
                    best = Stroke(letter, distance, stroke_extent(path[start:end]), frames[start][0])
        if best is not None:
            # The rest of this movement belongs to the stroke just read: only frames after it can
            # make the next one.
            self._quiet_until = t
        return best

    def _spans(self, path: np.ndarray, shaped: np.ndarray, ends) -> list[tuple[int, int]]:
        """The parts [start, end) of the path that could be a stroke: long enough, travelling far
        enough (a still hand draws nothing) and showing the letter's handshape in enough frames.
        The stroke may begin anywhere before its end (after the hand came in, or rested)."""
        cfg = self.config
        shaped_before = np.concatenate([[0], np.cumsum(shaped)])
        spans = []
        for end in ends:
            for start in range(0, end - cfg.min_frames + 1, cfg.start_step):
                if stroke_extent(path[start:end]) < cfg.min_extent:
                    break  # later starts only travel less
                if shaped_before[end] - shaped_before[start] >= cfg.shape_share * (end - start):
                    spans.append((start, end))
        return spans


def stroke_extent(path: np.ndarray) -> float:
    """How far a path travels: the larger side of its box."""
    return float((path.max(axis=0) - path.min(axis=0)).max())
