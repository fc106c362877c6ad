"""The speller and smoother as state machines, fed scripted (reading, time) sequences."""
import numpy as np
import pytest

from signcam.config import SmoothingConfig, SpellingConfig
from signcam.smoothing import Smoother
from signcam.speller import Speller

FPS = 30
STILL = (100.0, 100.0)


def feed(speller, script, size=100.0):
    """script: list of (letter or None, seconds, hand centre or None). Returns the commits and end time."""
    t, commits = 0.0, []
    for letter, seconds, center in script:
        for _ in range(int(round(seconds * FPS))):
            c = speller.update(letter, t, center if letter else None, size)
            if c:
                commits.append(c.symbol)
            t += 1 / FPS
    return commits, t


def test_held_letter_commits_once():
    sp = Speller(SpellingConfig(hold_time=0.5))
    commits, _ = feed(sp, [("A", 2.0, STILL)])
    assert commits == ["A"] and sp.transcript == "A"


def test_transitions_shorter_than_the_hold_commit_nothing():
    sp = Speller(SpellingConfig(hold_time=0.5))
    # H, a brief wrong reading while the fingers move, then E.
    feed(sp, [("H", 0.8, STILL), ("U", 0.2, STILL), ("R", 0.1, STILL), ("E", 0.8, STILL)])
    assert sp.transcript == "HE"


def test_same_letter_after_the_hand_drops_commits_twice():
    sp = Speller(SpellingConfig(hold_time=0.5, word_gap=1.5))
    feed(sp, [("L", 0.8, STILL), (None, 0.3, None), ("L", 0.8, STILL)])
    assert sp.transcript == "LL"


def test_same_letter_after_a_quick_move_commits_twice():
    sp = Speller(SpellingConfig(hold_time=0.5))
    feed(sp, [("L", 0.8, (100.0, 100.0)), ("L", 0.8, (140.0, 100.0))])  # a jump of 0.4 hand sizes
    assert sp.transcript == "LL"


def play(speller, script, fps=FPS, jitter=0.0, seed=0):
    """Like `feed`, at any frame rate, with camera-like timestamp jitter (seconds), and the hand
    given whenever a centre is (also while the reading is unsure). Centres may be functions of
    the fraction of the step done."""
    rng, t = np.random.default_rng(seed), 0.0
    for letter, seconds, center in script:
        n = int(round(seconds * fps))
        for i in range(n):
            c = center(i / n) if callable(center) else center
            speller.update(letter, t + rng.uniform(-jitter, jitter), c, 100.0)
            t += 1 / fps
    return speller.transcript


def lift(peak, frac):
    return (100.0, 100.0 - peak * np.sin(np.pi * frac))


def test_the_second_hold_starts_when_the_hand_is_at_rest_again():
    # As the teal signer's A: 0.8 hand sizes up and back down over 0.75 s. The top of the lift is
    # no rest: held 0.4 s after the hand is back, the letter is not signed again; held 0.6 s, it is.
    for after, expected in ((0.4, "L"), (0.6, "LL")):
        script = [("L", 0.8, STILL), ("L", 0.75, lambda f: lift(80.0, f)), ("L", after, STILL)]
        assert play(Speller(SpellingConfig(hold_time=0.5)), script) == expected, after


@pytest.mark.parametrize("fps,jitter", [(30, 0.0), (15, 0.0), (25, 0.0), (30, 0.003), (60, 0.002)])
def test_a_quick_bounce_doubles_the_letter_at_any_frame_rate(fps, jitter):
    # 0.4 hand sizes up and back in 0.3 s, then held again.
    script = [("L", 0.8, STILL), ("L", 0.3, lambda f: lift(40.0, f)), ("L", 1.0, STILL)]
    assert play(Speller(SpellingConfig(hold_time=0.5)), script, fps, jitter) == "LL"


def test_the_second_hold_counts_only_while_the_letter_is_read():
    # Back at rest after a bounce but unsure (`nothing`) for 0.4 s: that is no part of the hold.
    bounced = [("L", 0.8, STILL), ("L", 0.3, lambda f: lift(40.0, f)), ("nothing", 0.4, STILL)]
    assert play(Speller(SpellingConfig(hold_time=0.5)), bounced + [("L", 0.3, STILL)]) == "L"
    assert play(Speller(SpellingConfig(hold_time=0.5)), bounced + [("L", 0.6, STILL)]) == "LL"


def test_a_letter_read_while_the_hand_glides_into_place_is_not_doubled():
    # The hand comes up into place already shaped as L (read from the start), 0.3 hand sizes
    # every 0.1 s for 0.7 s, so the letter commits on the way; then it rests.
    script = [("L", 0.7, lambda f: (100.0, 310.0 - 210.0 * f)), ("L", 1.5, STILL)]
    assert play(Speller(SpellingConfig(hold_time=0.5)), script) == "L"


def test_slow_drift_while_holding_is_not_a_repeat():
    sp = Speller(SpellingConfig(hold_time=0.5))
    t = 0.0
    for i in range(90):  # 3 s, drifting 2 px a frame (0.02 hand sizes)
        sp.update("L", t, (100.0 + 2 * i, 100.0), 100.0)
        t += 1 / FPS
    assert sp.transcript == "L"


