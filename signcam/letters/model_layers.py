"""Keras layers that live inside the saved model, so the app feeds it raw crops and landmarks.

Importing this module registers them; `signcam.letters.classifier` imports it before
loading any model.
"""
from __future__ import annotations

import keras
from keras import ops

VGG_BGR_MEANS = (103.939, 116.779, 123.68)


@keras.saving.register_keras_serializable(package="signcam")
class BackbonePreprocess(keras.layers.Layer):
    """uint8 RGB crop -> what the ImageNet backbone was trained on.

    mobilenet_v2: scale to [-1, 1]. vgg16/vgg19 ("caffe" mode): RGB->BGR and subtract the ImageNet means.
    """

    def __init__(self, backbone: str = "mobilenet_v2", **kwargs):
        super().__init__(**kwargs)
        self.backbone = backbone

    def call(self, x):
        x = ops.cast(x, "float32")
        if self.backbone == "mobilenet_v2":
            return x / 127.5 - 1.0
        return ops.flip(x, axis=-1) - ops.convert_to_tensor(VGG_BGR_MEANS, dtype="float32")

    def get_config(self):
        return {**super().get_config(), "backbone": self.backbone}


# MediaPipe's 21 landmarks: 0 wrist; each finger four points from knuckle to tip.
FINGERS = ((1, 2, 3, 4), (5, 6, 7, 8), (9, 10, 11, 12), (13, 14, 15, 16), (17, 18, 19, 20))
BONES = tuple((0 if i == 0 else f[i - 1], f[i]) for f in FINGERS for i in range(4))  # 20 (parent, child)
TIPS = (4, 8, 12, 16, 20)
THUMB_TOUCHES = (5, 6, 9, 10, 13, 14, 17, 18)  # where the thumb tip rests in A, E, M, N, S, T, O...
FEATURE_PARTS = ("xy", "palm", "orientation", "bones", "angles", "tips")


def _unit(v, axis=-1):
    return v / (ops.sqrt(ops.sum(v * v, axis=axis, keepdims=True)) + 1e-6)


@keras.saving.register_keras_serializable(package="signcam")
class LandmarkFeatures(keras.layers.Layer):
    """(21, 3) landmarks -> features of the hand's shape and orientation, flattened.

    parts=("xy",) is the original: wrist-relative x, y scaled by the hand's extent.
    The other parts describe the hand in its own palm frame (origin at the wrist,
    axes from the wrist to the index and pinky knuckles, so turning, moving or
    scaling the hand leaves them unchanged) plus, separately, how that frame is
    oriented to the camera, since H/U, K/P and G/Q differ mainly by orientation:
    - palm: all 21 points in the palm frame, scaled by palm size;
    - orientation: the frame's three axes in camera coordinates;
    - bones: the 20 bones' directions in the palm frame;
    - angles: cosines of each finger's three joint bends and of the four spreads between fingers;
    - tips: fingertip-to-fingertip and thumb-tip-to-knuckle distances over palm size.
    Position and size in the crop carry no meaning for the letter and are removed.
    """

    def __init__(self, use_z: bool = False, parts: tuple[str, ...] = ("xy",), **kwargs):
        super().__init__(**kwargs)
        unknown = set(parts) - set(FEATURE_PARTS)
        if unknown:
            raise ValueError(f"unknown landmark feature parts {sorted(unknown)}; known: {FEATURE_PARTS}")
        self.use_z = use_z
        self.parts = tuple(parts)

    def call(self, lms):
        lms = ops.cast(lms, "float32")
        out = []
        if "xy" in self.parts:
            out.append(self._xy(lms))
        if set(self.parts) - {"xy"}:
            out += self._palm_frame_parts(lms)
        return ops.concatenate(out, axis=-1) if len(out) > 1 else out[0]

    def _xy(self, lms):
        pts = lms if self.use_z else lms[..., :2]
        rel = pts - pts[:, :1, :]  # the wrist is landmark 0
        scale = ops.max(ops.sqrt(ops.sum(rel * rel, axis=-1)), axis=-1, keepdims=True)
        rel = rel / (ops.expand_dims(scale, -1) + 1e-6)
        return ops.reshape(rel, (-1, 21 * (3 if self.use_z else 2)))

    def _palm_frame_parts(self, lms):
        rel = lms - lms[:, :1, :]
        index, middle, pinky = rel[:, 5], rel[:, 9], rel[:, 17]
        norm = lambda v: ops.sqrt(ops.sum(v * v, axis=-1, keepdims=True))  # noqa: E731
        palm = (norm(index) + norm(middle) + norm(pinky)) / 3 + 1e-6  # (B, 1)
        rel = rel / ops.expand_dims(palm, -1)
        up = _unit(index + pinky)  # wrist towards the knuckles
        normal = _unit(ops.cross(index, pinky))  # out of the palm
        side = ops.cross(normal, up)
        frame = ops.stack([up, side, normal], axis=1)  # (B, 3, 3): rows are the axes
        local = ops.einsum("bij,bkj->bki", frame, rel)  # (B, 21, 3) in the palm frame
        out = []
        if "palm" in self.parts:
            out.append(ops.reshape(local, (-1, 63)))
        if "orientation" in self.parts:
            out.append(ops.reshape(frame, (-1, 9)))
        parent = ops.stack([local[:, a] for a, _ in BONES], axis=1)
        child = ops.stack([local[:, b] for _, b in BONES], axis=1)
        bones = _unit(child - parent)  # (B, 20, 3)
        if "bones" in self.parts:
            out.append(ops.reshape(bones, (-1, 60)))
        if "angles" in self.parts:
            bends = [ops.sum(bones[:, 4 * f + i] * bones[:, 4 * f + i + 1], axis=-1) for f in range(5) for i in range(3)]
            spreads = [ops.sum(bones[:, 4 * f + 1] * bones[:, 4 * (f + 1) + 1], axis=-1) for f in range(4)]
            out.append(ops.stack(bends + spreads, axis=-1))
        if "tips" in self.parts:
            pairs = [(a, b) for i, a in enumerate(TIPS) for b in TIPS[i + 1:]] + [(4, k) for k in THUMB_TOUCHES]
            out.append(ops.stack([norm(local[:, a] - local[:, b])[:, 0] for a, b in pairs], axis=-1))
        return out

    def get_config(self):
        return {**super().get_config(), "use_z": self.use_z, "parts": list(self.parts)}


