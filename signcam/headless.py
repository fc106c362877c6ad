"""The recognizer and the recorder run headless over sources: `signcam read` and `signcam record`."""
from __future__ import annotations

import json
from typing import Callable, Iterable, TextIO

from .config import Config
from .datasets.recorder import Recorder, normalize_label
from .errors import ModelError, SourceError
from .letters.bundled import bundled_landmark_model
from .letters.classifier import LetterClassifier
from .pipeline import Reading, Recognizer
from .spelling.speller import Speller
from .vision.frames import ImageFolderSource, open_source
from .vision.hands import HandTracker, MediaPipeHandTracker, landmark_model_file
from .vision.landmark_tracker import LandmarkModelTracker


def make_tracker(config: Config, video: bool = True) -> HandTracker:
    """Photos: MediaPipe detects afresh in each. Video: one hand is followed by running
    MediaPipe's landmark model directly (signcam/vision/landmark_tracker.py: the same landmarks for
    less CPU), in its bundled int8 export while that matches the installed MediaPipe;
    MediaPipe's video mode where that cannot be used (several hands)."""
    t = config.tracker

    def mediapipe(video_mode: bool) -> MediaPipeHandTracker:
        return MediaPipeHandTracker(video=video_mode, max_hands=t.max_hands, min_detection=t.min_detection,
                                    min_tracking=t.min_tracking, model_complexity=t.model_complexity)

    model = landmark_model_file(t.model_complexity) if video and t.max_hands == 1 and t.direct_landmarks else None
    if model is None:
        return mediapipe(video)
    int8 = bundled_landmark_model(model) if t.int8_landmarks and t.model_complexity == 1 else None
    finder = mediapipe(False)
    if int8 is not None:
        try:
            return LandmarkModelTracker(finder, int8, min_presence=t.min_tracking)
        except ModelError:  # a damaged bundled file: MediaPipe's own model still works
            pass
    try:
        return LandmarkModelTracker(finder, model, min_presence=t.min_tracking)
    except ModelError:
        finder.close()
        raise


def read_source(spec: str, classifier: LetterClassifier, config: Config,
                on_reading: Callable[[Reading], None] | None = None) -> str:
    """Run one source to its end; returns the transcript."""
    return read_speller(spec, classifier, config, on_reading).transcript


def read_speller(spec: str, classifier: LetterClassifier, config: Config,
                 on_reading: Callable[[Reading], None] | None = None) -> Speller:
    """Run one source to its end; returns its speller (text, and the evidence for suggestions)."""
    source = open_source(spec)
    # Photos in a folder are unrelated stills: detect afresh in each instead of tracking.
    with make_tracker(config, video=not isinstance(source, ImageFolderSource)) as tracker, source:
        recognizer = Recognizer(classifier, tracker, config)
        frames = 0
        try:
            for frame in source:
                reading = recognizer.process(frame)
                frames += 1
                if on_reading:
                    on_reading(reading)
        except SourceError as exc:  # a camera unplugged mid-run: say what was read before it went
            raise SourceError(f"{exc}, after {frames} frame(s); read until then: "
                              f"{recognizer.speller.transcript!r}") from None
        return recognizer.speller


def read_sources(specs: Iterable[str], classifier: LetterClassifier, config: Config, out: TextIO,
                 jsonl: TextIO | None = None, full: bool = False, words: bool = False) -> dict[str, str]:
    """Print `SOURCE<TAB>TRANSCRIPT` per source (with --words, a third column: each word replaced
    by its best suggestion)."""
    results = {}
    for spec in specs:
        def write_json(reading: Reading, spec=spec) -> None:
            row = reading.to_dump() if full else reading.to_json()
            jsonl.write(json.dumps({"source": spec, **row}) + "\n")

        speller = read_speller(spec, classifier, config, write_json if jsonl else None)
        results[spec] = speller.transcript
        line = f"{spec}\t{results[spec]}"
        if words:
            from .spelling.words import shared_suggester
            line += f"\t{shared_suggester().corrected(speller)}"
        out.write(line + "\n")
        out.flush()
    return results


def record_source(spec: str, recorder: Recorder, label: str, config: Config, max_images: int | None = None,
                  log: Callable[[str], None] | None = None) -> int:
    """`signcam record`: save frames of one source that show a hand, as `label`. Returns how many."""
    label = normalize_label(label)  # refused before the source is opened
    saved = 0
    source = open_source(spec)
    with make_tracker(config, video=not isinstance(source, ImageFolderSource)) as tracker, source:
        for frame in source:
            hands = tracker.track(frame.image)
            result = recorder.offer(frame, hands[0] if hands else None, label)
            if result is not None:
                saved += 1
                if log:
                    log(f"{saved:5d}  {result.path.relative_to(recorder.root.resolve())}")
                if max_images and saved >= max_images:
                    break
    return saved
