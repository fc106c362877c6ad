import os
import tempfile
import threading
from pathlib import Path

import pytest

import signcam  # noqa: F401  (before cv2: it sets OpenCV's image size limit)

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("GLOG_minloglevel", "2")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# Profiles go to a scratch folder, never the user's own (signcam/profiles/store.py).
os.environ["SIGNCAM_PROFILES"] = tempfile.mkdtemp(prefix="signcam-test-profiles-")

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("SIGNCAM_SHARED", ROOT.parent / "shared"))


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"needs {path} (the shared data beside the project; set SIGNCAM_SHARED to move it)")
    return path


@pytest.fixture(scope="session")
def letters_dir() -> Path:
    return _need(SHARED / "data" / "letters")


@pytest.fixture(scope="session")
def teal_dir() -> Path:
    return _need(SHARED / "data" / "videos" / "teal-signer")


@pytest.fixture(scope="session")
def mobilenet_weights() -> Path:
    return _need(SHARED / "weights" / "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5")


@pytest.fixture(scope="session")
def model_path():
    """The bundled model (SIGNCAM_TEST_MODEL may name another, e.g. a fresh training run's)."""
    from signcam.letters.classifier import DEFAULT_MODEL
    path = Path(os.environ.get("SIGNCAM_TEST_MODEL", DEFAULT_MODEL))
    if not path.is_file():
        pytest.fail(f"the bundled model is missing: {path}")
    return path


@pytest.fixture(scope="session")
def bundled_classifier(model_path):
    from signcam.letters.classifier import load_classifier
    return load_classifier(model_path)


@pytest.fixture(autouse=True)
def no_thread_left_running():
    """A test must not leave one of our threads running."""
    before = set(threading.enumerate())
    yield
    left = [t for t in threading.enumerate() if t not in before and t.is_alive() and t.name.startswith("signcam")]
    assert not left, f"threads left running: {[t.name for t in left]}"


@pytest.fixture(scope="session")
def tiny_original_cache(tmp_path_factory, letters_dir):
    """A few keptsecret-train photos of three letters, prepared: the 'original data' of a quick retrain."""
    import shutil

    from signcam.training import cli as train_cli

    root = tmp_path_factory.mktemp("original") / "keptsecret-train"
    for cls in ("A", "B", "L"):
        (root / cls).mkdir(parents=True)
        for src in sorted((letters_dir / "keptsecret-train" / cls).glob("*.jpg"))[:6]:
            shutil.copy(src, root / cls / src.name)
    out = root.parent / "original.npz"
    assert train_cli.main(["prepare", str(root), "--out", str(out)]) == 0
    return out