# The hand's outline as capsules: the 20 bones, and the palm's rim and spokes so the palm is filled.
PALM_EDGES = ((5, 9), (9, 13), (13, 17), (1, 5), (2, 5))
MASK_SEGMENTS = BONES + PALM_EDGES


@keras.saving.register_keras_serializable(package="signcam")
class HandMask(keras.layers.Layer):
    """(preprocessed crop, landmarks) -> the crop with everything away from the hand set to 0.

    The mask is the union of capsules around the hand's bones and palm, each reaching `radius` (a
    share of the landmarks' extent) from its bone, with an `edge` wide linear ramp from 1 to 0; it
    is drawn at a quarter of the crop's resolution and scaled up (the mask is smooth, and that
    costs 1/16 of the work). 0 is mid-grey after MobileNetV2's scaling and the ImageNet mean for
    VGG, so the backbone sees the hand on a plain background.
    Why: each training source is one room, so a crop head can learn rooms; a new signer's room
    then says nothing, or the wrong thing.
    """

    def __init__(self, radius: float = 0.12, edge: float = 0.06, **kwargs):
        super().__init__(**kwargs)
        self.radius, self.edge = float(radius), float(edge)

    def call(self, inputs):
        image, lms = inputs
        size = image.shape[1]
        low = max(8, size // 4)
        xy = ops.cast(lms, "float32")[..., :2]  # (B, 21, 2) in [0, 1] of the crop
        extent = ops.max(ops.max(xy, axis=1) - ops.min(xy, axis=1), axis=-1)  # (B,)
        a = ops.stack([xy[:, i] for i, _ in MASK_SEGMENTS], axis=1)[:, None]  # (B, 1, K, 2)
        b = ops.stack([xy[:, j] for _, j in MASK_SEGMENTS], axis=1)[:, None]
        c = (ops.arange(low, dtype="float32") + 0.5) / low
        grid = ops.reshape(ops.stack(ops.meshgrid(c, c, indexing="xy"), axis=-1), (1, low * low, 1, 2))
        ab, ap = b - a, grid - a
        t = ops.clip(ops.sum(ap * ab, axis=-1, keepdims=True) / (ops.sum(ab * ab, axis=-1, keepdims=True) + 1e-9), 0, 1)
        gap = ap - t * ab
        dist = ops.min(ops.sqrt(ops.sum(gap * gap, axis=-1) + 1e-12), axis=-1)  # (B, low*low)
        extent = extent[:, None] + 1e-6
        mask = ops.clip((self.radius * extent - dist) / (self.edge * extent) + 0.5, 0.0, 1.0)  # 1 on the hand
        mask = ops.image.resize(ops.reshape(mask, (-1, low, low, 1)), (size, size), interpolation="bilinear")
        return ops.cast(image, "float32") * mask

    def get_config(self):
        return {**super().get_config(), "radius": self.radius, "edge": self.edge}


@keras.saving.register_keras_serializable(package="signcam")
class WeightedAverage(keras.layers.Layer):
    """w * first + (1 - w) * second: the two heads' probabilities, weighted."""

    def __init__(self, first_weight: float = 0.5, **kwargs):
        super().__init__(**kwargs)
        self.first_weight = float(first_weight)

    def call(self, inputs):
        first, second = inputs
        return self.first_weight * first + (1.0 - self.first_weight) * second

    def get_config(self):
        return {**super().get_config(), "first_weight": self.first_weight}
