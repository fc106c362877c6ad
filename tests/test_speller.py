"""The speller as a decoder, fed scripted landmark streams (tests/scripted_hands.py) and probabilities."""
import numpy as np
import pytest

from scripted_hands import J_PATH, SHAPES, Z_PATH, drawn, hand_landmarks, held
from signcam.config import SmoothingConfig, SpellingConfig
from signcam.spelling.smoothing import Smoother
from signcam.spelling.speller import Speller

LABELS = [chr(c) for c in range(ord("A"), ord("Z") + 1)] + ["del", "nothing", "space"]
FPS = 30
HERE = (640.0, 300.0)


def probs(sign, conf=0.95, second=None):
    p = np.full(len(LABELS), (1 - conf) / (len(LABELS) - 1), np.float32)
    p[LABELS.index(sign)] = conf
    if second:
        p[LABELS.index(second)] += (1 - conf) / 2
    return p / p.sum()


def still(sign, seconds, shape="B", center=HERE, conf=0.95, fps=FPS, seed=0):
    return [(probs(sign, conf) if sign else None, lm) for lm in held(SHAPES[shape], seconds, fps, center, seed=seed)]


def moved(sign, seconds, path, shape="B", fps=FPS, conf=0.95, tip=9, start=HERE):
    """The hand moved along `path` (hand sizes) with its shape steady, read as `sign`."""
    return [(probs(sign, conf), lm) for lm in drawn(SHAPES[shape], tip, path, seconds, fps, start=start)]


