"""The guided calibration walk's state, without Qt: the window shows it, the track thread feeds it.

For each letter: a countdown, then frames are recorded while the hand is held still (the speller's
motion meter), J and Z while they move, until about 1.5 s of frames are saved; then the next
letter. Redo records a letter again (its earlier frames of this walk are dropped from the profile,
not deleted); skip moves on; stop ends the walk, keeping every letter done. The frames go through
the crash-safe recorder into the profile's folder, so a walk killed part-way keeps them too.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from ..config import MotionConfig
from ..datasets.recorder import Recorder
from ..spelling.motion import MotionMeter
from ..vision.frames import Frame
from ..vision.hands import Hand
from .calibrate import CALIBRATION_RATE, MOTION_LETTERS
from .store import Profile

ALPHABET = tuple("ABCDEFGHIJKLMNOPQRSTUVWXYZ")

HANDSHAPES = {
    "A": "Fist, thumb resting against the side of the index finger.",
    "B": "Flat hand, fingers together and up, thumb folded across the palm.",
    "C": "Fingers and thumb curved into a C, as if holding a cup.",
    "D": "Index finger up; the other fingertips touch the thumb tip in a circle.",
    "E": "Fingertips curled down onto the thumb, folded across the palm.",
    "F": "Index tip touches the thumb tip; the other three fingers up and spread.",
    "G": "Index finger and thumb point sideways, parallel; the other fingers closed.",
    "H": "Index and middle fingers together pointing sideways; thumb holds the others.",
    "I": "Little finger up; the others in a fist, thumb across them.",
    "J": "Little finger up, then draw a J in the air: down, and hook towards you.",
    "K": "Index and middle fingers up in a V, thumb tip between them.",
    "L": "Index finger up and thumb out: an L.",
    "M": "Thumb tucked under the index, middle and ring fingers.",
    "N": "Thumb tucked under the index and middle fingers.",
    "O": "All fingertips meet the thumb tip in an O.",
    "P": "A K pointing down: index out, middle finger down, thumb between.",
    "Q": "A G pointing down: index finger and thumb point to the floor.",
    "R": "Index and middle fingers crossed, pointing up.",
    "S": "Fist, thumb across the front of the fingers.",
    "T": "Thumb tucked between the index and middle fingers of a fist.",
    "U": "Index and middle fingers up, together.",
    "V": "Index and middle fingers up, spread in a V.",
    "W": "Index, middle and ring fingers up and spread.",
    "X": "Index finger bent into a hook; the others in a fist.",
    "Y": "Thumb and little finger out; the others folded.",
    "Z": "Index finger out, then draw a Z in the air.",
}


@dataclass
class WalkProgress:
    letter: str | None  # None once the walk has ended
    index: int  # of the letter in the walk
    total: int
    phase: str  # "countdown", "recording", "done" (all letters met) or "stopped"
    countdown: float  # seconds left of the countdown
    frames: int  # saved of this letter so far
    target: int
    done: tuple[str, ...]  # letters with frames, in walk order
    skipped: tuple[str, ...]


class CalibrationWalk:
    def __init__(self, profile: Profile, letters=ALPHABET, frames_per_letter: int = 15, countdown: float = 3.0,
                 motion: MotionConfig | None = None, clock=time.monotonic):
        self.profile = profile
        self.letters = tuple(letters)
        self.target, self.countdown_s, self.clock = frames_per_letter, countdown, clock
        self.recorder = Recorder(profile.frames_dir, signer="calibration", rate=CALIBRATION_RATE)
        self.meter = MotionMeter(motion or MotionConfig())
        self._lock = threading.Lock()
        self._index = 0
        self._phase = "countdown"
        self._start = clock() + countdown
        self._saved: dict[str, list[str]] = {}  # letter -> files of its current attempt
        self._skipped: set[str] = set()
        if not self.letters:  # nothing to record: straight to adapting the frames already there
            self._phase = "done"
            self.recorder.close()

    # ---- the track thread
    def offer(self, frame: Frame, hand: Hand | None) -> None:
        """A located frame (the worker's `recording` interface)."""
        with self._lock:
            if self._phase == "countdown" and self.clock() >= self._start:
                self._phase = "recording"
                self.meter.reset()
            if self._phase != "recording":
                return
            if hand is None:
                self.meter.reset()
                return
            letter = self.letters[self._index]
            still = self.meter.update(frame.t_media, hand.landmarks).still
            if not (still or letter in MOTION_LETTERS):
                return
            saved = self.recorder.offer(frame, hand, letter)
            if saved is not None:
                self._saved.setdefault(letter, []).append(f"{letter}/{saved.path.name}")
                if len(self._saved[letter]) >= self.target:
                    self._advance()

    # ---- the window's buttons
    def skip(self) -> None:
        with self._lock:
            if self._phase in ("countdown", "recording"):
                letter = self.letters[self._index]
                if len(self._saved.get(letter, [])) == 0:
                    self._skipped.add(letter)
                self._advance()

    def redo(self, letter: str | None = None) -> None:
        """Record `letter` (default: the last one done, or the current one) again."""
        with self._lock:
            if letter is None:
                done = [c for c in self.letters if self._saved.get(c)]
                current = self.letters[self._index] if self._index < len(self.letters) else None
                letter = current if current in self._saved else (done[-1] if done else current)
            if letter is None:
                return
            self._saved.pop(letter, None)
            self.profile.drop_letter(letter)  # this walk's and any earlier walk's frames of it
            self._skipped.discard(letter)
            self._index = self.letters.index(letter)
            self._phase, self._start = "countdown", self.clock() + self.countdown_s

    def stop(self) -> None:
        """End the walk part-way: every letter recorded so far is kept."""
        with self._lock:
            if self._phase in ("countdown", "recording"):
                self._phase = "stopped"
            self.recorder.close()

    @property
    def on(self) -> bool:
        return self._phase in ("countdown", "recording")

    @on.setter
    def on(self, value: bool) -> None:
        """The worker turns a recording off when saving fails (a full disk): the walk stops."""
        if not value:
            self.stop()

    def progress(self) -> WalkProgress:
        with self._lock:
            ended = self._phase in ("done", "stopped")
            letter = None if ended else self.letters[self._index]
            return WalkProgress(letter, self._index, len(self.letters), self._phase,
                                max(0.0, self._start - self.clock()) if self._phase == "countdown" else 0.0,
                                len(self._saved.get(letter, [])) if letter else 0, self.target,
                                tuple(c for c in self.letters if self._saved.get(c)),
                                tuple(c for c in self.letters if c in self._skipped))

    def _advance(self) -> None:
        self._index += 1
        while self._index < len(self.letters) and self._saved.get(self.letters[self._index]):
            self._index += 1  # after a redo, letters already done are not asked again
        if self._index >= len(self.letters):
            self._phase = "done"
            self.recorder.close()
        else:
            self._phase, self._start = "countdown", self.clock() + self.countdown_s
