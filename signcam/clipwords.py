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

import cv2

from .classifier import LetterClassifier
from .config import Config
from .errors import SourceError
from .headless import read_source, read_speller

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


def read_clip(path: Path, letter: str, classifier: LetterClassifier, config: Config) -> ClipReading:
    readings = []
    transcript = read_source(str(path), classifier, config, readings.append)
    middle = readings[len(readings) // 4:3 * len(readings) // 4]
    seen = [r.raw_letter for r in middle if r.hand is not None]
    return ClipReading(transcript, sum(x == letter for x in seen) / len(seen) if seen else None)


def letter_readings(folder: Path | str, classifier: LetterClassifier, config: Config | None = None
                    ) -> dict[str, ClipReading]:
    """{letter: its clip's reading} for every clip of the set."""
    config = config or Config()
    return {letter: read_clip(path, letter, classifier, config) for letter, path in clip_set(folder).items()}


def word_results(folder: Path | str, classifier: LetterClassifier, words=DEFAULT_WORDS, cut: float | None = None,
                 config: Config | None = None) -> list[WordResult]:
    """Read each word made of the set's clips (words with a letter the set lacks are left out)."""
    from .words import shared_suggester

    config = config or Config()
    clips = clip_set(folder)
    out = []
    with tempfile.TemporaryDirectory(prefix="signcam-words-") as tmp:
        for word in words:
            word = word.upper()
            if not all(c in clips for c in word):
                continue
            video = join([clips[c] for c in word], Path(tmp) / f"{word}.mp4", cut)
            speller = read_speller(str(video), classifier, config)
            best = shared_suggester().for_speller(speller, k=1)
            out.append(WordResult(word, speller.transcript, best[0] if best else ""))
    return out