def test_motion_letters_move_without_repeating():
    sp = Speller(SpellingConfig(hold_time=0.5))
    t = 0.0
    for i in range(60):  # Z drawn in the air: fast travel while the letter is read
        sp.update("Z", t, (100.0 + 15 * (i % 10), 100.0 + 10 * (i // 10)), 100.0)
        t += 1 / FPS
    assert sp.transcript == "Z"


def test_pause_ends_a_word_and_space_and_del_edit():
    sp = Speller(SpellingConfig(hold_time=0.5, word_gap=1.0))
    feed(sp, [("H", 0.8, STILL), ("I", 0.8, STILL), (None, 1.2, None), ("Y", 0.8, STILL),
              ("O", 0.8, STILL), ("del", 0.8, STILL), ("U", 0.8, STILL), ("space", 0.8, STILL),
              ("space", 0.1, STILL), ("A", 0.8, STILL)])
    assert sp.transcript == "HI YU A"


def test_nothing_sign_is_a_pause_not_a_letter():
    sp = Speller(SpellingConfig(hold_time=0.5, word_gap=1.0))
    feed(sp, [("A", 0.8, STILL), ("nothing", 1.2, STILL), ("B", 0.8, STILL)])
    assert sp.transcript == "A B"


def test_hold_progress_rises_then_reports_the_commit():
    sp = Speller(SpellingConfig(hold_time=0.5))
    sp.update("A", 0.0, STILL, 100)
    sp.update("A", 0.25, STILL, 100)
    assert sp.hold_progress(0.25) == pytest.approx(0.5)
    sp.update("A", 0.5, STILL, 100)
    assert sp.hold_progress(0.5) == 1.0 and sp.transcript == "A"


LABELS = ["A", "B", "C"]


def onehot(i, p=0.9):
    v = np.full(3, (1 - p) / 2, np.float32)
    v[i] = p
    return v


def test_smoother_ignores_single_frame_flicker():
    sm = Smoother(LABELS, SmoothingConfig(window=0.3, threshold=0.6, hysteresis=0.1))
    out = [sm.update(onehot(1 if i == 10 else 0), i / FPS)[0] for i in range(20)]
    assert set(out) == {"A"}


def test_smoother_switches_when_the_new_letter_wins_clearly():
    sm = Smoother(LABELS, SmoothingConfig(window=0.3, threshold=0.6, hysteresis=0.1))
    out = [sm.update(onehot(0 if i < 15 else 2), i / FPS)[0] for i in range(40)]
    assert out[0] == "A" and out[-1] == "C"
    assert "B" not in out


def test_smoother_reports_nothing_below_the_threshold_and_resets_without_a_hand():
    sm = Smoother(LABELS, SmoothingConfig(threshold=0.6))
    letter, conf = sm.update(np.array([0.4, 0.35, 0.25], np.float32), 0.0)
    assert letter is None and conf == pytest.approx(0.4)
    sm.update(onehot(0), 0.1)
    assert sm.update(None, 0.2) == (None, 0.0)


def test_a_dip_in_confidence_with_the_hand_up_does_not_commit_again():
    # Unsure for 0.66 s, the hand still in view.
    assert play(Speller(SpellingConfig(hold_time=0.5)), [("E", 0.8, STILL), (None, 0.66, STILL), ("E", 0.8, STILL)]) == "E"


def test_an_unfinished_hold_restarts_after_an_unsure_moment():
    sp = Speller(SpellingConfig(hold_time=0.5))
    feed(sp, [("A", 0.3, STILL), ("nothing", 0.1, STILL), ("A", 0.3, STILL)])
    assert sp.transcript == ""


def test_a_frame_the_tracker_misses_is_not_a_drop():
    sp = Speller(SpellingConfig(hold_time=0.5, drop_time=0.25))
    feed(sp, [("Z", 0.8, STILL), (None, 2 / FPS, None), ("Z", 0.8, STILL)])
    assert sp.transcript == "Z"


def test_a_brief_misreading_inside_a_held_letter_is_not_a_repeat():
    sp = Speller(SpellingConfig(hold_time=0.5))
    feed(sp, [("Z", 0.8, STILL), ("X", 0.1, STILL), ("Z", 0.8, STILL), ("M", 0.2, STILL), ("Z", 0.8, STILL)])
    assert sp.transcript == "Z"


def test_a_letter_again_after_another_letter_is_committed():
    sp = Speller(SpellingConfig(hold_time=0.5))
    feed(sp, [("A", 0.8, STILL), ("B", 0.8, STILL), ("A", 0.8, STILL)])
    assert sp.transcript == "ABA"


def test_dropping_the_hand_away_to_rest_is_not_a_repeat():
    sp = Speller(SpellingConfig(hold_time=0.5, rearm_reach=1.5))
    feed(sp, [("A", 0.8, (100.0, 100.0)), ("A", 0.8, (100.0, 400.0))])  # 3 hand sizes down, still an A shape
    assert sp.transcript == "A"
