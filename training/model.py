"""The two-input letter model: a crop branch (ImageNet backbone) and a landmark branch."""
from __future__ import annotations

from pathlib import Path

import keras

from signcam.model_layers import BackbonePreprocess, HandMask, LandmarkFeatures, WeightedAverage

BACKBONES = {
    "mobilenet_v2": keras.applications.MobileNetV2,
    "vgg16": keras.applications.VGG16,
    "vgg19": keras.applications.VGG19,
}


def resolve_weights(weights: str) -> str | None:
    """'imagenet' (Keras downloads it), 'none' (random init) or a path to a no-top .h5 file."""
    if weights == "none":
        return None
    if weights == "imagenet":
        return "imagenet"
    if not Path(weights).is_file():
        raise FileNotFoundError(f"weights file not found: {weights}")
    return str(weights)


LANDMARK_HEAD = "from_landmarks"
FUSED_HEAD = "from_both"


def landmark_branch(lms_in, num_classes: int, features: tuple[str, ...], use_z: bool = False):
    """Landmarks -> features (a layer inside the model) -> MLP: (the 128-d hidden vector, the head)."""
    y = LandmarkFeatures(use_z=use_z, parts=features, name="landmark_features")(lms_in)
    y = keras.layers.Dense(256, activation="relu", name="lms_dense1")(y)
    y = keras.layers.Dropout(0.2)(y)
    y = keras.layers.Dense(128, activation="relu", name="lms_dense2")(y)
    return y, keras.layers.Dense(num_classes, activation="softmax", name=LANDMARK_HEAD)(y)


def build_landmark_model(num_classes: int, features: tuple[str, ...] = ("xy",), use_z: bool = False) -> keras.Model:
    """The landmark head on its own (quick feature tries: seconds per fold instead of minutes)."""
    lms_in = keras.Input((21, 3), dtype="float32", name="landmarks")
    return keras.Model(lms_in, landmark_branch(lms_in, num_classes, features, use_z)[1])


def build_model(num_classes: int, input_size: int = 160, backbone: str = "mobilenet_v2",
                weights: str | None = "imagenet", use_z: bool = False, dropout: float = 0.3,
                branch_dropout: float = 0.3, features: tuple[str, ...] = ("xy",),
                hand_mask: bool = False) -> keras.Model:
    """The training model: frozen ImageNet base without its top (called with training=False)
    and two new heads, each trained with its own loss.

    - from_landmarks reads the hand's shape alone; it transfers best to new
      signers and viewpoints.
    - from_both adds the crop's appearance (finger overlaps, thumb position)
      that 2-D landmarks can miss.
    The app's model (`inference_model`) averages the two: measured on held-out
    sets, the average beats either head alone.
    hand_mask: the backbone sees the hand on grey, away from the hand nothing (`HandMask`).
    """
    if backbone not in BACKBONES:
        raise ValueError(f"unknown backbone {backbone!r}; choose one of {', '.join(BACKBONES)}")
    crop_in = keras.Input((input_size, input_size, 3), dtype="uint8", name="crop")
    lms_in = keras.Input((21, 3), dtype="float32", name="landmarks")

    base = BACKBONES[backbone](input_shape=(input_size, input_size, 3), include_top=False,
                               weights=weights, pooling="avg")
    base.trainable = False
    x = BackbonePreprocess(backbone, name="preprocess")(crop_in)
    if hand_mask:
        x = HandMask(name="hand_mask")([x, lms_in])
    # training=False keeps BatchNorm in inference mode, also once the top is unfrozen.
    x = base(x, training=False)
    x = keras.layers.Dropout(dropout)(x)
    x = keras.layers.Dense(128, activation="relu", name="crop_dense")(x)
    # Branch dropout: drop the whole crop vector for some samples, so the fused
    # head cannot lean on appearance alone.
    x = keras.layers.Dropout(branch_dropout, noise_shape=(None, 1), name="crop_branch_dropout")(x)

    y, from_landmarks = landmark_branch(lms_in, num_classes, features, use_z)

    z = keras.layers.Concatenate()([x, y])
    z = keras.layers.Dropout(dropout)(z)
    z = keras.layers.Dense(128, activation="relu", name="head_dense")(z)
    from_both = keras.layers.Dense(num_classes, activation="softmax", name=FUSED_HEAD)(z)
    return keras.Model({"crop": crop_in, "landmarks": lms_in}, {LANDMARK_HEAD: from_landmarks, FUSED_HEAD: from_both},
                       name=f"signcam_{backbone}_training")


LANDMARK_LAYERS = ("lms_dense1", "lms_dense2", LANDMARK_HEAD)


def landmark_model(model: keras.Model) -> keras.Model:
    """The landmark branch and its head alone (shares weights with `model`)."""
    return keras.Model(model.input["landmarks"], model.output[LANDMARK_HEAD])


def freeze_landmark_branch(model: keras.Model) -> None:
    for name in LANDMARK_LAYERS:
        model.get_layer(name).trainable = False


def inference_model(training_model: keras.Model, landmark_weight: float = 0.4) -> keras.Model:
    """The app's single-output model: the heads' probabilities, averaged with these weights."""
    outputs = training_model.output
    w = landmark_weight
    if w == 0.5:  # the plain mean, as every earlier model
        letter = keras.layers.Average(name="letter")([outputs[LANDMARK_HEAD], outputs[FUSED_HEAD]])
    else:
        letter = WeightedAverage(w, name="letter")([outputs[LANDMARK_HEAD], outputs[FUSED_HEAD]])
    return keras.Model(training_model.input, letter, name=training_model.name.replace("_training", ""))


def backbone_of(model: keras.Model) -> keras.Model:
    """The ImageNet base: the one nested model inside ours."""
    return next(layer for layer in model.layers if isinstance(layer, keras.Model))


def unfreeze_top(model: keras.Model, fraction: float = 0.3) -> int:
    """Make the top `fraction` of the base's layers trainable, BatchNorm excepted. Returns how many."""
    base = backbone_of(model)
    base.trainable = True
    cut = int(len(base.layers) * (1 - fraction))
    count = 0
    for i, layer in enumerate(base.layers):
        layer.trainable = i >= cut and not isinstance(layer, keras.layers.BatchNormalization)
        count += layer.trainable
    return count


def head_outputs(app_model: keras.Model) -> keras.Model:
    """The app's model with its two heads' probabilities as outputs (landmarks, crop + landmarks),
    before the average: for weighing the heads on held-out people."""
    letter = app_model.get_layer("letter")
    return keras.Model(app_model.input, list(letter.input))