def reshaped(signs, seconds, a="B", b="A", fps=FPS, center=HERE):
    """The fingers move from shape a to shape b where it stands, read confidently as each of `signs` in turn."""
    la, lb = hand_landmarks(SHAPES[a], center), hand_landmarks(SHAPES[b], center)
    n = int(round(seconds * fps))
    return [(probs(signs[i * len(signs) // n]), la + (lb - la) * (i + 1) / n) for i in range(n)]


def gone(seconds, fps=FPS):
    return [(None, None)] * int(round(seconds * fps))


def run(frames, fps=FPS, jitter=0.0, speller=None, seed=0):
    sp = speller or Speller(SpellingConfig(), LABELS)
    rng = np.random.default_rng(seed)
    commits = []
    for i, (p, lm) in enumerate(frames):
        c = sp.update(i / fps + rng.uniform(-jitter, jitter), p, lm)
        if c:
            commits.append(c.symbol)
    return sp.transcript, commits


def test_a_held_letter_commits_once():
    assert run(still("A", 2.0, "A")) == ("A", ["A"])


def test_shapes_seen_while_the_fingers_move_never_commit():
    # B, then 0.5 s of fingers curling to E, read confidently as U then R on the way, then E.
    frames = still("B", 0.8, "B") + reshaped(["U", "R"], 0.5, "B", "A") + still("E", 0.8, "A")
    assert run(frames)[0] == "BE"


def test_a_shape_seen_while_the_hand_travels_never_commits():
    # The hand comes in from the side over 0.4 s (5 hand sizes a second) read as X, then holds B.
    frames = moved("X", 0.4, [(-2, 0), (0, 0)]) + still("B", 0.8)
    assert run(frames)[0] == "B"


def test_a_shape_seen_while_the_hand_leaves_never_commits():
    # B held, then the hand goes out to the side over 0.4 s (5 hand sizes a second), read as X as
    # it goes, then out of view; then the same on the way in, and A held.
    out = moved("X", 0.4, [(0, 0), (2, 0)])
    back = moved("X", 0.4, [(2, 0), (0, 0)], shape="A")
    assert run(still("B", 0.8) + out + gone(0.5) + back + still("A", 0.8, "A"))[0] == "BA"


def test_a_fast_clear_still_letter_commits():
    # Between two letters, 0.3 s still and clear is enough (0.2 s hold once seen still); as briefly
    # but unclear is not.
    def spell(conf, seconds):
        return (still("A", 0.6, "A") + reshaped(["S"], 0.2, "A", "B") + still("C", seconds, "B", conf=conf)
                + reshaped(["S"], 0.2, "B", "A") + still("A", 0.6, "A") + gone(0.4))
    assert run(spell(0.95, 0.3))[0] == "ACA"
    assert run(spell(0.75, 0.3))[0] == "A"
    assert run(spell(0.75, 0.6))[0] == "ACA"


def test_a_fast_letter_held_while_the_hand_drifts_commits():
    # C shown 0.45 s, the hand drifting at 2.3 hand sizes a second for 0.15 s in the middle (faster
    # than still, slower than a bounce; its fingers still): the shape was held throughout, so it commits.
    def drift(seconds, speed=2.3):
        n = int(round(seconds * FPS))
        return [(probs("C"), hand_landmarks(SHAPES["B"], (HERE[0] + speed * (i + 1) / FPS * 200, HERE[1])))
                for i in range(n)]
    after = (HERE[0] + 2.3 * 0.15 * 200, HERE[1])
    frames = still("C", 0.15) + drift(0.15) + still("C", 0.15, center=after) + gone(0.4)
    assert run(frames)[0] == "C"
    # A hand that only ever drifts never rests: nothing.
    assert run(drift(1.0) + gone(0.4))[0] == ""
    # ... but a fluent signer's hand drifts slowly as it spells: a shape shown 0.4 s while the hand
    # moves at 1.8 hand sizes a second is held.
    assert run(drift(0.4, speed=1.8) + gone(0.4))[0] == "C"


def test_the_hold_adapts_to_how_clear_the_shape_is():
    sp = Speller(SpellingConfig(), LABELS)
    assert sp.hold_needed(0.95) == pytest.approx(0.2) and sp.hold_needed(0.6) == pytest.approx(0.4)
    assert 0.2 < sp.hold_needed(0.72) < 0.4


def test_a_doubled_letter_needs_a_release():
    assert run(still("L", 2.0, "L"))[0] == "L"  # held long: once
    assert run(still("L", 0.8, "L") + gone(0.3) + still("L", 0.8, "L"))[0] == "LL"  # dropped out of view
    assert run(still("A", 0.8, "A") + still("B", 0.8) + still("A", 0.8, "A"))[0] == "ABA"  # another letter


@pytest.mark.parametrize("fps,jitter", [(30, 0.0), (15, 0.0), (25, 0.0), (30, 0.003), (60, 0.002)])
def test_a_bounce_doubles_the_letter_at_any_frame_rate(fps, jitter):
    # 0.4 hand sizes up and back in 0.3 s, the L shape held, then held again where it was.
    n = int(round(0.3 * fps))
    bounce = [(probs("L"), hand_landmarks(SHAPES["L"], (HERE[0], HERE[1] - 80.0 * np.sin(np.pi * (i + 1) / n))))
              for i in range(n)]
    frames = still("L", 0.8, "L", fps=fps) + bounce + still("L", 0.8, "L", fps=fps, seed=1)
    assert run(frames, fps, jitter)[0] == "LL"


def bounce(sign, seconds, shape, fps=FPS, height=80.0, center=HERE):
    """The hand lifted `height` px (0.4 hand sizes) and lowered again over `seconds`, its shape kept."""
    n = int(round(seconds * fps))
    return [(probs(sign), hand_landmarks(SHAPES[shape], (center[0], center[1] - height * np.sin(np.pi * (i + 1) / n))))
            for i in range(n)]


def test_moving_about_between_two_holds_is_no_bounce():
    # Fast, but for a second (the hand shaken, put down and brought back): not a doubling.
    long_move = [f for _ in range(3) for f in bounce("L", 0.33, "L")]
    assert run(still("L", 0.8, "L") + long_move + still("L", 0.8, "L", seed=1))[0] == "L"
    # A quick bounce straight out of fidgeting fingers (the hand never rested after the letter):
    # not a doubling either.
    fidget = reshaped(["L"], 0.2, "L", "V") + reshaped(["L"], 0.2, "V", "L")
    assert run(still("L", 0.8, "L") + fidget + bounce("L", 0.3, "L") + still("L", 0.8, "L", seed=1))[0] == "L"
    # The same bounce after a rest doubles it.
    assert run(still("L", 0.8, "L") + fidget + still("L", 0.6, "L", seed=2) + bounce("L", 0.3, "L")
               + still("L", 0.8, "L", seed=1))[0] == "LL"


def test_a_glimpse_of_another_shape_between_two_holds_is_no_release():
    # 0.17 s of another shape with the hand still: long enough to become the candidate (the latest
    # frames clearly show it), too short to be held: the letter is not written again.
    for other in ("X", "B"):
        frames = still("D", 0.8, "L") + still(other, 0.17, "L", seed=1) + still("D", 0.8, "L", seed=2)
        assert run(frames)[0] == "D", other
    # Held as long as a commit needs, it is a letter, and the first one may follow it again.
    frames = (still("D", 0.8, "L") + reshaped(["D"], 0.2, "L", "V") + still("X", 0.5, "V", seed=1)
              + reshaped(["X"], 0.2, "V", "L") + still("D", 0.8, "L", seed=2))
    assert run(frames)[0] == "DXD"


def test_drift_a_misreading_and_moving_away_are_no_release():
    drift = moved("L", 2.0, [(0, 0), (0.6, 0)], "L")  # 0.3 hand sizes a second while holding
    assert run(still("L", 0.5, "L") + drift)[0] == "L"
    assert run(still("Z", 0.8, "L", conf=0.9) + still("X", 0.1, "L") + still("Z", 0.8, "L"))[0] == ""
    blip = still("D", 0.8, "L") + still("X", 0.1, "L") + still("D", 0.8, "L")
    assert run(blip)[0] == "D"
    # The hand goes 3 hand sizes down to rest, still an A shape: not signed again.
    away = moved("A", 0.4, [(0, 0), (0, 3)], "A", tip=0)
    assert run(still("A", 0.8, "A") + away + still("A", 0.8, "A", center=(640.0, 900.0)))[0] == "A"


def test_j_and_z_come_from_their_drawn_paths():
    for mirror in (False, True):
        for seconds in (0.5, 0.9):
            j = [(probs("I"), lm) for lm in drawn(SHAPES["I"], 20, J_PATH, seconds, mirror=mirror)]
            frames = still("I", 0.6, "I", center=tuple(j[0][1][:, :2].mean(axis=0))) + j + \
                [(probs("I"), lm) for lm in held(SHAPES["I"], 0.6, center=tuple(j[-1][1][:, :2].mean(axis=0)))]
            assert run(frames)[0] == "J", (mirror, seconds)
            z = [(probs("D"), lm) for lm in drawn(SHAPES["D"], 8, Z_PATH, seconds, mirror=mirror)]
            frames = z + [(probs("D"), lm) for lm in held(SHAPES["D"], 0.6, center=tuple(z[-1][1][:, :2].mean(axis=0)))]
            assert run(frames)[0] == "Z", (mirror, seconds)


def test_a_second_j_or_z_after_a_rest_reads_again():
    # Z, the pointing hand held 1.5 s, then back up to the top corner and Z again (JAZZ, PIZZA).
    again = [(0, 1)] + Z_PATH  # the lead-in: up to where the Z begins
    for letter, shape, tip, sign, path, lead in (("Z", "D", 8, "D", Z_PATH, again),
                                                 ("J", "I", 20, "I", J_PATH, [J_PATH[-1]] + J_PATH)):
        first = [(probs(sign), lm) for lm in drawn(SHAPES[shape], tip, path, 0.9)]
        rest = [(probs(sign), lm) for lm in held(SHAPES[shape], 1.5, center=tuple(first[-1][1][:, :2].mean(axis=0)))]
        second = [(probs(sign), lm) for lm in drawn(SHAPES[shape], tip, lead, 1.2, seed=1)]
        end = [(probs(sign), lm) for lm in held(SHAPES[shape], 0.6, center=tuple(second[-1][1][:, :2].mean(axis=0)), seed=2)]
        assert run(first + rest + second + end)[0] == letter * 2, letter


def test_a_j_replaces_the_i_held_long_before_it():
    # The I is held 1.5 s (committed after 0.2 s), then the J drawn from it: one J, no I.
    j = [(probs("I"), lm) for lm in drawn(SHAPES["I"], 20, J_PATH, 0.7)]
    frames = still("I", 1.5, "I", center=tuple(j[0][1][:, :2].mean(axis=0))) + j + \
        [(probs("I"), lm) for lm in held(SHAPES["I"], 0.6, center=tuple(j[-1][1][:, :2].mean(axis=0)))]
    assert run(frames)[0] == "J"
    # An I signed, then another letter, then a J: the I stays.
    frames = still("I", 0.6, "I") + still("A", 0.6, "A") + frames[45:]
    assert run(frames)[0] == "IAJ"


def test_a_still_hand_never_reads_j_or_z():
    # The model is sure of J and of Z from still frames: nothing is written.
    assert run(still("J", 2.0, "I", conf=0.99))[0] == ""
    assert run(still("Z", 2.0, "D", conf=0.99))[0] == ""
    # An index-pointing hand swept in a straight line is no Z.
    line = [(probs("D"), lm) for lm in drawn(SHAPES["D"], 8, [(0, 0), (1.2, 0.3)], 0.6)]
    assert "Z" not in run(line + [(probs("D"), lm) for lm in held(SHAPES["D"], 0.6,
                                                                    center=tuple(line[-1][1][:, :2].mean(axis=0)))])[0]


def mixed(a, pa, b, pb):
    p = np.full(len(LABELS), (1 - pa - pb) / (len(LABELS) - 2), np.float32)
    p[LABELS.index(a)], p[LABELS.index(b)] = pa, pb
    return p


def test_a_still_j_or_z_reading_counts_for_its_start_shape():
    # Held still, an X the model calls Z 0.6 / X 0.35 is an X; an I it calls J 0.6 / I 0.35 is an I.
    x = [(mixed("Z", 0.6, "X", 0.35), lm) for lm in held(SHAPES["L"], 1.0)]
    assert run(x)[0] == "X"
    i = [(mixed("J", 0.6, "I", 0.35), lm) for lm in held(SHAPES["I"], 1.0)]
    assert run(i)[0] == "I"
    # Without the start shape among its readings, a still Z is nothing.
    b = [(mixed("Z", 0.6, "B", 0.35), lm) for lm in held(SHAPES["B"], 1.0)]
    assert run(b)[0] == ""


def test_pause_ends_a_word_and_space_and_del_edit():
    frames = (still("H", 0.6, "V") + still("I", 0.6, "I") + gone(1.6) + still("Y", 0.6, "I")
              + still("O", 0.6, "A") + still("del", 0.6, "B") + still("U", 0.6, "V") + still("space", 0.6, "B")
              + still("space", 0.6, "A") + still("A", 0.6, "A"))
    assert run(frames)[0] == "HI YU A"


def test_nothing_held_is_a_pause_not_a_letter():
    frames = still("A", 0.8, "A") + still("nothing", 1.7, "B") + still("B", 0.8)
    assert run(frames)[0] == "A B"


def test_a_relaxed_hand_between_two_holds_is_no_release():
    # `nothing` is no sign: the hand resting in view between two holds of M does not double it;
    # after a word's pause the M starts the next word.
    assert run(still("M", 0.8, "A") + still("nothing", 0.8, "B") + still("M", 0.8, "A"))[0] == "M"
    assert run(still("M", 0.8, "A") + reshaped(["nothing"], 0.3, "A", "B") + still("nothing", 0.6, "B")
               + reshaped(["nothing", "M"], 0.3, "B", "A") + still("M", 0.8, "A"))[0] == "M"
    assert run(still("M", 0.8, "A") + still("nothing", 1.7, "B") + still("M", 0.8, "A"))[0] == "M M"


def test_hold_progress_rises_then_reports_the_commit():
    sp = Speller(SpellingConfig(), LABELS)
    frames = still("A", 0.6, "A", conf=0.75)
    for i, (p, lm) in enumerate(frames[:8]):
        sp.update(i / FPS, p, lm)
    assert 0.0 < sp.hold_progress(7 / FPS) < 1.0
    for i, (p, lm) in enumerate(frames[8:], start=8):
        sp.update(i / FPS, p, lm)
    assert sp.hold_progress(len(frames) / FPS) == 1.0 and sp.transcript == "A"


def test_letters_keep_their_evidence_and_accepting_replaces_the_word():
    sp = Speller(SpellingConfig(), LABELS)
    run(still("H", 0.6, "V") + still("A", 0.6, "A") + still("T", 0.6, "B"), speller=sp)
    assert sp.current_word() == "HAT" and len(sp.word_evidence()) == 3
    assert sp.word_evidence()[1].argmax() == LABELS.index("A")
    sp.accept("hot")
    assert sp.text == "HOT " and sp.current_word() == "HOT"


SMOOTH_LABELS = ["A", "B", "C"]


def onehot(i, p=0.9):
    v = np.full(3, (1 - p) / 2, np.float32)
    v[i] = p
    return v


def test_smoother_ignores_single_frame_flicker():
    sm = Smoother(SMOOTH_LABELS, SmoothingConfig(window=0.3, threshold=0.6, hysteresis=0.1))
    out = [sm.update(onehot(1 if i == 10 else 0), i / FPS)[0] for i in range(20)]
    assert set(out) == {"A"}


def test_smoother_switches_when_the_new_letter_wins_clearly():
    sm = Smoother(SMOOTH_LABELS, SmoothingConfig(window=0.3, threshold=0.6, hysteresis=0.1))
    out = [sm.update(onehot(0 if i < 15 else 2), i / FPS)[0] for i in range(40)]
    assert out[0] == "A" and out[-1] == "C"
    assert "B" not in out


def test_smoother_reports_nothing_below_the_threshold_and_resets_without_a_hand():
    sm = Smoother(SMOOTH_LABELS, SmoothingConfig(threshold=0.6))
    letter, conf = sm.update(np.array([0.4, 0.35, 0.25], np.float32), 0.0)
    assert letter is None and conf == pytest.approx(0.4)
    sm.update(onehot(0), 0.1)
    assert sm.update(None, 0.2) == (None, 0.0)
