"""Turns per-frame letter probabilities and hand landmarks into text: a small segmental decoder.

The frames are cut into segments by motion (signcam/spelling/motion.py): while the hand or its fingers
move, the shapes seen are transitions and nothing is committed; while both are still, the
segment's frames are evidence for one sign. In a still segment the probabilities of its frames
are averaged (a running mean, so a long steady hold gains confidence and a flicker is outvoted),
and the best sign is committed once it has been steady for a hold that adapts to how clear it
is: `min_hold` (0.2 s) for a clear shape, up to `hold_time` for one just over the threshold.
A segment commits at most once: the same letter again needs a release between the two holds —
the hand leaving view, a bounce or slide from a rest (how signers double a letter), a word's pause,
or another sign held as long as a commit needs. A glimpse of another shape, or the hand moving
about, is no release.

J and Z are letters of motion: their model outputs never commit from a still segment (a still J
is an I, a still Z an index pointing, and their votes count for those shapes). They come from the
fingertip's path instead (signcam/spelling/strokes.py); the still shape held until just before the stroke
(I before J, the pointing hand before Z) was the stroke's start and is replaced by it. `space` and
`del` are signs like letters and edit the text; a pause with no sign ends a word.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from ..config import SpellingConfig
from .motion import BounceWatch, Motion, MotionMeter, hand_geometry
from .strokes import StrokeReader


@dataclass
class Commit:
    symbol: str  # a letter, "space" or "del", as signed
    t: float
    replaced: str | None = None  # the letter this one took the place of (I before a J), if any
    probs: np.ndarray | None = None  # the evidence: the segment's mean probabilities


class Speller:
    def __init__(self, config: SpellingConfig, labels: list[str] | tuple[str, ...] = ()):
        self.config = config
        self.labels = list(labels)
        self._text = ""
        self._evidence: list[np.ndarray | None] = []  # per character of the text: what it was read from
        self.motion = MotionMeter(config.motion)
        self.strokes = StrokeReader(config.strokes)
        self.bounces = BounceWatch(config.rearm_speed, config.bounce_time, config.hold_time, config.min_hold)
        idx = {label: i for i, label in enumerate(self.labels)}
        self._idle = idx.get(config.idle_label)
        # Still frames can never be evidence for the motion letters (see _still_evidence).
        self._still_mask = np.array([label not in config.motion_letters for label in self.labels], dtype=bool)
        self._stroke_starts = {letter: {idx[s] for s in starts if s in idx}
                               for letter, starts in config.stroke_starts.items()}
        # (motion letter's index, its start shapes' indices), for the labels this model has
        self._start_votes = [(idx[letter], starts) for letter, starts in self._stroke_starts.items()
                             if letter in idx and starts]
        self._reset_segment()
        self._last: Commit | None = None  # the last commit and whether a release has come since
        self._held_until = 0.0  # the last time the last commit's sign was still held
        self._released = True
        self._bounced = False  # a bounce (motion.BounceWatch) since the last commit
        self._where: tuple[np.ndarray, float] | None = None  # hand centre and size at the last commit
        self._last_hand_t: float | None = None
        self._last_sign_t: float | None = None
        self.last_motion: Motion | None = None

    # ---- what the window shows
    @property
    def candidate(self) -> str | None:
        return self.labels[self._cand] if self._cand is not None else None

    def hold_progress(self, t: float) -> float:
        """0..1 while a sign is being held, 1 once committed (for the overlay)."""
        if self._cand is None:
            return 0.0
        if self._spent:
            return 1.0
        return min(1.0, (t - self._cand_since) / self._needed)

    @property
    def transcript(self) -> str:
        return " ".join(self.text.split())

    @property
    def text(self) -> str:
        return self._text

    @text.setter
    def text(self, value: str) -> None:
        """Text set from outside (typed by the user): characters kept keep their evidence."""
        keep = 0
        while keep < min(len(value), len(self._text)) and value[keep] == self._text[keep]:
            keep += 1
        self._evidence = self._evidence[:keep] + [self._one_hot(c) for c in value[keep:]]
        self._text = value

    def carry_from(self, other: "Speller") -> None:
        """Take over another speller's text with its evidence (a new source or model, same text)."""
        self._text, self._evidence = other._text, list(other._evidence)

    def words(self) -> list[tuple[str, list[np.ndarray]]]:
        """Each word of the text with the evidence of each of its letters."""
        out, start = [], 0
        for i, ch in enumerate(self._text + " "):
            if ch == " ":
                if i > start:
                    out.append((self._text[start:i], [e for e in self._evidence[start:i] if e is not None]))
                start = i + 1
        return out

    def word_evidence(self) -> list[np.ndarray]:
        """The evidence of each letter of the last word (what suggestions rank from)."""
        words = self.words()
        return words[-1][1] if words else []

    def current_word(self) -> str:
        """The word being spelled, or the one just finished (the text's last word)."""
        words = self.words()
        return words[-1][0] if words else ""

    def accept(self, word: str) -> None:
        """Replace the last word by a chosen suggestion (the user's pick, never automatic)."""
        body = self._text.rstrip(" ")
        start = len(body) - len(self.current_word())
        self.text = body[:start] + word.upper() + " "

    def clear(self) -> None:
        self.text = ""

    def edit(self, symbol: str, evidence: np.ndarray | None = None) -> None:
        """Apply a committed symbol (also used by the window's Space/Backspace buttons)."""
        if symbol == self.config.delete_label:
            self._text, self._evidence = self._text[:-1], self._evidence[:-1]
        elif symbol == self.config.space_label:
            if self._text and not self._text.endswith(" "):
                self._text += " "
                self._evidence.append(None)
        else:
            self._text += symbol
            self._evidence.append(evidence if evidence is not None else self._one_hot(symbol))

    # ---- decoding
    def _reset_segment(self) -> None:
        self._recent: deque[tuple[float, np.ndarray]] = deque()  # the segment's latest still frames
        self._sum: np.ndarray | None = None  # ... and the sum of all of them
        self._n = 0
        self._cand: int | None = None
        self._cand_since = 0.0
        self._needed = self.config.hold_time
        self._spent = False  # this still segment has committed its sign
        self._segment_start = 0.0
        self._glide_since: float | None = None  # when the hand began drifting in this segment

    def _release(self) -> None:
        self._released, self._bounced = True, False

    def _hand_gone(self) -> None:
        self.motion.reset()
        self.strokes.reset()
        self.bounces.reset()
        self._reset_segment()
        self._release()

    def hold_needed(self, confidence: float) -> float:
        """The hold asked of a sign read at this confidence: short when clear, longer when not."""
        cfg = self.config
        span = max(cfg.clear_confidence - cfg.threshold, 1e-6)
        f = min(max((cfg.clear_confidence - confidence) / span, 0.0), 1.0)
        return cfg.min_hold + f * (cfg.hold_time - cfg.min_hold)

    def _commit(self, symbol: str, t: float, probs: np.ndarray | None, replaced: str | None = None) -> Commit:
        if replaced is not None:
            self.edit(self.config.delete_label)
        self.edit(symbol, probs)
        self._last, self._released, self._spent = Commit(symbol, t, replaced, probs), False, True
        self._held_until = t
        self._bounced = False
        return self._last

    def _one_hot(self, symbol: str) -> np.ndarray | None:
        if symbol == " ":
            return None
        p = np.zeros(len(self.labels), dtype=np.float32)
        if symbol.upper() in self.labels:
            p[self.labels.index(symbol.upper())] = 1.0
        return p

    def update(self, t: float, probs: np.ndarray | None, landmarks: np.ndarray | None) -> Commit | None:
        """Feed one frame: its probabilities and the hand's 21 landmarks (both None when no hand)."""
        cfg = self.config
        if landmarks is None or probs is None:
            if self._last_hand_t is None or t - self._last_hand_t >= cfg.drop_time:
                # The hand dropped out of view (not just a frame the tracker missed).
                self._hand_gone()
            self.last_motion = None
            return self._word_gap(t)
        self._last_hand_t = t
        probs = np.asarray(probs, dtype=np.float64)
        m = self.last_motion = self.motion.update(t, landmarks)
        top = int(probs.argmax())
        if top != self._idle and probs[top] >= cfg.threshold:
            self._last_sign_t = t
        stroke = self.strokes.update(t, landmarks, m.still)
        if stroke is not None:
            return self._stroke(stroke, t)
        center, size = hand_geometry(landmarks)
        bounced = self.bounces.update(t, m)
        if bounced is not None:
            # A bounce or slide: the letter again, once at rest near it; any other quick movement
            # after it (the hand put down, shaken) undoes it.
            self._bounced = bounced
        if not m.still:
            if not self._gliding(t, m):
                self._reset_segment()
            return None
        return self._still(t, probs, center, size) or self._word_gap(t)

    def _gliding(self, t: float, m: Motion) -> bool:
        """The hand drifts a little faster than still, its fingers still (the shape held): the still
        segment goes on through it, these frames adding no evidence. A fluent signer's hand drifts
        as it spells; ending the segment there lost letters shown for 0.3 s. A glide lasts at most
        `glide_time`, and is slower than a bounce."""
        if not self._recent or not np.isfinite(m.hand_speed) or m.hand_speed >= self.config.rearm_speed \
                or m.finger_speed > self.config.motion.still_fingers:
            self._glide_since = None
            return False
        if self._glide_since is None:
            self._glide_since = t
        return t - self._glide_since <= self.config.glide_time + 1e-6

    def _near_commit(self, center: np.ndarray, size: float) -> bool:
        """Near where the last letter was signed: within `rearm_reach` hand sizes, at a like distance
        from the camera (a hand that came much nearer or went further has moved on)."""
        if self._where is None:
            return True
        c0, s0 = self._where
        return float(np.linalg.norm(center - c0)) <= self.config.rearm_reach * s0 \
            and 1 / self.config.rearm_scale <= size / s0 <= self.config.rearm_scale

    def _still_evidence(self, probs: np.ndarray) -> np.ndarray:
        """A still frame's probabilities, with no J or Z: a still J is an I, a still Z the pointing
        hand it is drawn with. The model's vote for one goes to the likeliest of its start shapes,
        when the model sees that shape too (at `still_start_share` or more); else it is dropped."""
        p = probs.copy()
        for i, starts in self._start_votes:
            best = max(starts, key=lambda k: p[k])
            if p[best] >= self.config.still_start_share:
                p[best] += p[i]
        return np.where(self._still_mask, p, 0.0)

    def _still(self, t: float, probs: np.ndarray, center: np.ndarray, size: float) -> Commit | None:
        cfg = self.config
        p = self._still_evidence(probs)
        if not self._recent:
            # The hold counts from the first still frame. (Counting from `lag` earlier, when the
            # hand had in fact stopped, committed more passing shapes on the clips.)
            self._segment_start = t
            self._sum, self._n = np.zeros_like(p), 0
        self._recent.append((t, p))
        while self._recent[0][0] < t - cfg.evidence_window:
            self._recent.popleft()
        self._sum, self._n = self._sum + p, self._n + 1
        recent = np.mean([q for _, q in self._recent], axis=0)
        if self._cand is not None and int(recent.argmax()) != self._cand and recent.max() >= cfg.threshold:
            # The latest frames clearly show another sign (the shape changed without the fingers
            # seeming to move much): its own segment, from those frames.
            self._sum, self._n = recent * len(self._recent), len(self._recent)
        # The segment's sign: the mean of all its frames, so a long steady hold outvotes a flicker.
        mean = self._sum / self._n
        best = int(mean.argmax())
        conf = float(mean[best])
        cand = best if conf >= cfg.threshold else None
        if cand is not None and self._last is not None and self.labels[cand] == self._last.symbol:
            self._held_until = t  # the last letter is still held (a J or Z may start from it)
        if cand != self._cand:
            if self._cand is not None and cand is not None:
                # A new candidate may commit, but it releases the last letter only once it is held
                # as long as a commit needs (below). A glimpse of another shape while a letter is
                # held (the model flickering, a finger shifting) is no release, or that letter
                # would be written twice.
                self._spent = False
            self._cand, self._cand_since = cand, max(t if self._cand is not None else self._segment_start,
                                                     self._segment_start)
        if cand is None or self._spent:
            return None
        self._needed = self.hold_needed(conf)
        if t - self._cand_since + 1e-6 < self._needed:
            return None
        symbol = self.labels[cand]
        last = self._last.symbol if self._last is not None else None
        if last in self._stroke_starts and cand in self._stroke_starts[last]:
            symbol = last  # the I a J ends in, the pointing hand after a Z: still that letter's sign
        if cand == self._idle:
            self._spent = True  # `nothing` is held, not written, and releases nothing
            return None
        if symbol != last:
            self._release()  # another sign held: the next one may be the last letter again
        elif self._bounced and self._near_commit(center, size):
            # Back at rest where it was signed after a bounce: the letter again, but only after the
            # full hold. A doubled letter is the reading most easily made by mistake (a hand lifted
            # and lowered again), and one missed is cheap to get back (suggestions add doubles).
            if t - self._cand_since + 1e-6 < cfg.hold_time:
                return None
            self._release()
        if self._last is not None and symbol == self._last.symbol and not self._released:
            self._spent = True  # the same sign, no release in between: still the one committed
            return None
        symbol = self.labels[cand]
        self._where = (center, size)
        return self._commit(symbol, t, mean.astype(np.float32))

    def _stroke(self, stroke, t: float) -> Commit:
        """A J or Z was drawn: it replaces the still start shape committed just before it."""
        replaced = None
        last = self._last
        # The start shape counts if it was held until shortly before the stroke began: a signer may
        # hold the I a while before drawing the J from it.
        if last is not None and self._held_until >= stroke.start - self.config.stroke_lead and last.probs is not None \
                and int(last.probs.argmax()) in self._stroke_starts.get(stroke.letter, set()) \
                and self.text.endswith(last.symbol):
            replaced = last.symbol
        self._reset_segment()
        commit = self._commit(stroke.letter, t, self._one_hot(stroke.letter), replaced)
        self._cand, self._spent = None, True
        return commit

    def _word_gap(self, t: float) -> Commit | None:
        if self._last_sign_t is not None and t - self._last_sign_t >= self.config.word_gap:
            self._last_sign_t = None
            if self.text and not self.text.endswith(" "):
                self.edit(self.config.space_label)  # a pause ends the word
            self._release()  # and the next word may begin with the letter this one ended with
        return None
