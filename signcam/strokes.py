"""J and Z from their motion: a fingertip's path over the last second, matched against templates.

J is the I handshape (little finger out) whose little fingertip draws a hook; Z is the index finger
drawing a Z. A still photo of either is just I or an index-pointing shape, so the letter model
cannot tell them; the path can. The path is taken in the image, divided by the hand's size (so
near and far hands compare), moved to its centroid and scaled by its own extent, then compared
point by point with template paths resampled to the same number of points (a "$1"-style
template matcher). Templates come in the drawn direction and mirrored (left hands, mirrored
cameras), slightly rotated and sheared. A path must also travel far enough (`min_extent` hand
sizes): a still hand never reads J or Z, whatever the model says of its shape.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from .config import StrokeConfig
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


def resample(path: np.ndarray, n: int = POINTS) -> np.ndarray:
    """n points evenly spaced along the path's length."""
    seg = np.linalg.norm(np.diff(path, axis=0), axis=1)
    dist = np.concatenate([[0.0], np.cumsum(seg)])
    if dist[-1] <= 0:
        return np.repeat(path[:1], n, axis=0)
    at = np.linspace(0.0, dist[-1], n)
    return np.stack([np.interp(at, dist, path[:, 0]), np.interp(at, dist, path[:, 1])], axis=1)


def normalise(path: np.ndarray) -> np.ndarray:
    """Centroid at 0, the larger side of its box 1 (the aspect is kept: a line is not a Z)."""
    p = resample(path)
    p = p - p.mean(axis=0)
    return p / max(float((p.max(axis=0) - p.min(axis=0)).max()), 1e-9)


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


def match(path: np.ndarray) -> tuple[str, float]:
    """The closest template letter and its mean point distance (0 = the same shape)."""
    p = normalise(path)
    best = ("", float("inf"))
    for letter, templates in TEMPLATES.items():
        d = float(np.linalg.norm(templates - p, axis=2).mean(axis=1).min())
        if d < best[1]:
            best = (letter, d)
    return best


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

    def reset(self) -> None:
        self._track.clear()

    def update(self, t: float, landmarks: np.ndarray, still: bool) -> Stroke | None:
        cfg = self.config
        xy = np.asarray(landmarks, dtype=np.float64)[:, :2]
        _, size = hand_geometry(xy)
        self._track.append((t, xy, size, extended_fingers(xy)))
        while self._track and self._track[0][0] < t - cfg.window:
            self._track.popleft()
        # A stroke is read when it ends: the hand comes to rest after drawing it.
        if not still:
            if t - self._quiet_until < cfg.window:
                self._quiet_until = t  # still moving on from the last stroke: part of its ending
            return None
        frames = [f for f in self._track if f[0] > self._quiet_until]
        if len(frames) < cfg.min_frames:
            return None
        best: Stroke | None = None
        for letter, (tip, out) in DRAWN_BY.items():
            shaped = np.array([fingers == out for _, _, _, fingers in frames])
            if shaped.mean() < cfg.shape_share / 2:
                continue  # not even the part of the window a stroke could take shows the handshape
            size = float(np.median([s for _, _, s, _ in frames]))
            path = np.stack([lm[tip] for _, lm, _, _ in frames]) / size
            # The stroke may begin anywhere in the window (after the hand came in, or rested).
            for start in range(0, len(frames) - cfg.min_frames + 1, cfg.start_step):
                part = path[start:]
                extent = float((part.max(axis=0) - part.min(axis=0)).max())
                if extent < cfg.min_extent:
                    break  # later starts only travel less
                if shaped[start:].mean() < cfg.shape_share:
                    continue  # the stroke's own frames must show the letter's handshape
                name, distance = match(part)
                if name == letter and distance <= cfg.max_distance[letter] and (best is None or distance < best.distance):
                    best = Stroke(letter, distance, extent, frames[start][0])
        if best is not None:
            # The rest of this movement belongs to the stroke just read: only frames after it can
            # make the next one.
            self._quiet_until = t
        return best
