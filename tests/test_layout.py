"""The package layout shows the architecture: the three parts stay independent of each other and
of everything that composes them, and the bundled and older saved models still load after moves."""
import ast
import subprocess
import sys
from pathlib import Path

import pytest

SIGNCAM = Path(__file__).resolve().parents[1] / "signcam"
PARTS = ("vision", "letters", "spelling")
FOUNDATION = {"signcam.config", "signcam.errors", "signcam.quiet", "signcam.runtime"}
ABOVE = ("signcam.live", "signcam.app", "signcam.pipeline", "signcam.headless", "signcam.cli", "signcam.training")


def imported_modules(path: Path) -> set[str]:
    """Every module a source file imports from, relative imports resolved, lazy ones included."""
    package = ["signcam", *path.relative_to(SIGNCAM).parent.parts]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                if node.module:
                    found.add(".".join([*base, node.module]))
                else:  # `from . import x`: each name is a module of that package
                    found.update(".".join([*base, alias.name]) for alias in node.names)
            else:
                found.add(node.module)
    return {name for name in found if name == "signcam" or name.startswith("signcam.")}


@pytest.mark.parametrize("part", PARTS)
def test_a_part_imports_only_itself_and_the_foundation(part):
    for path in sorted((SIGNCAM / part).glob("*.py")):
        for name in imported_modules(path):
            assert not name.startswith(ABOVE), f"{path.name} in signcam/{part} imports {name}, a layer above it"
            own = name == f"signcam.{part}" or name.startswith(f"signcam.{part}.")
            assert own or name in FOUNDATION, f"{path.name} in signcam/{part} imports {name}"


def test_the_checker_sees_relative_and_lazy_imports(tmp_path):
    # The rule above is only as good as the import finder: it must resolve `..` and find imports
    # inside functions, or a forbidden import would pass unseen.
    fake = SIGNCAM / "vision" / "crop.py"
    names = imported_modules(fake)
    assert "signcam.vision.hands" in names
    classifier = imported_modules(SIGNCAM / "letters" / "classifier.py")
    assert {"signcam.errors", "signcam.runtime", "signcam.letters.model_layers"} <= classifier


def test_the_top_of_the_package_stays_small():
    top = sorted(p.name for p in SIGNCAM.glob("*.py") if p.name != "__init__.py")
    assert len(top) <= 8, top
    for part in (*PARTS, "datasets", "live", "app"):
        doc = ast.get_docstring(ast.parse((SIGNCAM / part / "__init__.py").read_text()))
        assert doc and "import" in doc, f"signcam/{part}/__init__.py should say what it does and may import"


def test_the_parts_import_without_their_heavy_runtimes():
    # `import signcam.letters` must not load TensorFlow or Keras, nor `signcam.vision` mediapipe:
    # the classifier-only benchmark and the speller's tools run without them.
    code = ("import sys, signcam.vision, signcam.letters, signcam.spelling, signcam.datasets; "
            "print(sorted(m for m in ('tensorflow', 'keras', 'mediapipe') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_models_saved_before_the_move_still_load(tmp_path):
    # The bundled .keras was saved when the layers lived in signcam/model_layers.py. Keras finds
    # them by their registered name ("signcam>LandmarkFeatures"), which the move kept.
    import zipfile

    from signcam.letters.bundled import BUNDLED_KERAS
    from signcam.letters.classifier import load_classifier

    with zipfile.ZipFile(BUNDLED_KERAS) as archive:
        config = archive.read("config.json").decode()
    assert '"registered_name": "signcam>' in config
    classifier = load_classifier(BUNDLED_KERAS)
    import numpy as np

    s = classifier.info.input_size
    probs = classifier.predict_batch(np.zeros((2, s, s, 3), np.uint8), np.zeros((2, 21, 3), np.float32))
    assert probs.shape == (2, len(classifier.info.labels))
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-4)
