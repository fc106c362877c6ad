"""The scoreboard's clip and word rows again from a frame dump, with the speller's settings changed.

Tracking and classifying the 78 clips and the joined words takes minutes; decoding their frames
again takes seconds. So a speller change is measured over every clip and word at once, on the
same frames: `signcam-train scoreboard --dump FILE` writes the frames once, then
`signcam-train respell FILE --set motion.still_fingers=0.4` prints the rows that setting gives.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from .clipwords import ClipReading, middle_share, word_result
from signcam.config import SpellingConfig
from signcam.errors import DatasetError
from signcam.spelling.replay import decode, load_dump

from .scoreboard import clip_entry, fast_entry, joined_entry, with_clip_total

KINDS = ("clip", "word", "cut")


def spelling_with(overrides: list[str]) -> SpellingConfig:
    """SpellingConfig with `key=value` settings (`hold_time=0.4`, `motion.still_fingers=0.4`)."""
    config = SpellingConfig()
    for item in overrides:
        key, sep, text = item.partition("=")
        *path, name = key.strip().split(".")
        target = config
        for part in path:
            target = getattr(target, part, None)
        if not sep or not dataclasses.is_dataclass(target) or name not in {f.name for f in dataclasses.fields(target)}:
            raise DatasetError(f"no spelling setting {key!r} (e.g. hold_time=0.4, motion.still_fingers=0.4)")
        current = getattr(target, name)
        if not isinstance(current, (int, float)) or isinstance(current, bool):
            raise DatasetError(f"{key} is not a number setting")
        try:
            setattr(target, name, type(current)(text))
        except ValueError:
            raise DatasetError(f"{key}: {text!r} is not a {type(current).__name__}") from None
    return config


def respell(dump: Path, labels: list[str], spelling: SpellingConfig) -> dict:
    """The scoreboard's `clips`, `words` and `fast_words` for every source of the dump."""
    sources = load_dump(dump)
    clips: dict[str, dict[str, ClipReading]] = {}
    joined, cuts = {}, {}
    for source, frames in sources.items():
        set_name, kind, name = _parse(source, dump)
        if any(f.probs is not None and len(f.probs) != len(labels) for f in frames):
            raise DatasetError(f"{dump}: {source} has not {len(labels)} probabilities a frame; "
                               "pass the --model that wrote the dump")
        speller = decode(frames, labels, spelling)
        if kind == "clip":
            raw = [labels[int(np.argmax(f.probs))] if f.probs is not None else None for f in frames]
            clips.setdefault(set_name, {})[name] = ClipReading(speller.transcript, middle_share(raw, name))
        elif kind == "word":
            joined[f"{name} ({set_name})"] = joined_entry(word_result(name, speller), set_name)
        else:
            cuts.setdefault(set_name, []).append(word_result(name, speller))
    result = {"photos": {}, "clips": {s: clip_entry(r, spelling.motion_letters) for s, r in clips.items()},
              "words": joined, "fast_words": {s: fast_entry(c) for s, c in cuts.items()}}
    return with_clip_total(result)


def _parse(source: str, dump: Path) -> tuple[str, str, str]:
    parts = source.split("/")
    if len(parts) != 3 or parts[1] not in KINDS:
        raise DatasetError(f"{dump}: source {source!r} is not <set>/clip|word|cut/<name>: "
                           "write the dump with `signcam-train scoreboard --dump FILE`")
    return parts[0], parts[1], parts[2]
