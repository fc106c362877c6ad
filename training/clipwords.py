"""Words made from one-letter clips: whole clips joined, or each cut to its middle, as a fast signer.

A clip set is a folder of `<LETTER>.mp4` clips of one signer. `letter_readings` reads every clip
(did it read exactly its letter, and how many of its middle frames read as it?); `word_results` joins the clips of a word's letters into one
video (whole, or each cut to its middle `cut` seconds: about the 0.2-0.5 s a fluent signer shows
a letter) and reads it, giving (word, transcript, best suggestion). Made for the tests and for
the scoreboard (`signcam-train scoreboard`), with any model.
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import cv2

from signcam.letters.classifier import LetterClassifier
from signcam.config import Config
from signcam.errors import SourceError
from signcam.headless import read_source, read_speller
from signcam.pipeline import Reading

# Called with a source key ("<set>/clip/<L>", "<set>/word/<WORD>", "<set>/cut/<WORD>") and each
# frame's reading: how the scoreboard writes a frame dump that the speller can be replayed over.
ReadingSink = Callable[[str, Reading], None]

# Words of up to three of each set's letters' clips; HELLO has the doubled letter.
DEFAULT_WORDS = ("HELLO", "HI", "YES", "NO", "THANK", "YOU", "PLEASE", "HELP", "NAME", "WATER",
                 "FOOD", "GOOD", "BAD", "FRIEND", "LOVE", "MOTHER", "FATHER", "SIGN", "WORD", "CAMERA")


@dataclass
class WordResult:
    word: str
    transcript: str
    suggested: str  # the best suggestion for the transcript's last word ("" without one)

    @property
    def exact(self) -> bool:
        return self.transcript == self.word

    @property
    def exact_suggested(self) -> bool:
        return self.exact or self.suggested == self.word


def clip_set(folder: Path | str) -> dict[str, Path]:
    """{letter: clip} of a folder of `<LETTER>.mp4` clips."""
    folder = Path(folder)
    clips = {p.stem.upper(): p for p in sorted(folder.glob("*.mp4")) if len(p.stem) == 1 and p.stem.isalpha()}
    if not clips:
        raise SourceError(f"no <LETTER>.mp4 clips in {folder}")
    return clips


def read_frames(path: Path, cut: float | None = None) -> tuple[list, float]:
    """The clip's frames (all, or its middle `cut` seconds) and its frame rate."""
    cap = cv2.VideoCapture(str(path))
    if not cap.isOpened():
        raise SourceError(f"cannot open {path}")
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    frames = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
    cap.release()
    if cut is not None and frames:
        keep = max(1, int(round(cut * fps)))
        start = max(0, (len(frames) - keep) // 2)
        frames = frames[start:start + keep]
    return frames, fps


def join(paths: list[Path], out_path: Path, cut: float | None = None) -> Path:
    """One video of the clips (or their middles) played one after another, at the first clip's size."""
    writer = None
    for path in paths:
        frames, fps = read_frames(path, cut)
        for frame in frames:
            if writer is None:
                h, w = frame.shape[:2]
                size = (w, h)
                writer = cv2.VideoWriter(str(out_path), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
            if (frame.shape[1], frame.shape[0]) != size:
                frame = cv2.resize(frame, size)
            writer.write(frame)
    if writer is None:
        raise SourceError(f"no frames to join from {', '.join(map(str, paths))}")
    writer.release()
    return out_path


@dataclass
class ClipReading:
    transcript: str
    # Of the frames in the clip's middle half where a hand was found, the share whose own reading
    # (the model's argmax, before smoothing and spelling) is the clip's letter; None without a hand.
    # Less coarse than exact-or-not: it moves with every frame the model reads, not only with words.
    middle_share: float | None


def middle_share(raw_letters: list[str | None], letter: str) -> float | None:
    """Of the frames in the middle half that show a hand (a raw letter), the share read as `letter`."""
    middle = raw_letters[len(raw_letters) // 4:3 * len(raw_letters) // 4]
    seen = [x for x in middle if x is not None]
    return sum(x == letter for x in seen) / len(seen) if seen else None


def read_clip(path: Path, letter: str, classifier: LetterClassifier, config: Config,
              on_reading: Callable[[Reading], None] | None = None) -> ClipReading:
    readings = []

    def keep(reading: Reading) -> None:
        readings.append(reading)
        if on_reading:
            on_reading(reading)

    transcript = read_source(str(path), classifier, config, keep)
    return ClipReading(transcript, middle_share([r.raw_letter if r.hand is not None else None for r in readings],
                                                letter))


def letter_readings(folder: Path | str, classifier: LetterClassifier, config: Config | None = None,
                    sink: ReadingSink | None = None) -> dict[str, ClipReading]:
    """{letter: its clip's reading} for every clip of the set."""
    config, folder = config or Config(), Path(folder)
    return {letter: read_clip(path, letter, classifier, config, _keyed(sink, f"{folder.name}/clip/{letter}"))
            for letter, path in clip_set(folder).items()}


def _keyed(sink: ReadingSink | None, key: str) -> Callable[[Reading], None] | None:
    return (lambda reading: sink(key, reading)) if sink else None


def word_results(folder: Path | str, classifier: LetterClassifier, words=DEFAULT_WORDS, cut: float | None = None,
                 config: Config | None = None, sink: ReadingSink | None = None) -> list[WordResult]:
    """Read each word made of the set's clips (words with a letter the set lacks are left out)."""
    config, folder = config or Config(), Path(folder)
    clips = clip_set(folder)
    out = []
    with tempfile.TemporaryDirectory(prefix="signcam-words-") as tmp:
        for word in words:
            word = word.upper()
            if not all(c in clips for c in word):
                continue
            video = join([clips[c] for c in word], Path(tmp) / f"{word}.mp4", cut)
            key = f"{folder.name}/{'word' if cut is None else 'cut'}/{word}"
            out.append(word_result(word, read_speller(str(video), classifier, config, _keyed(sink, key))))
    return out


def word_result(word: str, speller) -> WordResult:
    """The word as read by a speller that has seen its video, with the best suggestion."""
    from signcam.spelling.words import shared_suggester

    best = shared_suggester().for_speller(speller, k=1)
    return WordResult(word, speller.transcript, best[0] if best else "")
