"""The stroke reader's templates, thresholds and search, measured on synthetic paths (never on real clips)."""
import numpy as np
import pytest

from synthetic_strokes import OTHER_KINDS, j_path, moving_on, other_path, rates, z_path
from signcam.config import StrokeConfig
from signcam.spelling.strokes import match


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


def test_many_parts_of_a_path_match_as_each_would_alone():
    from signcam.spelling.strokes import match_spans

    rng = np.random.default_rng(5)
    over = []
    for i in range(24):
        path = [z_path, j_path, other_path][i % 3](rng)
        path = moving_on(path, rng) if i % 2 else np.concatenate([path, [z_path, j_path][i % 2](rng) + 2.0])
        spans = [(s, e) for s in range(0, len(path) - 6, 3) for e in range(s + 6, len(path) + 1, 4)]
        for (s, e), (name, d), (name_all, d_all) in zip(spans, match_spans(path, spans),
                                                         match_spans(path, spans, shortlist=None)):
            assert match(path[s:e]) == (name_all, pytest.approx(d_all, abs=1e-12))  # each alone, every template
            over.append(d - d_all)
            if d_all < 0.12:  # near enough a template to be read: the shortlist finds the same one
                assert name == name_all and d == pytest.approx(d_all, abs=1e-9), (i, s, e)
    over = np.array(over)
    assert over.min() > -1e-9 and over.max() < 0.015  # a shortlist can only overestimate, and not by much
    assert np.mean(over < 1e-9) > 0.99


def test_a_span_must_not_be_empty():
    from signcam.spelling.strokes import resample_spans

    with pytest.raises(ValueError, match="end > start"):
        resample_spans(np.zeros((5, 2)), [(3, 3)])


def _drawn_then_held(points, letter, seconds, seed):
    """A scripted hand in the letter's shape held, drawing `points` (scaled to 1.2 hand sizes), then held."""
    from scripted_hands import SHAPES, drawn, held
    from test_speller import probs, run

    shape, tip, sign = (SHAPES["I"], 20, "I") if letter == "J" else (SHAPES["D"], 8, "D")
    pts = np.asarray(points) / max(np.ptp(points, axis=0).max(), 1e-9) * 1.2
    stroke = [(probs(sign), lm) for lm in drawn(shape, tip, pts, seconds, seed=seed)]
    rest = lambda at, s, n: [(probs(sign), lm) for lm in held(shape, n, center=tuple(at[:, :2].mean(axis=0)), seed=s)]  # noqa: E731
    return run(rest(stroke[0][1], seed, 0.5) + stroke + rest(stroke[-1][1], seed + 1, 0.6))[0]


def test_strokes_read_when_the_hand_moves_on_before_it_rests():
    """Drawn by a scripted hand through the speller, 0.5-1.8 s long: read whether the hand rests at
    the stroke's end or moves on first (0.4-1 stroke sizes, any direction). Measured, 60 of each:
    before the reader tried strokes ending before the rest, 50/60 Zs and 59/60 Js at rest read,
    and 43/60 and 48/60 moving on; now all 240."""
    rng = np.random.default_rng(11)
    for letter, make in (("Z", z_path), ("J", j_path)):
        for on in (False, True):
            hits = 0
            for i in range(20):
                path, seconds = make(rng), rng.uniform(0.5, 1.8)
                if on:
                    path = moving_on(path, rng)
                hits += letter in _drawn_then_held(path, letter, seconds, i)
            assert hits >= 18, (letter, on, hits)


def test_other_movements_of_an_index_hand_do_not_read_as_z_or_j():
    """Lines, arcs, V- and L-shapes, N-shapes, waves and circles drawn by the pointing hand a Z is
    drawn with, half of them moving on before the rest. Measured, 30 of each: at most 4 (V-shapes)
    read as J or Z, as before (2). The little-finger hand a J is drawn with is the weak spot:
    circles and N-shapes drawn with it read as J most of the time (20 and 14 of 30 before, 29 and
    24 now); signing rarely moves that hand so, and no clip of the 78 gains a J or Z it lacks."""
    rng = np.random.default_rng(12)
    for kind in OTHER_KINDS:
        read = 0
        for i in range(10):
            path = other_path(rng, kind)
            path = moving_on(path, rng) if i % 2 else path
            transcript = _drawn_then_held(path, "Z", rng.uniform(0.5, 1.8), i)
            read += "Z" in transcript or "J" in transcript
        assert read <= 2, (kind, read)
