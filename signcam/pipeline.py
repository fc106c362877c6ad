"""One frame through the whole recognizer: landmarks -> crop -> letter -> smoothing -> spelling.

Split into `locate` (tracker + crop) and `interpret` (smoother + speller) around
the classifier call, so a worker can batch the crops of several frames or hands
into one model call.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from .config import Config
from .letters.classifier import LetterClassifier, on_gpu
from .spelling.motion import hand_geometry
from .spelling.smoothing import Smoother
from .spelling.speller import Commit, Speller
from .vision.crop import HandCrop, crop_hand, square_box
from .vision.frames import Frame
from .vision.hands import Hand, HandTracker


@dataclass
class Located:
    frame: Frame
    hand: Hand | None
    box: tuple[int, int, int, int] | None  # the square the classifier sees, known from the landmarks
    timings: dict = field(default_factory=dict)  # milliseconds per stage
    crop: HandCrop | None = None  # cut out only when the frame goes through the model


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


@dataclass(eq=False)
class _Classified:
    """The hand of the frame that went through the model last, and the result later frames may take."""
    landmarks: np.ndarray
    handedness: str
    probs: np.ndarray | None = None  # filled in once the model call returns
    taken: int = 0  # later frames that took this result


def _moved(a: np.ndarray, b: np.ndarray) -> float:
    """Mean distance between two hands' landmarks, in sizes of the first hand."""
    return float(np.linalg.norm(b[:, :2] - a[:, :2], axis=1).mean()) / hand_geometry(a)[1]


class Recognizer:
    def __init__(self, classifier: LetterClassifier, tracker: HandTracker, config: Config):
        self.classifier = classifier
        self.tracker = tracker
        self.config = config
        self.labels = classifier.info.labels
        self.smoother = Smoother(self.labels, config.smoothing)
        self.speller = Speller(config.spelling, self.labels)
        self._suggested: tuple[str, list[str]] = ("", [])  # for which text, which words
        self._classified: _Classified | None = None
        self.model_inputs = 0  # crops sent through the model
        self.reused = 0  # crops that took a still hand's earlier result instead

    def suggestions(self) -> list[str]:
        """Suggestions for the current word, worked out again only when the text changes."""
        if not self.config.suggestions:
            return []
        text = self.speller.text
        if text != self._suggested[0]:
            from .spelling.words import shared_suggester
            self._suggested = (text, shared_suggester().for_speller(self.speller))
        return self._suggested[1]

    def locate(self, frame: Frame) -> Located:
        t0 = time.perf_counter()
        hands = self.tracker.track(frame.image)
        t1 = time.perf_counter()
        hand = hands[0] if hands else None
        box = square_box(hand, self.classifier.info.crop_margin) if hand else None
        return Located(frame, hand, box, {"landmarks": (t1 - t0) * 1e3})

    def cropped(self, located: Located) -> HandCrop:
        """The model's view of the hand (cut out once, on the first call)."""
        if located.crop is None:
            t0 = time.perf_counter()
            located.crop = crop_hand(located.frame.image, located.hand, self.classifier.info.input_size,
                                     self.classifier.info.crop_margin)
            located.timings["crop"] = (time.perf_counter() - t0) * 1e3
        return located.crop

    def classify(self, located: list[Located]) -> list[np.ndarray | None]:
        """One model call for the crops of the given frames (in frame order) that need one.

        A hand that has hardly moved since the last frame classified takes that frame's result, if
        the model was sure of it (config.reuse): a still, clear hold costs tracking only. Any frame
        without a hand ends the run. (A frame of the same batch may take a result still to come.)
        On a GPU every crop is classified: the shortcut saves CPU, which a GPU does not need.
        """
        reuse = self.config.reuse
        reusing = not on_gpu(self.classifier)
        sources: list[_Classified | None] = []  # per frame: whose result it takes
        to_call: list[tuple[Located, _Classified]] = []
        for x in located:
            if x.hand is None:
                self._classified = None
                sources.append(None)
                continue
            last = self._classified
            if (reusing and last is not None and last.taken < reuse.max_frames and last.handedness == x.hand.handedness
                    and (last.probs is None or last.probs.max() >= reuse.min_confidence)
                    and _moved(last.landmarks, x.hand.landmarks) < reuse.max_motion):
                last.taken += 1
                self.reused += 1
                x.timings["classify"] = 0.0
            else:
                last = self._classified = _Classified(x.hand.landmarks, x.hand.handedness)
                to_call.append((x, last))
            sources.append(last)
        if to_call:
            frames = [x for x, _ in to_call]
            crops = [self.cropped(x) for x in frames]
            t0 = time.perf_counter()
            probs = self.classifier.predict_batch(np.stack([c.image for c in crops]),
                                                  np.stack([c.landmarks for c in crops]),
                                                  [x.hand.handedness for x in frames])
            ms = (time.perf_counter() - t0) * 1e3
            self.model_inputs += len(frames)
            for (x, source), p in zip(to_call, probs):
                source.probs = p
                x.timings["classify"] = ms / len(frames)
        return [source.probs if source is not None else None for source in sources]

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
        return Reading(frame.index, t, hand, located.box, raw, raw_conf,
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
