"""Installed as a user installs it: the model inside the package, training under the signcam name."""
import subprocess
import sys
import zipfile
from importlib import resources

from signcam.letters.bundled import BUNDLED_KERAS, BUNDLED_TFLITE, bundled_dir

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent
BUNDLE = {"signcam_mobilenet_v2.keras", "signcam_mobilenet_v2.tflite", "signcam_mobilenet_v2.export.json",
          "labels.json", "MODEL.md", "hand_landmark_full_int8.tflite", "hand_landmark_full_int8.export.json"}


def test_bundled_model_is_found_through_importlib_resources():
    files = resources.files("signcam.models")
    assert BUNDLE <= {entry.name for entry in files.iterdir()}
    assert bundled_dir() == BUNDLED_KERAS.parent == BUNDLED_TFLITE.parent
    assert (files / "signcam_mobilenet_v2.keras").read_bytes()[:2] == b"PK"  # a .keras file is a zip


def test_training_is_signcam_training_and_no_top_level_training_module(tmp_path):
    # From a folder other than the checkout, as an installed program sees it.
    code = ("import importlib.util, signcam.training.cli as c; "
            "print(c.__name__, importlib.util.find_spec('training'), importlib.util.find_spec('models'))")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["signcam.training.cli", "None", "None"]


def test_the_wheel_carries_the_model_and_maps_training_into_signcam(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True)
    (wheel,) = tmp_path.glob("signcam-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(archive.read(n).decode() for n in names if n.endswith("entry_points.txt"))
    assert {f"signcam/models/{name}" for name in BUNDLE} <= names
    assert {"signcam/training/cli.py", "signcam/training/train.py", "signcam/cli.py"} <= names
    top_level = {name.split("/")[0] for name in names}
    assert top_level == {"signcam", wheel.name.split("-py3")[0] + ".dist-info"}
    assert "signcam = signcam.cli:main" in entry_points and "signcam-train = signcam.training.cli:main" in entry_points
