"""`signcam`: the app (a window by default) and its headless commands."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .config import Config
from .errors import SigncamError, run_command
from .letters.devices import DEVICES
from .quiet import add_verbose_option, set_up_console


def cmd_read(args) -> int:
    from .letters.classifier import load_classifier
    from .headless import read_sources

    config = Config(model=args.model, device=args.device)
    classifier = load_classifier(config.model, config.device)
    if args.profile:
        from .profiles.store import ProfileStore

        classifier = ProfileStore().get(args.profile).adapted(classifier)
    jsonl = open(args.jsonl, "w") if args.jsonl else None
    try:
        read_sources(args.sources, classifier, config, sys.stdout, jsonl, full=args.full, words=args.words)
    finally:
        if jsonl:
            jsonl.close()
    return 0


def cmd_bench(args) -> int:
    if args.classifier_only:
        return cmd_bench_classifier(args)
    if args.write_reference or args.reference or args.limit or args.batch_sizes:
        raise SigncamError("--write-reference, --reference, --limit and --batch-sizes go with --classifier-only")
    from .live.bench import bench

    from .live.soak import Timeline

    timeline = Timeline(args.timeline, args.sample_every, args.plot) if args.timeline else None
    bench(args.sources, Config(model=args.model, device=args.device), args.json, args.baseline, args.realtime, args.loop,
          timeline=timeline)
    return 0


def cmd_bench_classifier(args) -> int:
    # Nothing on this path imports OpenCV, MediaPipe or TensorFlow (unless the model needs it).
    from .training.model_bench import DEFAULT_SIZES, bench_classifier

    if len(args.sources) != 1 or args.baseline or args.realtime or args.loop:
        raise SigncamError("--classifier-only takes one cache file (.npz), without --baseline, --realtime or --loop")
    bench_classifier(Path(args.sources[0]), args.device, args.model, args.batch_sizes or DEFAULT_SIZES, args.limit,
                     args.reference, args.json, args.write_reference)
    return 0


def batch_sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(x) for x in text.split(","))
    except ValueError:
        sizes = ()
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"expected batch sizes like 1,8,32, got {text!r}")
    return sizes


def add_device_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--device", choices=DEVICES, default="auto",
                        help="auto (default): the .keras model on a GPU when an installed Keras back end sees one, "
                             "else the CPU; gpu: fail if there is none")


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


def cmd_calibrate(args) -> int:
    from .letters.classifier import load_classifier
    from .profiles.calibrate import calibrate
    from .profiles.store import ProfileStore

    if args.per_letter < 1:
        from .errors import DatasetError
        raise DatasetError(f"--per-letter must be 1 or more, not {args.per_letter}")
    config = Config(model=args.model)
    classifier = load_classifier(config.model)  # refused before anything is recorded
    store = ProfileStore()
    calibrate(store.create(args.profile), args.sources, classifier, config, args.per_letter)
    store.set_active(args.profile)
    return 0


def cmd_profiles(args) -> int:
    from .profiles.store import ProfileStore

    store = ProfileStore()
    active = store.active()
    for name in store.names():
        profile = store.get(name)
        counts = profile.letter_counts()
        print(f"{'*' if name == active else ' '} {name}\t{sum(counts.values())} frame(s) of {len(counts)} letter(s)")
    print(f"profiles live in {store.root}")
    return 0


def cmd_window(args) -> int:
    from .app import run_app

    return run_app(source=args.source, model=args.model, device=args.device)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="signcam", description="Read ASL fingerspelling from a camera or video.")
    parser.add_argument("--source", help="camera index, video file or stream URL for the window (default: saved camera)")
    parser.add_argument("--model", type=Path, help="model file (.keras or .tflite) for the window")
    parser.add_argument("--device", choices=DEVICES,
                        help="auto, cpu or gpu for the window's model (default: the saved setting, auto)")
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
    add_device_option(p)
    p.add_argument("--profile", metavar="NAME", help="read through this person's calibration profile")
    p.set_defaults(func=cmd_read)
    p = sub.add_parser("calibrate", help="adapt the model to one person from per-letter clips or photo folders")
    p.add_argument("sources", nargs="+", metavar="SOURCE",
                   help="a folder of per-letter clips (<L>.mp4) or photo folders (<L>/), or such a clip or folder")
    p.add_argument("--profile", required=True, metavar="NAME", help="the person's profile (made if new; frames are added)")
    p.add_argument("--model", type=Path, help="the base model (.keras or .tflite); default: the bundled model")
    p.add_argument("--per-letter", type=int, default=15, metavar="N",
                   help="frames a letter at most (default 15: about 1.5 s of a held letter)")
    p.set_defaults(func=cmd_calibrate)
    p = sub.add_parser("profiles", help="list the calibration profiles and where they live")
    p.set_defaults(func=cmd_profiles)
    p = sub.add_parser("bench", help="measure the live pipeline's speed, latency and memory on video files, "
                                     "or (--classifier-only) the letter model alone on a prepared cache")
    p.add_argument("sources", nargs="+", metavar="SOURCE", help="video files (with --classifier-only: one cache .npz)")
    p.add_argument("--model", type=Path, help="model file (.keras or .tflite); default: the bundled model")
    p.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    p.add_argument("--baseline", action="store_true",
                   help="also run the one-thread model.predict()-per-frame loop and print the speed-up")
    p.add_argument("--realtime", action="store_true", help="feed frames at the clip's frame rate, as a camera")
    p.add_argument("--loop", type=float, default=0.0, metavar="SECONDS",
                   help="repeat the sources for this long (to see whether memory stays flat)")
    add_device_option(p)
    p.add_argument("--classifier-only", action="store_true",
                   help="time the letter model alone on a cache's crops and landmarks (no camera, MediaPipe or video)")
    p.add_argument("--batch-sizes", type=batch_sizes, metavar="N,N,...",
                   help="with --classifier-only: batch sizes to time (default 1,8,32,128,512)")
    p.add_argument("--limit", type=int, metavar="N", help="with --classifier-only: N crops spread over the cache")
    p.add_argument("--write-reference", type=Path, metavar="FILE",
                   help="with --classifier-only: save the crops used and the model's outputs for them (a cache slice "
                        "to carry to a GPU machine, compared with there)")
    p.add_argument("--reference", type=Path, metavar="FILE",
                   help="with --classifier-only: compare with the outputs in FILE (default: those CACHE carries)")
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
