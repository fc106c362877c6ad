"""`signcam`: the app (a window by default) and its headless commands."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .config import Config
from .errors import run_command
from .quiet import quiet_native_logs


def cmd_read(args) -> int:
    from .classifier import load_classifier
    from .headless import read_sources

    config = Config(model=args.model)
    classifier = load_classifier(config.model)
    jsonl = open(args.jsonl, "w") if args.jsonl else None
    try:
        read_sources(args.sources, classifier, config, sys.stdout, jsonl)
    finally:
        if jsonl:
            jsonl.close()
    return 0


def cmd_bench(args) -> int:
    from .bench import bench

    bench(args.sources, Config(model=args.model), args.json, args.baseline, args.realtime, args.loop)
    return 0


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
    p.set_defaults(func=cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    quiet_native_logs()
    args = build_parser().parse_args(argv)
    return run_command("signcam", args.func, args)


if __name__ == "__main__":
    sys.exit(main())
