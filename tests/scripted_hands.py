"""Scripted hands: 21 MediaPipe-style landmarks for a chosen handshape, placed and moved at will.

A J is made by moving an I handshape so that its little fingertip follows a hook; a Z by moving
an index-pointing hand so that its index tip follows a Z. Noise and speed vary with a seed.
"""
from __future__ import annotations

import numpy as np

# Knuckle (MCP) x positions of index, middle, ring, little finger; the wrist at (0, 0).
_MCP_X = (-0.30, -0.10, 0.10, 0.30)
_LENGTH = (0.62, 0.68, 0.62, 0.50)


def hand_landmarks(out: set[str], center=(640.0, 360.0), size=200.0) -> np.ndarray:
    """(21, 3) landmarks, fingers pointing up in the image, `out` fingers extended, the rest curled."""
    pts = np.zeros((21, 3))
    pts[0, :2] = (0.0, 0.0)
    # thumb folded across the palm
    for i, (x, y) in enumerate([(-0.25, -0.10), (-0.35, -0.25), (-0.30, -0.40), (-0.15, -0.45)], start=1):
        pts[i, :2] = (x, y)
    for f, name in enumerate(("index", "middle", "ring", "pinky")):
        base = 5 + 4 * f
        mcp = np.array([_MCP_X[f], -0.55])
        pts[base, :2] = mcp
        seg = _LENGTH[f] / 3
        if name in out:
            for j in range(1, 4):
                pts[base + j, :2] = mcp + (0.0, -seg * j)
        else:  # curled down in front of the palm: tip back near the knuckles
            pts[base + 1, :2] = mcp + (0.0, -seg * 0.8)
            pts[base + 2, :2] = mcp + (0.0, -seg * 0.3)
            pts[base + 3, :2] = mcp + (0.0, seg * 0.2)
    xy = pts[:, :2]
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    pts[:, :2] = (xy - (lo + hi) / 2) / (hi - lo).max() * size + np.asarray(center)
    return pts.astype(np.float32)


SHAPES = {"I": {"pinky"}, "D": {"index"}, "B": {"index", "middle", "ring", "pinky"}, "A": set(),
          "V": {"index", "middle"}, "L": {"index"}}

Z_PATH = [(1, 0), (0, 0), (1, 1), (0, 1)]  # as a camera facing the signer sees a Z
J_PATH = [(0, 0)] + [(0.35 - 0.35 * np.cos(a), 1.0 + 0.35 * np.sin(a)) for a in np.linspace(0, np.pi, 10)]


def along(points, n: int) -> np.ndarray:
    """n points evenly spaced along a polyline."""
    p = np.asarray(points, dtype=np.float64)
    seg = np.linalg.norm(np.diff(p, axis=0), axis=1)
    d = np.concatenate([[0], np.cumsum(seg)])
    at = np.linspace(0, d[-1], n)
    return np.stack([np.interp(at, d, p[:, 0]), np.interp(at, d, p[:, 1])], axis=1)


def drawn(shape: set[str], tip: int, path, seconds: float, fps: float = 30, size: float = 200.0,
          scale: float = 1.0, mirror: bool = False, noise: float = 1.5, seed: int = 0,
          start=(640.0, 300.0)) -> list[np.ndarray]:
    """Frames of a hand whose fingertip `tip` follows `path` (in hand sizes, times `scale`)."""
    rng = np.random.default_rng(seed)
    pts = along(path, max(2, int(round(seconds * fps))))
    if mirror:
        pts[:, 0] = -pts[:, 0]
    base = hand_landmarks(shape, (0.0, 0.0), size)
    offset = base[tip, :2]
    frames = []
    for p in pts:
        lm = base.copy()
        lm[:, :2] += np.asarray(start) + p * scale * size - offset
        lm[:, :2] += rng.normal(0, noise, size=(21, 2))
        frames.append(lm)
    return frames


def held(shape: set[str], seconds: float, fps: float = 30, center=(640.0, 300.0), size: float = 200.0,
         noise: float = 1.5, seed: int = 0) -> list[np.ndarray]:
    """Frames of a hand held still (with tracker-like jitter)."""
    rng = np.random.default_rng(seed)
    base = hand_landmarks(shape, center, size)
    return [base + np.pad(rng.normal(0, noise, size=(21, 2)), ((0, 0), (0, 1)))
            for _ in range(int(round(seconds * fps)))]
