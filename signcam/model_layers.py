"""Keras layers that live inside the saved model, so the app feeds it raw crops and landmarks.

Importing this module registers them; `signcam.classifier` imports it before
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


@keras.saving.register_keras_serializable(package="signcam")
class LandmarkFeatures(keras.layers.Layer):
    """(21, 3) landmarks -> wrist-relative, scale-normalised x, y (and optionally z), flattened.

    Position and size of the hand in the crop carry no meaning for the letter,
    so they are removed; the hand's shape and orientation remain.
    """

    def __init__(self, use_z: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.use_z = use_z

    def call(self, lms):
        lms = ops.cast(lms, "float32")
        pts = lms if self.use_z else lms[..., :2]
        rel = pts - pts[:, :1, :]  # the wrist is landmark 0
        scale = ops.max(ops.sqrt(ops.sum(rel * rel, axis=-1)), axis=-1, keepdims=True)
        rel = rel / (ops.expand_dims(scale, -1) + 1e-6)
        return ops.reshape(rel, (-1, 21 * (3 if self.use_z else 2)))

    def get_config(self):
        return {**super().get_config(), "use_z": self.use_z}
