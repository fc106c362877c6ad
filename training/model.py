"""The two-input letter model: a crop branch (ImageNet backbone) and a landmark branch."""
from __future__ import annotations

from pathlib import Path

import keras

from signcam.letters.model_layers import BackbonePreprocess, HandMask, LandmarkFeatures, WeightedAverage

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


# Output keys of the training model. With several landmark MLPs the *layer* named from_landmarks is
# the first MLP's head only, and the output from_landmarks is their average (layer LANDMARK_MEAN):
# use landmark_output(model) for the landmark reading, not get_layer(LANDMARK_HEAD).
LANDMARK_HEAD = "from_landmarks"
FUSED_HEAD = "from_both"
LANDMARK_MEAN = "landmark_heads_mean"


def landmark_mlp(features, num_classes: int, k: int = 0):
    """Landmark features -> MLP -> letter: (the 128-d hidden vector, the head). Head k > 0 has its
    own layer names (lms2_dense1, ..., from_landmarks_2); head 0 keeps the names every model has."""
    name = (lambda n: f"lms_{n}") if k == 0 else (lambda n: f"lms{k + 1}_{n}")
    y = keras.layers.Dense(256, activation="relu", name=name("dense1"))(features)
    y = keras.layers.Dropout(0.2, name=name("dropout"))(y)  # named: added to a loaded model, no clash
    y = keras.layers.Dense(128, activation="relu", name=name("dense2"))(y)
    head = LANDMARK_HEAD if k == 0 else f"{LANDMARK_HEAD}_{k + 1}"
    return y, keras.layers.Dense(num_classes, activation="softmax", name=head)(y)


def landmark_branch(lms_in, num_classes: int, features: tuple[str, ...], use_z: bool = False, heads: int = 1):
    """Landmarks -> features (a layer inside the model) -> `heads` MLPs: (the first MLP's hidden
    vector, the landmark reading). Several heads, each trained on its own (phase 0), are averaged.
    Measured with three: level with one head on held-out people, under a point on roboflow-train
    (MODEL.md), so the bundled recipe keeps one; the option stays for later tries."""
    if heads < 1:
        raise ValueError(f"a model needs at least one landmark head, not {heads}")
    y = LandmarkFeatures(use_z=use_z, parts=features, name="landmark_features")(lms_in)
    mlps = [landmark_mlp(y, num_classes, k) for k in range(heads)]
    if heads == 1:
        return mlps[0]
    return mlps[0][0], keras.layers.Average(name=LANDMARK_MEAN)([head for _, head in mlps])


def build_landmark_model(num_classes: int, features: tuple[str, ...] = ("xy",), use_z: bool = False,
                         heads: int = 1) -> keras.Model:
    """The landmark head on its own (quick feature tries: seconds per fold instead of minutes)."""
    lms_in = keras.Input((21, 3), dtype="float32", name="landmarks")
    return keras.Model(lms_in, landmark_branch(lms_in, num_classes, features, use_z, heads)[1])


def build_model(num_classes: int, input_size: int = 160, backbone: str = "mobilenet_v2",
                weights: str | None = "imagenet", use_z: bool = False, dropout: float = 0.3,
                branch_dropout: float = 0.3, features: tuple[str, ...] = ("xy",),
                hand_mask: bool = False, landmark_heads: int = 1) -> keras.Model:
    """The training model: frozen ImageNet base without its top (called with training=False)
    and two new heads, each trained with its own loss.

    - from_landmarks reads the hand's shape alone; it transfers best to new
      signers and viewpoints.
    - from_both adds the crop's appearance (finger overlaps, thumb position)
      that 2-D landmarks can miss.
    The app's model (`inference_model`) averages the two: measured on held-out
    sets, the average beats either head alone.
    hand_mask: the backbone sees the hand on grey, away from the hand nothing (`HandMask`).
    landmark_heads: landmark MLPs averaged into from_landmarks (the fused head reads the first's).
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

    y, from_landmarks = landmark_branch(lms_in, num_classes, features, use_z, landmark_heads)

    z = keras.layers.Concatenate()([x, y])
    z = keras.layers.Dropout(dropout)(z)
    z = keras.layers.Dense(128, activation="relu", name="head_dense")(z)
    from_both = keras.layers.Dense(num_classes, activation="softmax", name=FUSED_HEAD)(z)
    return keras.Model({"crop": crop_in, "landmarks": lms_in}, {LANDMARK_HEAD: from_landmarks, FUSED_HEAD: from_both},
                       name=f"signcam_{backbone}_training")


def is_landmark_layer(name: str) -> bool:
    """A layer of the landmark MLPs or their heads (what phase 0 trains)."""
    return name.startswith(("lms", LANDMARK_HEAD, LANDMARK_MEAN))


def landmark_heads(model: keras.Model) -> list[keras.Model]:
    """Each landmark MLP with its head alone, landmarks in (they share weights with `model`)."""
    lms_in = model.input["landmarks"] if isinstance(model.input, dict) else model.input
    names = [LANDMARK_HEAD] + sorted((layer.name for layer in model.layers
                                      if layer.name.startswith(LANDMARK_HEAD + "_")), key=lambda n: int(n.rsplit("_", 1)[1]))
    return [keras.Model(lms_in, model.get_layer(name).output) for name in names]


def landmark_output(model: keras.Model):
    """The landmark reading: the heads' average when there are several, else the one head."""
    names = {layer.name for layer in model.layers}
    return model.get_layer(LANDMARK_MEAN if LANDMARK_MEAN in names else LANDMARK_HEAD).output


def freeze_landmark_branch(model: keras.Model) -> None:
    for layer in model.layers:
        if is_landmark_layer(layer.name):
            layer.trainable = False


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
