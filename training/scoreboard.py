"""Every fixed measure of reading people the model never saw, in one run and one table.

- photo sets: accuracy over found hands and hands found (the app's own detect-and-crop path);
- clip sets: clips whose transcript is exactly their letter, with the wrong transcripts;
- joined words: letter clips of one signer played one after the other, read as one video.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from signcam.config import Config
from signcam.errors import DatasetError
from signcam.headless import read_source

from .clipsets import clip_sets, join_clips
from .evaluate import evaluate_dir

PHOTO_SETS = ("keptsecret-test", "roboflow-train")
# Words chosen before any was read: HELLO has the doubled letter; the others are common words
# from different parts of the alphabet.
WORDS = {"teal-signer": ("HELLO",), "cream-wall": ("NAME", "HELP", "YES")}


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


def score_clips(classifier, videos: Path, config: Config, log=print) -> dict:
    results = {}
    for name, clips in clip_sets(videos).items():
        got = {clip.stem: read_source(str(clip), classifier, config) for clip in clips}
        wrong = {letter: text for letter, text in got.items() if text != letter}
        results[name] = {"exact": len(got) - len(wrong), "clips": len(got), "wrong": wrong}
        log(f"{name}: {len(got) - len(wrong)} of {len(got)} clips exact")
    return results


def score_words(classifier, videos: Path, config: Config, log=print) -> dict:
    results = {}
    with tempfile.TemporaryDirectory(prefix="signcam-words-") as tmp:
        for set_name, words in WORDS.items():
            for word in words:
                clips = [videos / set_name / f"{letter}.mp4" for letter in word]
                if not all(c.is_file() for c in clips):
                    log(f"{word} ({set_name}): clips missing, skipped")
                    continue
                joined = join_clips(clips, Path(tmp) / f"{set_name}-{word}.mp4")
                text = read_source(str(joined), classifier, config)
                results[f"{word} ({set_name})"] = {"word": word, "set": set_name, "read": text, "exact": text == word}
                log(f"{word} ({set_name}): read {text!r}")
    return results


def scoreboard(classifier, data: Path, config: Config | None = None, log=print) -> dict:
    config = config or Config()
    videos = data / "videos"
    result = {"model": str(classifier.path), "photos": score_photos(classifier, data / "letters", log)}
    result["clips"] = score_clips(classifier, videos, config, log) if videos.is_dir() else {}
    result["words"] = score_words(classifier, videos, config, log) if videos.is_dir() else {}
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
    for name, r in result["words"].items():
        rows.append((f"word {name}", "exact" if r["exact"] else "wrong", f"read {r['read'] or '(nothing)'!r}"))
    w0, w1 = max(len(r[0]) for r in rows), max(len(r[1]) for r in rows)
    return [f"{a:<{w0}}  {b:>{w1}}  {c}" for a, b, c in rows]
