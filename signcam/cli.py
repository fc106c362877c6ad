"""`signcam`: the app (a window by default) and its headless commands."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .config import Config
from .errors import run_command
from .quiet import add_verbose_option, set_up_console


def cmd_read(args) -> int:
    from .letters.classifier import load_classifier
    from .headless import read_sources

    config = Config(model=args.model)
    classifier = load_classifier(config.model)
    jsonl = open(args.jsonl, "w") if args.jsonl else None
    try:
        read_sources(args.sources, classifier, config, sys.stdout, jsonl, full=args.full, words=args.words)
    finally:
        if jsonl:
            jsonl.close()
    return 0


def cmd_bench(args) -> int:
    from .live.bench import bench

    from .live.soak import Timeline

    timeline = Timeline(args.timeline, args.sample_every, args.plot) if args.timeline else None
    bench(args.sources, Config(model=args.model), args.json, args.baseline, args.realtime, args.loop,
          timeline=timeline)
    return 0


def cmd_record(args) -> int:
    from .headless import record_source
    from .datasets.recorder import Recorder, label_counts, normalize_label, skip_notes

    label = normalize_label(args.label)
    with Recorder(args.out, args.signer, args.rate) as recorder:
        for note in skip_notes(recorder.root, recorder.manifest_skipped):
            print(f"signcam: warning: {note}", file=sys.stderr)
        log = (lambda line: print(line, flush=True)) if args.verbose else None
        try:
            saved = record_source(args.source, recorder, label, Config(), args.max, log)
        finally:  # also when interrupted: say what is on disk
            total = label_counts(recorder.root)[label]
            print(f"recorded {recorder.session_counts[label]} frame(s) of {label} in session {recorder.session}"
                  f" ({total} in {recorder.root / label}); {recorder.skipped_same} repeated frame(s) skipped",
                  flush=True)
    return 0 if saved or args.allow_empty else 1


def cmd_window(args) -> int:
    from .app import run_app

    return run_app(source=args.source, model=args.model)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="signcam", description="Read ASL fingerspelling from a camera or video.")
    parser.add_argument("--source", help="camera index, video file or stream URL for the window (default: saved camera)")
    parser.add_argument("--model", type=Path, help="model file (.keras or .tflite) for the window")
    parser.set_defaults(func=cmd_window)
    sub = parser.add_subparsers(dest="command")
    p = sub.add_parser("read", help="run the recognizer headless and print each source's transcript")
    p.add_argument("sources", nargs="+", metavar="SOURCE", help="video file, image folder or camera index")
    p.add_argument("--model", type=Path, help="model file (.keras or .tflite); default: the bundled model")
    p.add_argument("--jsonl", type=Path, help="write one JSON object per frame to this file")
    p.add_argument("--full", action="store_true",
                   help="with --jsonl: also every probability and the 21 landmarks per frame (to replay offline)")
    p.add_argument("--words", action="store_true",
                   help="also print the transcript with each word replaced by its best suggestion")
    p.set_defaults(func=cmd_read)
    p = sub.add_parser("bench", help="measure the live pipeline's speed, latency and memory on video files")
    p.add_argument("sources", nargs="+", metavar="SOURCE", help="video files")
    p.add_argument("--model", type=Path, help="model file (.keras or .tflite); default: the bundled model")
    p.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    p.add_argument("--baseline", action="store_true",
                   help="also run the one-thread model.predict()-per-frame loop and print the speed-up")
    p.add_argument("--realtime", action="store_true", help="feed frames at the clip's frame rate, as a camera")
    p.add_argument("--loop", type=float, default=0.0, metavar="SECONDS",
                   help="repeat the sources for this long (to see whether memory stays flat)")
    p.add_argument("--timeline", type=Path, metavar="JSON",
                   help="sample RSS, CPU per frame, latency p95 and queue sizes during the run into this file")
    p.add_argument("--sample-every", type=float, default=60.0, metavar="SECONDS",
                   help="with --timeline: seconds between samples (default 60)")
    p.add_argument("--plot", type=Path, metavar="PNG", help="with --timeline: also plot the samples")
    p.set_defaults(func=cmd_bench)
    p = sub.add_parser("record", help="save labelled frames that show a hand into a folder-per-class dataset")
    p.add_argument("--label", required=True, help="the letter being signed: A-Z, del, nothing or space")
    p.add_argument("--source", required=True, help="camera index, video file or image folder")
    p.add_argument("--out", required=True, type=Path, metavar="DATASET_DIR",
                   help="dataset folder: images go to DATASET_DIR/<LABEL>/, with DATASET_DIR/manifest.jsonl")
    p.add_argument("--signer", default="me", help="who is signing (letters, digits, '-'); default: me")
    p.add_argument("--rate", type=float, default=5.0, help="frames saved per second of video, at most (default 5)")
    p.add_argument("--max", type=int, help="stop after this many images")
    p.add_argument("--verbose", "-v", action="store_true",
                   help="print each file as it is saved (and the native libraries' log lines)")
    p.add_argument("--allow-empty", action="store_true", help="exit 0 even when no frame showed a hand")
    p.set_defaults(func=cmd_record)
    add_verbose_option(parser, sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    set_up_console(args.verbose)  # before anything native is imported
    return run_command("signcam", args.func, args)


if __name__ == "__main__":
    sys.exit(main())
