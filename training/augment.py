"""Augmentations that move the crop and its landmarks together.

A horizontal flip keeps a letter's meaning (it is the same letter signed with
the other hand, or seen from the other side), so it is used; vertical flips
and large rotations would make other letters (e.g. H/U, G/Q, K/P) and are not.
"""
from __future__ import annotations

import cv2
import numpy as np


def affine(crop: np.ndarray, lms: np.ndarray, angle_deg: float, scale: float, shift: tuple[float, float],
           flip: bool) -> tuple[np.ndarray, np.ndarray]:
    """Rotate/scale about the crop centre, shift (fraction of side), optionally mirror."""
    size = crop.shape[0]
    m = cv2.getRotationMatrix2D((size / 2, size / 2), angle_deg, scale)
    m[:, 2] += np.array(shift) * size
    if flip:
        m = np.array([[-1, 0, size], [0, 1, 0]], dtype=np.float64) @ np.vstack([m, [0, 0, 1]])
    out = cv2.warpAffine(crop, m, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    pts = lms.copy()
    xy = pts[:, :2] * size
    xy = xy @ m[:, :2].T + m[:, 2]
    pts[:, :2] = xy / size
    pts[:, 2] *= scale
    return out, pts


def hand_mask(lms: np.ndarray, size: int, grow: float = 0.12) -> np.ndarray:
    """A mask of the hand: the landmarks' convex hull, grown to cover the fingers' flesh."""
    pts = (lms[:, :2] * size).astype(np.int32)
    mask = np.zeros((size, size), np.uint8)
    cv2.fillConvexPoly(mask, cv2.convexHull(pts), 255)
    k = max(3, int(grow * size) | 1)
    mask = cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    return cv2.GaussianBlur(mask, (k, k), 0)


def replace_background(crop: np.ndarray, lms: np.ndarray, background: np.ndarray) -> np.ndarray:
    alpha = hand_mask(lms, crop.shape[0])[..., None].astype(np.float32) / 255.0
    return (crop * alpha + background * (1 - alpha)).astype(np.uint8)


def random_background(rng: np.random.Generator, size: int, pool: np.ndarray) -> np.ndarray:
    """Clutter from another training crop (flipped/rotated), or a plain or noisy colour."""
    kind = rng.integers(3)
    if kind == 0:
        bg = pool[rng.integers(len(pool))]
        return np.rot90(bg, rng.integers(4)).copy()
    colour = rng.integers(0, 256, 3)
    bg = np.broadcast_to(colour, (size, size, 3)).astype(np.float32)
    if kind == 2:
        bg = bg + rng.normal(0, 25, (size, size, 3))
    return np.clip(bg, 0, 255).astype(np.uint8)


def photometric(crop: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Brightness, contrast, colour cast and, sometimes, grey or blur (webcams vary a lot)."""
    x = crop.astype(np.float32)
    x = (x - 128) * rng.uniform(0.7, 1.3) + 128 + rng.uniform(-35, 35)
    x = x * rng.uniform(0.85, 1.15, 3)
    if rng.random() < 0.1:
        x = np.repeat(x.mean(axis=-1, keepdims=True), 3, axis=-1)
    x = np.clip(x, 0, 255).astype(np.uint8)
    if rng.random() < 0.2:
        x = cv2.GaussianBlur(x, (5, 5), 0)
    return x


def erase_patch(crop: np.ndarray, rng: np.random.Generator, area: tuple[float, float] = (0.05, 0.25)) -> np.ndarray:
    """Random erasing: a rectangle of `area` of the crop (aspect 1:3 to 3:1) filled with noise. A new
    person's hand hides a finger or shows one another way; a model that must read the letter with any
    one part of the crop gone cannot lean on that part alone."""
    size = crop.shape[0]
    a = rng.uniform(*area) * size * size
    aspect = np.exp(rng.uniform(np.log(1 / 3), np.log(3)))
    h = int(min(size, round(np.sqrt(a * aspect))))
    w = int(min(size, round(np.sqrt(a / aspect))))
    y, x = rng.integers(0, size - h + 1), rng.integers(0, size - w + 1)
    out = crop.copy()
    out[y:y + h, x:x + w] = rng.integers(0, 256, (h, w, crop.shape[2]), dtype=np.uint8)
    return out


def augment(crop: np.ndarray, lms: np.ndarray, rng: np.random.Generator, pool: np.ndarray,
            background_p: float = 0.4, flip_p: float = 0.5, erase_p: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    if rng.random() < background_p:
        crop = replace_background(crop, lms, random_background(rng, crop.shape[0], pool))
    crop, lms = affine(crop, lms, angle_deg=rng.uniform(-15, 15), scale=rng.uniform(0.85, 1.15),
                       shift=tuple(rng.uniform(-0.08, 0.08, 2)), flip=bool(rng.random() < flip_p))
    crop = photometric(crop, rng)
    lms = lms + rng.normal(0, 0.006, lms.shape).astype(np.float32)  # landmark jitter, like a shaky tracker
    if erase_p > 0 and rng.random() < erase_p:  # drawn last, and not at 0: earlier recipes' draws are unchanged
        crop = erase_patch(crop, rng)
    return crop, lms.astype(np.float32)


def turn_view(lms: np.ndarray, max_deg: float, rng: np.random.Generator) -> np.ndarray:
    """The same hands seen from another direction: each turned about its wrist by a random yaw
    and pitch up to `max_deg`, using MediaPipe's depth (z), then seen straight on again.

    Not an in-plane rotation (which would turn P into K): the hand's shape is kept,
    only the camera moves, as between a desk camera looking down and a webcam in front.
    """
    n = len(lms)
    yaw, pitch = (np.deg2rad(rng.uniform(-max_deg, max_deg, (n, 1))) for _ in range(2))
    wrist = lms[:, :1, :]
    x, y, z = np.moveaxis(lms - wrist, -1, 0)
    x, z = x * np.cos(yaw) + z * np.sin(yaw), -x * np.sin(yaw) + z * np.cos(yaw)
    y, z = y * np.cos(pitch) - z * np.sin(pitch), y * np.sin(pitch) + z * np.cos(pitch)
    return (np.stack([x, y, z], axis=-1) + wrist).astype(lms.dtype)


def _rotate_about(points: np.ndarray, centre: np.ndarray, axis: np.ndarray, angle: float) -> np.ndarray:
    """Rodrigues' rotation of points (K, 3) about a unit axis through centre."""
    v = points - centre
    c, s = np.cos(angle), np.sin(angle)
    return centre + v * c + np.cross(axis, v) * s + np.outer(v @ axis, axis) * (1 - c)


FINGER_CHAINS = ((1, 2, 3, 4), (5, 6, 7, 8), (9, 10, 11, 12), (13, 14, 15, 16), (17, 18, 19, 20))


def vary_hand(lms: np.ndarray, rng: np.random.Generator, length: float = 0.12, turn_deg: float = 6.0,
              drop_p: float = 0.1) -> np.ndarray:
    """Another person's hand making the same shape: each finger longer or shorter (up to `length`),
    turned a little about its knuckle (spread and bend, up to `turn_deg`), and with `drop_p` one
    finger's outer points scrambled, as a tracker guesses a finger it cannot see.

    Small on purpose: U and V, or E and S, differ by a few degrees of spread or bend.
    """
    out = lms.astype(np.float64).copy()
    for hand in out:
        wrist = hand[0]
        normal = np.cross(hand[5] - wrist, hand[17] - wrist)
        normal /= np.linalg.norm(normal) + 1e-9
        for chain in FINGER_CHAINS:
            knuckle, rest = hand[chain[0]], list(chain[1:])
            hand[rest] = knuckle + (hand[rest] - knuckle) * rng.uniform(1 - length, 1 + length)
            side = np.cross(normal, hand[chain[1]] - knuckle)
            side /= np.linalg.norm(side) + 1e-9
            for axis in (normal, side):  # spread, then bend
                hand[rest] = _rotate_about(hand[rest], knuckle, axis, np.deg2rad(rng.uniform(-turn_deg, turn_deg)))
        if rng.random() < drop_p:
            chain = FINGER_CHAINS[rng.integers(1, 5)]
            size = np.linalg.norm(hand[9] - wrist)
            hand[list(chain[1:])] += rng.normal(0, 0.25 * size, (3, 3))
    return out.astype(lms.dtype)
