"""One frame through the whole recognizer: landmarks -> crop -> letter -> smoothing -> spelling.

Split into `locate` (tracker + crop) and `interpret` (smoother + speller) around
the classifier call, so a worker can batch the crops of several frames or hands
into one model call.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from .classifier import LetterClassifier
from .config import Config
from .crop import HandCrop, crop_hand
from .frames import Frame
from .hands import Hand, HandTracker
from .smoothing import Smoother
from .speller import Commit, Speller


@dataclass
class Located:
    frame: Frame
    hand: Hand | None
    crop: HandCrop | None
    timings: dict = field(default_factory=dict)  # milliseconds per stage


@dataclass
class Reading:
    frame_index: int
    t: float  # media time, seconds
    hand: Hand | None
    crop_box: tuple[int, int, int, int] | None
    raw_letter: str | None  # this frame's argmax
    raw_confidence: float
    letter: str | None  # smoothed, steady letter (None when unsure or no hand)
    confidence: float
    top3: list[tuple[str, float]]
    hold: float  # 0..1 hold progress of the candidate letter
    committed: str | None  # the symbol the speller committed on this frame
    text: str  # the transcript so far
    timings: dict
    latency_ms: float  # from frame capture to this reading
    probs: np.ndarray | None = None  # this frame's full probability vector (None: no hand)
    suggestions: list[str] = field(default_factory=list)  # up to 3 words for the word being spelled

    def to_json(self) -> dict:
        return {"frame": self.frame_index, "t": round(self.t, 3), "hand": self.hand is not None,
                "handedness": self.hand.handedness if self.hand else None,
                "letter": self.letter, "confidence": round(self.confidence, 4),
                "raw_letter": self.raw_letter, "raw_confidence": round(self.raw_confidence, 4),
                "committed": self.committed, "text": self.text}

    def to_dump(self) -> dict:
        """`to_json` plus what an offline decoder needs: every probability and the 21 landmarks."""
        row = self.to_json()
        row["probs"] = [round(float(p), 5) for p in self.probs] if self.probs is not None else None
        row["landmarks"] = np.round(self.hand.landmarks, 2).tolist() if self.hand else None
        return row


class Recognizer:
    def __init__(self, classifier: LetterClassifier, tracker: HandTracker, config: Config):
        self.classifier = classifier
        self.tracker = tracker
        self.config = config
        self.labels = classifier.info.labels
        self.smoother = Smoother(self.labels, config.smoothing)
        self.speller = Speller(config.spelling, self.labels)
        self._suggested: tuple[str, list[str]] = ("", [])  # for which text, which words

    def suggestions(self) -> list[str]:
        """Suggestions for the current word, worked out again only when the text changes."""
        if not self.config.suggestions:
            return []
        text = self.speller.text
        if text != self._suggested[0]:
            from .words import shared_suggester
            self._suggested = (text, shared_suggester().for_speller(self.speller))
        return self._suggested[1]

    def locate(self, frame: Frame) -> Located:
        t0 = time.perf_counter()
        hands = self.tracker.track(frame.image)
        t1 = time.perf_counter()
        hand = hands[0] if hands else None
        crop = crop_hand(frame.image, hand, self.classifier.info.input_size,
                         self.classifier.info.crop_margin) if hand else None
        t2 = time.perf_counter()
        return Located(frame, hand, crop, {"landmarks": (t1 - t0) * 1e3, "crop": (t2 - t1) * 1e3})

    def classify(self, located: list[Located]) -> list[np.ndarray | None]:
        """One model call for all crops of the given frames."""
        with_crop = [x for x in located if x.crop is not None]
        t0 = time.perf_counter()
        probs = self.classifier.predict_batch(np.stack([x.crop.image for x in with_crop]),
                                              np.stack([x.crop.landmarks for x in with_crop]),
                                              [x.hand.handedness for x in with_crop]) if with_crop else []
        ms = (time.perf_counter() - t0) * 1e3
        it = iter(probs)
        out = []
        for x in located:
            x.timings["classify"] = ms / max(len(with_crop), 1) if x.crop is not None else 0.0
            out.append(next(it) if x.crop is not None else None)
        return out

    def interpret(self, located: Located, probs: np.ndarray | None) -> Reading:
        frame, hand = located.frame, located.hand
        t = frame.t_media
        letter, conf = self.smoother.update(probs, t)
        commit: Commit | None = self.speller.update(t, probs, hand.landmarks if hand else None)
        if probs is not None:
            order = np.argsort(probs)[::-1][:3]
            top3 = [(self.labels[i], float(probs[i])) for i in order]
            raw, raw_conf = top3[0]
        else:
            top3, raw, raw_conf = [], None, 0.0
        now = time.perf_counter()
        return Reading(frame.index, t, hand, located.crop.box if located.crop else None, raw, raw_conf,
                       letter, conf, top3, self.speller.hold_progress(t), commit.symbol if commit else None,
                       self.speller.transcript, located.timings, (now - frame.t_capture) * 1e3, probs,
                       self.suggestions())

    def process(self, frame: Frame) -> Reading:
        located = self.locate(frame)
        (probs,) = self.classify([located])
        return self.interpret(located, probs)

    def reset(self) -> None:
        self.smoother.reset()
        self.speller = Speller(self.config.spelling, self.labels)
