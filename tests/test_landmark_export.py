"""The int8 hand landmark model: rebuilt from MediaPipe's own file, quantized, and close to it."""
import json
import shutil

import cv2
import numpy as np
import pytest

from signcam.letters import bundled
from signcam.config import Config
from signcam.vision.hand_roi import cut, roi_from_landmarks
from signcam.vision.hands import MediaPipeHandTracker, landmark_model_file
from signcam.headless import make_tracker
from signcam.vision.landmark_tracker import LandmarkModelTracker
from signcam.spelling.motion import hand_geometry


def teal_frames(teal_dir, letters="BLW", every=6, n=10):
    frames = []
    for letter in letters:
        cap = cv2.VideoCapture(str(teal_dir / f"{letter}.mp4"))
        for i in range(every * n):
            ok, image = cap.read()
            if not ok:
                break
            if i % every == 0:
                frames.append(image)
        cap.release()
    return frames


def regions(frames):
    """Each frame's hand region, as the tracker cuts it (from MediaPipe's landmarks)."""
    with MediaPipeHandTracker(video=False) as finder:
        found = [(f, finder.track(f)) for f in frames]
    return [(f, roi_from_landmarks(h[0].landmarks)) for f, h in found if h]


def landmark_gap(model_a, model_b, cut_regions) -> float:
    """Mean distance between two landmark models' points on the same regions, in hand sizes."""
    with LandmarkModelTracker(MediaPipeHandTracker(video=False), model_a) as a, \
            LandmarkModelTracker(MediaPipeHandTracker(video=False), model_b) as b:
        gaps = []
        for frame, roi in cut_regions:
            ha, hb = a._read(frame, roi), b._read(frame, roi)
            assert ha is not None and hb is not None and ha.handedness == hb.handedness
            gaps.append(np.linalg.norm(ha.landmarks[:, :2] - hb.landmarks[:, :2], axis=1).mean()
                        / hand_geometry(ha.landmarks)[1])
    return float(np.mean(gaps))


def test_the_rebuilt_graph_gives_mediapipes_outputs(teal_dir):
    from signcam.runtime import tflite_interpreter_class
    from signcam.training.landmark_export import keras_from_tflite

    source = landmark_model_file(1)
    frame, roi = regions(teal_frames(teal_dir, "B", n=1))[0]
    x = cv2.cvtColor(cut(frame, roi, 224), cv2.COLOR_BGR2RGB)[None].astype(np.float32) / 255
    rebuilt = keras_from_tflite(source)(x)
    original = tflite_interpreter_class()(model_path=str(source))
    original.allocate_tensors()
    original.set_tensor(original.get_input_details()[0]["index"], x)
    original.invoke()
    outputs = sorted(original.get_output_details(), key=lambda d: d["name"])
    assert len(rebuilt) == len(outputs) == 4
    for mine, theirs in zip(rebuilt, outputs):
        theirs = original.get_tensor(theirs["index"])
        assert np.asarray(mine).shape == theirs.shape
        assert np.abs(np.asarray(mine) - theirs).max() < 1e-3  # pixels for the landmarks (measured 1e-4)
    assert float(np.asarray(rebuilt[1]).ravel()[0]) > 0.9  # a hand is there


def test_export_quantizes_the_convolutions_and_keeps_the_outputs_float(tmp_path, letters_dir, teal_dir):
    from signcam.training.landmark_export import (FLOAT_LEADING_CONVS, calibration_cuts, export_landmark_model,
                                                  quantized_summary)

    source = landmark_model_file(1)
    photos = letters_dir / "signers" / "kennethowen"
    cuts = calibration_cuts([photos], per_folder=12, log=lambda *a: None)
    assert cuts.shape[1:] == (224, 224, 3) and len(cuts) >= 12 and cuts.dtype == np.uint8
    out = tmp_path / "lm_int8.tflite"
    record = export_landmark_model(source, out, cuts, log=lambda *a: None)
    assert record["source_sha256"] == bundled.sha256_of(source)
    assert json.loads(bundled.export_record_path(out).read_text()) == record
    ops = quantized_summary(out)
    assert ops["CONV_2D"].get("int8", 0) >= 25 and ops["DEPTHWISE_CONV_2D"].get("int8", 0) >= 12
    assert ops["CONV_2D"].get("float", 0) + ops["DEPTHWISE_CONV_2D"].get("float", 0) == FLOAT_LEADING_CONVS
    assert "int8" not in ops["FULLY_CONNECTED"] and "int8" not in ops["LOGISTIC"]
    # Even calibrated on a dozen photos of one person, it reads another person's hands closely.
    assert landmark_gap(source, out, regions(teal_frames(teal_dir, "BL", n=4))) < 0.01


def test_the_bundled_int8_model_is_used_and_close_to_mediapipes(teal_dir):
    source = landmark_model_file(1)
    int8 = bundled.bundled_landmark_model(source)
    assert int8 == bundled.BUNDLED_LANDMARKS, "models/ lacks an int8 landmark model made from this MediaPipe's"
    with make_tracker(Config()) as tracker:
        assert isinstance(tracker, LandmarkModelTracker) and tracker.model_path == int8
    # Measured (MODEL.md): a mean 0.33% of the hand's size on the teal clips, 0.42% over all 78.
    assert landmark_gap(source, int8, regions(teal_frames(teal_dir))) < 0.006
    config = Config()
    config.tracker.int8_landmarks = False
    with make_tracker(config) as tracker:
        assert tracker.model_path == source


def test_an_int8_model_made_from_another_mediapipe_or_damaged_is_not_used(tmp_path, monkeypatch):
    source = landmark_model_file(1)
    copy = tmp_path / bundled.BUNDLED_LANDMARKS.name
    shutil.copyfile(bundled.BUNDLED_LANDMARKS, copy)
    record = json.loads(bundled.export_record_path(bundled.BUNDLED_LANDMARKS).read_text())
    monkeypatch.setattr(bundled, "BUNDLED_LANDMARKS", copy)
    bundled.export_record_path(copy).write_text(json.dumps(record))
    assert bundled.bundled_landmark_model(source) == copy  # the copy itself is accepted
    bundled.export_record_path(copy).write_text(json.dumps(dict(record, source_sha256="0" * 64)))
    assert bundled.bundled_landmark_model(source) is None
    with make_tracker(Config()) as tracker:
        assert tracker.model_path == source
    # Made from this MediaPipe but damaged on disk: the tracker still starts, on MediaPipe's file.
    bundled.export_record_path(copy).write_text(json.dumps(record))
    copy.write_bytes(b"not a model" * 100)
    with make_tracker(Config()) as tracker:
        assert tracker.model_path == source


def test_export_landmarks_refuses_a_bad_folder_in_one_line(tmp_path, capsys):
    from signcam.training import cli as train_cli

    assert train_cli.main(["export-landmarks", str(tmp_path / "missing"), "--out", str(tmp_path / "x.tflite")]) == 1
    err = capsys.readouterr().err.strip()
    assert "not a folder of photos" in err and "\n" not in err
    assert not (tmp_path / "x.tflite").exists()
