"""Synthetic fingertip paths for J, Z and for movements that are neither, varied as people vary.

The stroke reader's templates and thresholds (signcam/spelling/strokes.py, StrokeConfig.max_distance) are
set on these, never on real clips: a Z with loose corners, rounded strokes, any aspect from 0.6 to
1.6, turned up to 25 degrees, mirrored, with a lead-in and lead-out and tracker noise; a J with a
long or short stem, a tight or wide hook that ends level with its start or rises past it; and as
negatives, lines, arcs, V- and L-shapes, N-shapes (a Z turned on its side), waves and circles.
"""
from __future__ import annotations

import numpy as np


def _chaikin(p: np.ndarray, times: int) -> np.ndarray:
    for _ in range(times):
        q = 0.75 * p[:-1] + 0.25 * p[1:]
        r = 0.25 * p[:-1] + 0.75 * p[1:]
        p = np.concatenate([p[:1], np.stack([q, r], axis=1).reshape(-1, 2), p[-1:]])
    return p


def _frames(points, rng, fps_points: int) -> np.ndarray:
    """The polyline sampled at uneven speed (as frames of a hand that speeds up and slows down)."""
    p = np.asarray(points, dtype=np.float64)
    seg = np.linalg.norm(np.diff(p, axis=0), axis=1)
    d = np.concatenate([[0], np.cumsum(seg)])
    u = np.linspace(0, 1, fps_points)
    warp = u + rng.uniform(-0.08, 0.08) * np.sin(np.pi * u * rng.integers(1, 4))
    at = np.clip(warp, 0, 1) * d[-1]
    return np.stack([np.interp(at, d, p[:, 0]), np.interp(at, d, p[:, 1])], axis=1)


def _vary(p: np.ndarray, rng, aspect=(0.6, 1.6), turn=25.0, noise=0.02) -> np.ndarray:
    p = p * [1.0, rng.uniform(*aspect)]
    if rng.random() < 0.5:
        p = p * [-1.0, 1.0]  # drawn by the other hand, or seen in a mirror
    a = np.radians(rng.uniform(-turn, turn))
    p = p @ np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]]).T
    return p + rng.normal(0, noise * np.ptp(p, axis=0).max(), p.shape)


def z_path(rng) -> np.ndarray:
    c = np.array([(1, 0), (0, 0), (1, 1), (0, 1)], float) + rng.uniform(-0.15, 0.15, (4, 2))
    lead = [c[0] + rng.uniform(-0.1, 0.1, 2)] if rng.random() < 0.5 else []
    tail = [c[-1] + (rng.uniform(-0.15, 0.0), rng.uniform(-0.1, 0.1))] if rng.random() < 0.5 else []
    pts = _chaikin(np.array(lead + list(c) + tail), int(rng.integers(0, 3)))
    return _vary(_frames(pts, rng, int(rng.integers(15, 45))), rng)


def j_path(rng) -> np.ndarray:
    stem, r = rng.uniform(0.0, 1.2), rng.uniform(0.25, 0.6)
    end = np.pi * rng.uniform(0.8, 1.3)  # the hook ends below, level with, or past the top of its turn
    hook = [(r - r * np.cos(a), stem + r * np.sin(a)) for a in np.linspace(0, end, 14)]
    return _vary(_frames([(0.0, 0.0)] + hook, rng, int(rng.integers(12, 40))), rng, aspect=(0.7, 1.4))


def other_path(rng, kind: str | None = None) -> np.ndarray:
    kind = kind or rng.choice(OTHER_KINDS)
    if kind == "line":
        pts = [(0, 0), (1, rng.uniform(-0.4, 0.4))]
    elif kind == "arc":  # a bow, as a hand sweeping sideways
        pts = [(np.cos(a), 0.5 * np.sin(a)) for a in np.linspace(0, np.pi * rng.uniform(0.5, 0.8), 12)]
    elif kind == "v":
        pts = [(0, 0), (0.5, 1), (1, rng.uniform(0, 0.3))]
    elif kind == "ell":
        pts = [(0, 0), (0, 1), (rng.uniform(0.5, 1), 1)]
    elif kind == "n":  # up, diagonal down, up: a Z on its side
        pts = [(0, 1), (0, 0), (1, 1), (1, 0)]
    elif kind == "wave":  # side to side and back
        pts = [(0, 0), (1, 0.1), (0, 0.2), (1, 0.3)][: int(rng.integers(3, 5))]
    else:  # circle
        pts = [(np.cos(a), np.sin(a)) for a in np.linspace(0, 2 * np.pi * rng.uniform(0.8, 1.0), 20)]
    pts = _chaikin(np.asarray(pts, float) + rng.uniform(-0.05, 0.05, (len(pts), 2)), int(rng.integers(0, 2)))
    turn = 25.0 if kind == "n" else 180.0  # turned further, an N is a Z
    return _vary(_frames(pts, rng, int(rng.integers(12, 40))), rng, aspect=(0.8, 1.25), turn=turn)


OTHER_KINDS = ("line", "arc", "v", "ell", "n", "wave", "circle")


def rates(match, max_distance: dict, n: int = 300, seed: int = 0) -> dict:
    """Share of synthetic Zs and Js read as themselves, and of each other movement read as J or Z."""
    rng = np.random.default_rng(seed)
    out = {}
    for letter, make in (("Z", z_path), ("J", j_path)):
        hits = [match(make(rng)) for _ in range(n)]
        out[letter] = np.mean([name == letter and d <= max_distance[letter] for name, d in hits])
    for kind in OTHER_KINDS:
        hits = [match(other_path(rng, kind)) for _ in range(n)]
        out[kind] = np.mean([name in max_distance and d <= max_distance[name] for name, d in hits])
    return out


def moving_on(path: np.ndarray, rng) -> np.ndarray:
    """The path, then the hand moving on before it rests: 0.4-1 stroke sizes in any direction, at
    the stroke's own pace (back towards where it began, or on towards the next letter)."""
    step = np.median(np.linalg.norm(np.diff(path, axis=0), axis=1))
    size = np.ptp(path, axis=0).max()
    a = rng.uniform(0, 2 * np.pi)
    far = rng.uniform(0.4, 1.0) * size
    n = max(3, int(far / max(step, 1e-6)))
    lead_out = path[-1] + np.outer(np.linspace(0, 1, n + 1)[1:], far * np.array([np.cos(a), np.sin(a)]))
    return np.concatenate([path, lead_out])
