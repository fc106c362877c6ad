"""Every fixed measure of reading people the model never saw, in one run and one table.

- photo sets: accuracy over found hands and hands found (the app's own detect-and-crop path);
- clip sets: clips whose transcript is exactly their letter, with the wrong transcripts, and the share
  of frames in each still letter's clip (its middle half) that the model reads as the letter;
- joined words: letter clips of one signer played one after the other, read as one video;
- fast pace: words joined from each clip's middle 0.5 s (a fluent signer), raw and after the best suggestion.
"""
from __future__ import annotations

import os
from pathlib import Path

from .clipwords import (DEFAULT_WORDS, ClipReading, ReadingSink, WordResult, clip_set, letter_readings,
                               word_results)
from signcam.config import Config
from signcam.errors import DatasetError

from .evaluate import evaluate_dir

PHOTO_SETS = ("keptsecret-test", "roboflow-train")
# Words chosen before any was read: HELLO has the doubled letter; the others are common words
# from different parts of the alphabet.
WORDS = {"teal-signer": ("HELLO",), "cream-wall": ("NAME", "HELP", "YES")}
FAST_CUT = 0.5  # seconds kept from the middle of each letter's clip


def shared_data_dir(explicit: Path | None = None) -> Path:
    """--data DIR, else $SIGNCAM_SHARED/data, else ../shared/data beside the project root (as the tests)."""
    if explicit is not None:
        path = explicit
    elif os.environ.get("SIGNCAM_SHARED"):
        path = Path(os.environ["SIGNCAM_SHARED"]) / "data"
    else:
        path = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
    if not (path / "letters").is_dir() and not (path / "videos").is_dir():
        raise DatasetError(f"no shared data at {path} (expected letters/ and videos/; pass --data DIR)")
    return path


def clip_folders(videos: Path) -> list[Path]:
    return [d for d in sorted(videos.iterdir()) if d.is_dir() and any(d.glob("*.mp4"))] if videos.is_dir() else []


def score_photos(classifier, letters: Path, log=print) -> dict:
    results = {}
    for name in PHOTO_SETS:
        if not (letters / name).is_dir():
            log(f"{name}: not found in {letters}, skipped")
            continue
        r = evaluate_dir(classifier, letters / name)
        results[name] = {"accuracy": r["accuracy"], "detected": r["detected"], "images": r["images"],
                         "per_class_recall": {c: m["recall"] for c, m in r["per_class"].items() if m["support"]}}
        log(f"{name}: {r['accuracy']:.4f} over {r['detected']} of {r['images']} hands found")
    return results


def score_clips(classifier, folders: list[Path], config: Config, log=print, sink: ReadingSink | None = None) -> dict:
    results = {}
    for folder in folders:
        results[folder.name] = clip_entry(letter_readings(folder, classifier, config, sink),
                                         config.spelling.motion_letters)
        log(f"{folder.name}: {results[folder.name]['exact']} of {results[folder.name]['clips']} clips exact")
    return results


def clip_entry(readings: dict[str, ClipReading], motion_letters) -> dict:
    """One clip set's row: exact clips, the wrong transcripts, and the still letters' frame shares."""
    got = {letter: r.transcript for letter, r in readings.items()}
    wrong = {letter: text for letter, text in got.items() if text != letter}
    # J and Z are read from their motion, not from any one frame, so their frames are not counted.
    shares = {letter: r.middle_share for letter, r in readings.items()
              if letter not in motion_letters and r.middle_share is not None}
    return {"exact": len(got) - len(wrong), "clips": len(got), "wrong": wrong,
            "frames": sum(shares.values()) / len(shares) if shares else None,
            "frames_per_letter": {k: round(v, 4) for k, v in shares.items()}}


def joined_entry(r: WordResult, set_name: str) -> dict:
    return {"word": r.word, "set": set_name, "read": r.transcript, "exact": r.exact}


def fast_entry(cuts: list[WordResult]) -> dict:
    return {"words": len(cuts), "exact": sum(r.exact for r in cuts),
            "exact_after_suggestion": sum(r.exact_suggested for r in cuts),
            "read": {r.word: [r.transcript, r.suggested] for r in cuts}}


def score_words(classifier, folders: list[Path], config: Config, log=print, sink: ReadingSink | None = None) -> dict:
    """The fixed words from whole clips, and every listed word from 0.5 s cuts of each set."""
    joined, fast = {}, {}
    for folder in folders:
        words = WORDS.get(folder.name, ())
        have = set(clip_set(folder))
        for word in words:
            if not set(word) <= have:
                log(f"{word} ({folder.name}): clips missing, skipped")
        for r in word_results(folder, classifier, words, None, config, sink):
            joined[f"{r.word} ({folder.name})"] = joined_entry(r, folder.name)
            log(f"{r.word} ({folder.name}): read {r.transcript!r}")
        cuts = word_results(folder, classifier, DEFAULT_WORDS, FAST_CUT, config, sink)
        if cuts:
            fast[folder.name] = fast_entry(cuts)
            log(f"{folder.name} {FAST_CUT:g} s cuts: {fast[folder.name]['exact']} of {len(cuts)} words exact")
    return {"joined": joined, "fast": fast}


def scoreboard(classifier, data: Path, config: Config | None = None, log=print,
               sink: ReadingSink | None = None) -> dict:
    """`sink`: given every clip and word video's frames (see clipwords.ReadingSink), e.g. to write a
    frame dump that `signcam-train respell` replays the speller over."""
    config = config or Config()
    folders = clip_folders(data / "videos")
    result = {"model": str(classifier.path), "photos": score_photos(classifier, data / "letters", log),
              "clips": score_clips(classifier, folders, config, log, sink)}
    words = score_words(classifier, folders, config, log, sink)
    result["words"], result["fast_words"] = words["joined"], words["fast"]
    return with_clip_total(result)


def with_clip_total(result: dict) -> dict:
    clips = result["clips"].values()
    result["clips_total"] = {"exact": sum(c["exact"] for c in clips), "clips": sum(c["clips"] for c in clips)}
    return result


def table_lines(result: dict) -> list[str]:
    rows = [("measure", "result", "details")]
    for name, r in result["photos"].items():
        rows.append((name, f"{r['accuracy']:.4f}", f"over found hands; hands found {r['detected']} of {r['images']}"))
    for name, r in result["clips"].items():
        wrong = ", ".join(f"{k}->{v or '(nothing)'}" for k, v in r["wrong"].items()) or "-"
        rows.append((f"{name} clips", f"{r['exact']}/{r['clips']}", f"wrong: {wrong}"))
    if result["clips"]:
        t = result["clips_total"]
        rows.append(("all clips", f"{t['exact']}/{t['clips']}", "exact"))
    for name, r in result["clips"].items():
        if r.get("frames") is not None:
            rows.append((f"{name} frames", f"{r['frames']:.3f}",
                         "of a still letter's clip (middle half) read as the letter, mean over clips"))
    for name, r in result["words"].items():
        rows.append((f"word {name}", "exact" if r["exact"] else "wrong", f"read {r['read'] or '(nothing)'!r}"))
    for name, r in result["fast_words"].items():
        rows.append((f"{name} {FAST_CUT:g} s cuts", f"{r['exact']}/{r['words']}",
                     f"words exact; {r['exact_after_suggestion']}/{r['words']} after the best suggestion"))
    w0, w1 = max(len(r[0]) for r in rows), max(len(r[1]) for r in rows)
    return [f"{a:<{w0}}  {b:>{w1}}  {c}" for a, b, c in rows]
