"""Turns a stream of steady letter readings into text.

A letter is committed once it has been held for `hold_time`; the brief
readings during a transition between letters never last that long. A committed
letter is committed again only after the hand drops out of view, another
letter is committed, or the hand moves quickly (a bounce or slide), comes to rest
near where the letter was signed and holds it again (how signers double a letter).
A moment of low confidence, a brief misreading, a slow drift, or a hand dropping
away to rest is not a repeat. `space` and `del` signs edit the text,
and a pause with no letter ends a word.
"""
from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

from .config import SpellingConfig


@dataclass
class Commit:
    symbol: str  # a letter, "space" or "del", as signed
    t: float


class Speller:
    def __init__(self, config: SpellingConfig):
        self.config = config
        self.text = ""
        self._candidate: str | None = None
        self._since = 0.0
        self._committed = False  # the current candidate has been committed
        self._track: deque[tuple[float, tuple[float, float]]] = deque()  # recent hand centres
        self._last_letter_t: float | None = None
        self._last_hand_t: float | None = None
        self._held: tuple[str, tuple[float, float]] | None = None  # last committed letter and where
        self._settled = False  # the hand has been at rest since that commit
        self._moved = False  # a quick move since then, and the hand not yet at rest again
        self._run: tuple[str | None, float] = (None, 0.0)  # the reading of the last frames, since when

    @property
    def candidate(self) -> str | None:
        return self._candidate

    def hold_progress(self, t: float) -> float:
        """0..1 while a letter is being held, 1 once committed (for the overlay)."""
        if self._candidate is None:
            return 0.0
        if self._committed:
            return 1.0
        return min(1.0, (t - self._since) / self.config.hold_time)

    @property
    def transcript(self) -> str:
        return " ".join(self.text.split())

    def clear(self) -> None:
        self.text = ""

    def edit(self, symbol: str) -> None:
        """Apply a committed symbol (also used by the window's Space/Backspace buttons)."""
        if symbol == self.config.delete_label:
            self.text = self.text[:-1]
        elif symbol == self.config.space_label:
            if self.text and not self.text.endswith(" "):
                self.text += " "
        else:
            self.text += symbol

    def _follow(self, t: float, center: tuple[float, float], size: float) -> tuple[bool, bool]:
        """(quick move, at rest): has the hand travelled `rearm_move` hand sizes within the
        last `rearm_window` s; has it stayed within `still_reach` of here for `settle_time` s?"""
        cfg = self.config
        self._track.append((t, center))
        # Keep one centre older than the spans measured: camera frames come at any rate,
        # never exactly `settle_time` apart.
        span = max(cfg.rearm_window, cfg.settle_time)
        while len(self._track) > 1 and self._track[1][0] <= t - span + 1e-6:
            self._track.popleft()
        recent = [c for s, c in self._track if s >= t - cfg.rearm_window - 1e-6]
        quick = math.dist(center, recent[0]) / max(size, 1e-6) >= cfg.rearm_move
        # Spread, not net travel: at the top of a bounce the net travel is briefly zero.
        rested = self._track[0][0] <= t - cfg.settle_time + 1e-6 and all(
            math.dist(center, c) <= cfg.still_reach * size for _, c in self._track)
        return quick, rested

    def _hand_gone(self) -> None:
        self._candidate = None
        self._held = None
        self._moved = self._settled = False
        self._track.clear()

    def update(self, letter: str | None, t: float, hand_center: tuple[float, float] | None = None,
               hand_size: float = 1.0) -> Commit | None:
        """Feed one frame: the smoothed letter (None when unsure), and the hand (None when none is seen)."""
        cfg = self.config
        signing = letter is not None and letter != cfg.idle_label
        if hand_center is not None:
            self._last_hand_t = t
        elif self._last_hand_t is None or t - self._last_hand_t >= cfg.drop_time:
            # The hand dropped out of view (not just a frame the tracker missed):
            # the next letter is new, even the same one.
            self._hand_gone()
        if letter != self._run[0]:
            self._run = (letter, t)
        quick, rested = self._follow(t, hand_center, hand_size) if hand_center is not None else (False, False)
        if self._held and not self._settled and rested:
            # Committed while the hand was still coming into place: where it rests is where the
            # letter is signed, and only a move from there can sign it again.
            self._settled, self._held = True, (self._held[0], hand_center)
        elif quick and self._held and self._settled and self._held[0] not in cfg.motion_letters:
            self._moved = True
        if not signing:
            # An unsure moment keeps a committed letter but restarts an unfinished hold.
            if self._candidate is not None and not self._committed:
                self._candidate = None
            if self._last_letter_t is not None and t - self._last_letter_t >= cfg.word_gap:
                self.edit(cfg.space_label)  # a pause ends the word
                self._last_letter_t = None
            return None
        self._last_letter_t = t
        if letter != self._candidate:
            # Back to the letter just committed after a brief other reading: still the same sign.
            self._candidate, self._since = letter, t
            self._committed = self._held is not None and letter == self._held[0]
        if self._moved and rested:
            # The move is over. Back at rest near where the letter was signed: the letter again,
            # its hold counted from when the hand came to rest and read it (never while moving).
            if self._committed and self._held and letter == self._held[0] \
                    and math.dist(hand_center, self._held[1]) <= cfg.rearm_reach * hand_size:
                self._since, self._committed = max(t - cfg.settle_time, self._run[1]), False
            self._moved = False
        if not self._committed and t - self._since >= cfg.hold_time:
            self._committed, self._moved, self._settled = True, False, rested
            self._held = (letter, hand_center) if hand_center is not None else None
            self.edit(letter)
            return Commit(letter, t)
        return None
