"""The stroke reader's templates and thresholds, measured on synthetic paths (never on real clips)."""
import numpy as np

from synthetic_strokes import OTHER_KINDS, j_path, other_path, rates, z_path
from signcam.config import StrokeConfig
from signcam.strokes import match


def test_synthetic_js_and_zs_read_and_other_movements_do_not():
    r = rates(match, StrokeConfig().max_distance, n=200, seed=3)
    assert r["J"] >= 0.95 and r["Z"] >= 0.85, r
    for kind in ("line", "arc", "n", "wave", "circle"):
        assert r[kind] <= 0.06, (kind, r)
    for kind in ("v", "ell"):  # half a J, or a J's hook alone: the weak spot, kept in view
        assert r[kind] <= 0.35, (kind, r)


def test_js_with_a_wide_or_rising_hook_read():
    # The wrist keeps twisting: the hook rises past its turn, or is wide; stems long or short.
    for stem, r, turn in ((1.0, 0.45, 1.25), (0.2, 0.45, 1.0), (0.6, 0.3, 1.25)):
        hook = [(r - r * np.cos(a), stem + r * np.sin(a)) for a in np.linspace(0, np.pi * turn, 15)]
        path = np.array([(0.0, 0.0)] + hook)
        name, d = match(path)
        assert name == "J" and d <= StrokeConfig().max_distance["J"], (stem, r, turn, d)


def test_generators_vary():
    rng = np.random.default_rng(0)
    assert len({len(z_path(rng)) for _ in range(10)}) > 1 and len({len(j_path(rng)) for _ in range(10)}) > 1
    assert all(len(other_path(rng, k)) >= 12 for k in OTHER_KINDS)
