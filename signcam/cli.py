"""`signcam`: the app (a window by default) and its headless commands."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .config import Config
from .errors import SigncamError


def _quiet_native_logs() -> None:
    # MediaPipe (glog) and TensorFlow print pages of start-up noise on stderr.
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="signcam", description="Read ASL fingerspelling from a camera or video.")
    sub = parser.add_subparsers(dest="command")
    p = sub.add_parser("read", help="run the recognizer headless and print each source's transcript")
    p.add_argument("sources", nargs="+", metavar="SOURCE", help="video file, image folder or camera index")
    p.add_argument("--model", type=Path, help="model file (.keras or .tflite); default: the bundled model")
    p.add_argument("--jsonl", type=Path, help="write one JSON object per frame to this file")
    p.set_defaults(func=cmd_read)
    return parser


def main(argv: list[str] | None = None) -> int:
    _quiet_native_logs()
    args = build_parser().parse_args(argv)
    if args.command is None:
        print("signcam: the window is not built yet; try `signcam read SOURCE`", file=sys.stderr)
        return 2
    try:
        return args.func(args)
    except SigncamError as exc:
        print(f"signcam: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
