"""Following a hand with MediaPipe's landmark model run directly gives MediaPipe's own landmarks."""
import math

import cv2
import numpy as np
import pytest

from signcam.config import Config
from signcam.errors import ModelError
from signcam.vision.hand_roi import cut, roi_from_landmarks, to_frame
from signcam.vision.hands import MediaPipeHandTracker, landmark_model_file
from signcam.headless import make_tracker
from signcam.vision.landmark_tracker import LandmarkModelTracker

# An upright open hand in pixels (wrist at the bottom, fingers up), roughly MediaPipe's topology.
UPRIGHT = np.array([
    [0, 0], [-30, -20], [-50, -45], [-62, -70], [-70, -92],       # wrist, thumb
    [-25, -90], [-28, -125], [-30, -150], [-31, -170],             # index
    [0, -95], [0, -135], [0, -162], [0, -185],                     # middle
    [22, -90], [25, -127], [27, -152], [28, -170],                 # ring
    [42, -78], [48, -105], [52, -125], [55, -142],                 # pinky
], np.float64)


def rotated(points: np.ndarray, angle: float, centre=(640.0, 360.0), scale: float = 1.0) -> np.ndarray:
    c, s = math.cos(angle), math.sin(angle)
    return points @ np.array([[c, s], [-s, c]]) * scale + np.asarray(centre)


def test_the_region_turns_and_grows_with_the_hand():
    upright = roi_from_landmarks(rotated(UPRIGHT, 0.0))
    assert upright.rotation == pytest.approx(0.0, abs=0.05)  # wrist straight below the knuckles
    # Twice the box of the palm and the fingers' lower joints, and moved towards the fingers.
    assert upright.side == pytest.approx(2 * (UPRIGHT[:, 1].max() - min(UPRIGHT[[6, 10, 14, 18], 1])), rel=0.01)
    assert upright.cy == pytest.approx(360 - 135 / 2 - 0.1 * 135, abs=1.0)  # box centre, moved up 10%
    for angle in (0.6, -1.2, 2.5):
        turned = roi_from_landmarks(rotated(UPRIGHT, angle, scale=1.5))
        assert turned.rotation == pytest.approx(upright.rotation + angle, abs=0.01)
        assert turned.side == pytest.approx(upright.side * 1.5, rel=0.01)


def test_a_spot_cut_out_of_the_frame_is_where_the_region_says_and_maps_back():
    frame = np.zeros((720, 1280, 3), np.uint8)
    roi = roi_from_landmarks(rotated(UPRIGHT, 0.8, scale=1.2))
    spot = np.array([[roi.cx + 40.0, roi.cy - 25.0]])
    cv2.circle(frame, tuple(int(v) for v in spot[0]), 6, (255, 255, 255), -1)
    crop = cut(frame, roi, 224)
    assert crop.shape == (224, 224, 3)
    ys, xs = np.nonzero(crop[:, :, 0] > 128)
    found = np.array([[xs.mean(), ys.mean()]])
    assert to_frame(found, roi, 224) == pytest.approx(np.round(spot), abs=1.5)
    # And the region's centre is the crop's centre.
    assert to_frame(np.array([[112.0, 112.0]]), roi, 224)[0] == pytest.approx([roi.cx, roi.cy], abs=1e-6)


def test_video_tracking_gives_mediapipes_landmarks_for_less_work(teal_dir):
    cap = cv2.VideoCapture(str(teal_dir / "B.mp4"))
    frames = []
    while len(frames) < 60 and (ok_frame := cap.read())[0]:
        frames.append(ok_frame[1])
    cap.release()
    config = Config()
    config.tracker.int8_landmarks = False  # MediaPipe's own float model (the int8 one: test_landmark_export.py)
    ours = make_tracker(config)
    assert isinstance(ours, LandmarkModelTracker)
    with ours, MediaPipeHandTracker(video=True) as mediapipe:
        differences = []
        for frame in frames:
            theirs, mine = mediapipe.track(frame), ours.track(frame)
            assert len(theirs) == len(mine) == 1
            assert mine[0].handedness == theirs[0].handedness
            size = theirs[0].size
            differences.append(np.abs(mine[0].landmarks - theirs[0].landmarks).mean() / size)
            assert np.abs(mine[0].world - theirs[0].world).max() < 0.002  # metres
    assert np.mean(differences) < 0.002  # 0.2% of the hand's size (measured 0.02%)


def test_photos_and_several_hands_keep_mediapipes_own_graph():
    assert isinstance(make_tracker(Config(), video=False), MediaPipeHandTracker)
    config = Config()
    config.tracker.max_hands = 2
    assert isinstance(make_tracker(config), MediaPipeHandTracker)


def test_a_corrupt_landmark_model_is_one_clear_error(tmp_path):
    bad = tmp_path / "hand_landmark_full.tflite"
    bad.write_bytes(b"not a model" * 100)
    with MediaPipeHandTracker(video=False) as finder, \
            pytest.raises(ModelError, match="not a valid hand landmark model") as info:
        LandmarkModelTracker(finder, bad)
    assert "\n" not in str(info.value)
    assert landmark_model_file(1).is_file()
