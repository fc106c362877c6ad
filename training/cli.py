"""`signcam-train`: prepare datasets, train, retrain on recorded frames, evaluate, export and try a model."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from signcam.errors import SigncamError, run_command
from signcam.quiet import add_verbose_option, set_up_console


def cmd_prepare(args) -> int:
    from .prepare import CROP_SIZE, detect_and_crop, report_lines, save_cache

    samples = detect_and_crop(args.data_dirs, args.size or CROP_SIZE)
    save_cache(samples, args.out)
    print("\n".join(report_lines(samples)))
    print(f"wrote {len(samples)} crops to {args.out}")
    return 0


def cmd_train(args) -> int:
    from .prepare import Samples, load_cache
    from .train import train

    samples = Samples.concat([load_cache(p) for p in args.caches])
    drop = _dropped(args, samples)
    if drop is not None:
        samples = samples.subset(~drop)
    try:
        train(samples, _train_config(args), args.out, resume=args.resume)
    except FileNotFoundError as exc:
        raise SigncamError(str(exc)) from None
    return 0


def _dropped(args, samples):
    """The samples `--drop-cells` leaves out of training (None without it)."""
    if not args.drop_cells:
        return None
    from .audit import cell_mask, load_cells

    drop = cell_mask(samples, load_cells(args.drop_cells))
    print(f"leaving {int(drop.sum())} photos of {args.drop_cells} out of training", flush=True)
    return drop


def _train_config(args):
    from .train import TrainConfig

    if args.landmark_heads < 1:
        raise SigncamError(f"--landmark-heads must be 1 or more, not {args.landmark_heads}")
    return TrainConfig(backbone=args.backbone, weights=args.weights, landmark_epochs=args.landmark_epochs,
                       view_turn_deg=args.view_turn,
                       head_epochs=args.head_epochs,
                       finetune_epochs=args.finetune_epochs, finetune_fraction=args.finetune_fraction,
                       head_lr=args.head_lr, finetune_lr=args.finetune_lr, batch_size=args.batch_size,
                       val_fraction=args.val_fraction, patience=args.patience, seed=args.seed,
                       steps_per_epoch=args.steps_per_epoch, features=tuple(args.features.split(",")),
                       mirror_hands=args.mirror_hands, flip_p=args.flip_p, hand_variation=args.hand_variation,
                       landmark_weight=args.landmark_weight, source_balance=args.source_balance,
                       hand_mask=args.hand_mask, landmark_heads=args.landmark_heads, erase_p=args.erase_p,
                       epoch_size=args.epoch_size)


def cmd_crossval(args) -> int:
    from .crossval import crossval, report_lines
    from .prepare import Samples, load_cache

    samples = Samples.concat([load_cache(p) for p in args.caches])
    tests = {p.stem: load_cache(p) for p in args.test}
    always = None
    if args.always_train:
        always = Samples.concat([load_cache(p) for p in args.always_train])
        dropped = _dropped(args, always)
        always = always if dropped is None else always.subset(~dropped)
    if not 0 < args.train_share <= 1:
        raise SigncamError(f"--train-share must be in (0, 1], not {args.train_share}")
    try:
        result = crossval(samples, _train_config(args), args.folds, args.out, args.landmarks_only, tests,
                          drop=_dropped(args, samples), always=always, train_share=args.train_share,
                          draw=args.draw)
    except (FileNotFoundError, ValueError) as exc:
        raise SigncamError(str(exc)) from None
    print("\n".join(report_lines(result)))
    print(f"wrote {args.out / 'crossval.json'} and {args.out / 'crossval_confusion.png'}")
    return 0


def cmd_learning_curve(args) -> int:
    from .learning_curve import learning_curve
    from .prepare import Samples, load_cache

    try:
        shares = [float(s) for s in args.shares.split(",")]
    except ValueError:
        raise SigncamError(f"--shares takes numbers separated by commas, not {args.shares!r}") from None
    if not shares or not all(0 < s <= 1 for s in shares):
        raise SigncamError(f"--shares must each be in (0, 1], not {args.shares}")
    samples = Samples.concat([load_cache(p) for p in args.caches])
    tests = {p.stem: load_cache(p) for p in args.test}
    try:
        result = learning_curve(samples, _train_config(args), args.folds, args.out, shares, args.draws, tests,
                                drop=_dropped(args, samples))
    except (FileNotFoundError, ValueError) as exc:
        raise SigncamError(str(exc)) from None
    print(f"{'share':>5} {'draw':>4} {'people':>6} {'mean':>6} {'worst':>6}  " + " ".join(f"{n:>14}" for n in tests))
    for p in result["points"]:
        print(f"{p['share']:>5.2f} {p['draw']:>4} {p['training_people']:>6.1f} {p['mean_over_sources']:>6.3f} "
              f"{p['worst_source']['accuracy']:>6.3f}  " + " ".join(f"{p['tests'][n]:>14.3f}" for n in tests))
    print("gained per doubling of the people: " + ", ".join(f"{k} {v:+.3f}" for k, v in result["slope_per_doubling"].items()))
    print(f"wrote {args.out / 'learning_curve.json'} and {args.out / 'learning_curve.png'}")
    return 0


def cmd_audit(args) -> int:
    from .audit import contact_sheet, held_out_probs, odd_cells
    from .prepare import Samples, load_cache
    from .train import write_json_atomic

    samples = Samples.concat([load_cache(p) for p in args.caches])
    probs, labels = held_out_probs(args.crossval, samples)
    cells = odd_cells(samples, probs, labels, share=args.share)
    args.out.mkdir(parents=True, exist_ok=True)
    write_json_atomic(args.out / "odd_cells.json", {"crossval": str(args.crossval), "share": args.share,
                                                    "cells": cells})
    contact_sheet(samples, cells, args.out / "odd_cells.png")
    print(f"{'source':<18} {'letter':<7} {'read as':<8} photos")
    for c in cells:
        print(f"{c['source']:<18} {c['label']:<7} {c['read_as']:<8} {c['read_as_count']} of {c['photos']}")
    n = sum(c["photos"] for c in cells)
    print(f"{len(cells)} odd cells, {n} photos; wrote {args.out / 'odd_cells.json'} and {args.out / 'odd_cells.png'}")
    return 0


def cmd_loso(args) -> int:
    from .loso import leave_one_signer_out
    from .prepare import Samples, load_cache

    if args.drop_cells:
        raise SigncamError("loso does not take --drop-cells; use train or crossval")
    extra = Samples.concat([load_cache(p) for p in args.also]) if args.also else None
    try:
        summary = leave_one_signer_out(load_cache(args.signers), extra, _train_config(args), args.out)
    except FileNotFoundError as exc:
        raise SigncamError(str(exc)) from None
    for person, fold in summary["folds"].items():
        print(f"{person}\t{fold['accuracy']:.4f}\t({fold['detected']} images)")
    print(f"mean\t{summary['mean_accuracy']:.4f}")
    return 0


def cmd_scoreboard(args) -> int:
    from signcam.letters.classifier import load_classifier

    from .scoreboard import scoreboard, shared_data_dir

    data = shared_data_dir(args.data)
    classifier = load_classifier(args.model)
    if not args.dump:
        result = scoreboard(classifier, data, log=progress_line)
    else:
        # Written beside, then renamed: a run stopped half-way leaves no dump that looks whole.
        partial = args.dump.with_name(args.dump.name + ".partial")
        with open(partial, "w") as f:
            def write(key, reading):
                f.write(json.dumps({"source": key, **reading.to_dump()}) + "\n")
            result = scoreboard(classifier, data, log=progress_line, sink=write)
        partial.replace(args.dump)
    return print_scoreboard(result, args.json)


def print_scoreboard(result: dict, json_path: Path | None) -> int:
    from .scoreboard import table_lines

    print("\n".join(table_lines(result)))
    if json_path:
        json_path.write_text(json.dumps(result, indent=1))
    return 0


def cmd_respell(args) -> int:
    from signcam.letters.bundled import default_model
    from signcam.letters.classifier import read_model_info

    from .respell import respell, spelling_with

    spelling = spelling_with(args.set)
    labels = read_model_info(args.model or default_model()).labels
    return print_scoreboard(respell(args.dump, labels, spelling), args.json)


def cmd_evaluate(args) -> int:
    from signcam.letters.classifier import load_classifier

    from .evaluate import evaluate_dir, save_confusion_png, summary_lines

    classifier = load_classifier(args.model)
    result = evaluate_dir(classifier, args.data_dir)
    print("\n".join(summary_lines(result)))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    png = args.png or (args.json.with_suffix(".png") if args.json else None)
    if png:
        save_confusion_png(result, png, args.data_dir.name)
        print(f"confusion matrix: {png}")
    return 0


def progress_line(line: str) -> None:
    """Progress goes to stderr, so stdout keeps only the results."""
    print(line, file=sys.stderr, flush=True)


def cmd_export_landmarks(args) -> int:
    from signcam.letters.bundled import BUNDLED_LANDMARKS
    from signcam.vision.hands import landmark_model_file

    from .landmark_export import calibration_cuts, export_landmark_model, quantized_summary

    source = landmark_model_file(1)
    if source is None:
        raise SigncamError("MediaPipe's hand_landmark_full.tflite is not in the installed mediapipe wheel")
    out = args.out or BUNDLED_LANDMARKS
    folder = out.parent
    while not folder.exists():  # the folders export makes: the first one that exists decides
        folder = folder.parent
    if out.is_dir() or not os.access(folder, os.W_OK):  # checked before minutes of calibration
        raise SigncamError(f"cannot write {out}: give --out a file path in a folder you can write")
    cuts = calibration_cuts(args.photos, args.per_folder, log=progress_line)
    export_landmark_model(source, out, cuts, [f"{p.parent.name}/{p.name}" for p in args.photos],
                          log=progress_line)
    int8 = sum(kinds.get("int8", 0) for kinds in quantized_summary(out).values())
    print(f"wrote {out}: {out.stat().st_size / 1e6:.1f} MB, {int8} int8 ops (source {source.name}, "
          f"{source.stat().st_size / 1e6:.1f} MB)")
    return 0


def cmd_export(args) -> int:
    from signcam.letters.classifier import load_classifier

    from .evaluate import evaluate_samples
    from .export import export_tflite
    from .prepare import Samples, load_cache

    if args.bundled:  # after the bundled .keras changes: the export the app loads by default
        from signcam.letters.bundled import BUNDLED_KERAS, BUNDLED_QUANTIZE, BUNDLED_TFLITE

        args.model, args.out, args.quantize = BUNDLED_KERAS, BUNDLED_TFLITE, args.quantize or BUNDLED_QUANTIZE
    elif args.model is None:
        raise SigncamError("give --model PATH (a .keras file), or --bundled")
    quantize = None if args.quantize == "float32" else args.quantize
    calib = Samples.concat([load_cache(p) for p in args.calibrate]) if args.calibrate else None
    out = export_tflite(args.model, args.out, quantize, calib.crops if calib else None,
                        calib.landmarks if calib else None)
    src_mb, out_mb = args.model.stat().st_size / 1e6, out.stat().st_size / 1e6
    print(f"wrote {out}: {out_mb:.1f} MB (source {src_mb:.1f} MB)")
    if calib is not None:
        for name, path in (("source", args.model), ("exported", out)):
            acc = evaluate_samples(load_classifier(path), calib)["accuracy"]
            print(f"{name} accuracy on {', '.join(p.name for p in args.calibrate)}: {acc:.4f}")
    return 0


def cmd_predict(args) -> int:
    from signcam.letters.classifier import load_classifier
    from signcam.vision.crop import crop_hand
    from signcam.vision.frames import read_image
    from signcam.vision.hands import MediaPipeHandTracker

    from .prepare import find_hands_in_photo

    classifier = load_classifier(args.model)
    info = classifier.info
    with MediaPipeHandTracker(video=False) as tracker:
        for path in args.images:
            image = read_image(path)
            if image is None:
                print(f"{path}\terror: not a readable image")
                continue
            hands = find_hands_in_photo(tracker, image)
            if not hands:
                print(f"{path}\tno hand found")
                continue
            crop = crop_hand(image, hands[0], info.input_size, info.crop_margin)
            probs = classifier.predict_batch(crop.image[None], crop.landmarks[None], [hands[0].handedness])[0]
            top = probs.argsort()[::-1][:3]
            alts = ", ".join(f"{info.labels[i]} {probs[i]:.2f}" for i in top[1:])
            print(f"{path}\t{info.labels[top[0]]}\t{probs[top[0]]:.3f}\t(then {alts})")
    return 0


def _samples_from(paths: list[Path], info):
    """Caches (.npz) as they are; dataset folders detected and cropped as `prepare` would,
    at the model's own input size and margin."""
    from .prepare import Samples, detect_and_crop, load_cache

    folders = [p for p in paths if p.suffix != ".npz"]
    parts = [load_cache(p) for p in paths if p.suffix == ".npz"]
    if folders:
        parts.append(detect_and_crop(folders, info.input_size, info.crop_margin, label="recorded"))
    return Samples.concat(parts)


def cmd_enroll_eval(args) -> int:
    import numpy as np
    from signcam.letters.adapt import AdaptConfig
    from signcam.letters.classifier import load_classifier

    from .enroll_eval import evaluate, load_inputs, table_lines
    from .train import write_json_atomic

    samples = load_inputs(args.photos)
    if args.people:
        from signcam.errors import DatasetError

        keep = np.isin(samples.sources, args.people)
        if not keep.any():
            raise DatasetError(f"none of {', '.join(args.people)} in the photos (people: "
                               f"{', '.join(sorted(set(samples.sources.tolist())))})")
        samples = samples.subset(keep)
    config = AdaptConfig(method=args.method)
    if args.crossval:
        from .enroll_eval import evaluate_crossval

        result = evaluate_crossval(samples, args.crossval, args.per_letter, config, args.enroll_match)
    else:
        result = evaluate(samples, load_classifier(args.model), args.per_letter, config, args.enroll_match)
    print("\n".join(table_lines(result)))
    if args.json:
        write_json_atomic(args.json, result)
    return 0


def cmd_retrain(args) -> int:
    from signcam.letters.classifier import DEFAULT_MODEL, read_model_info
    from .progress import Progress

    from .retrain import RetrainConfig, retrain

    model = args.model or DEFAULT_MODEL
    info = read_model_info(Path(model))
    recorded, original = _samples_from(args.recorded, info), _samples_from(args.data, info)
    cfg = RetrainConfig(epochs=args.epochs, learning_rate=args.lr, top=args.top, seed=args.seed)
    if args.progress_lines:  # for the window, which runs this as a child process and reads stdout
        def report(fraction: float, message: str) -> None:
            print(f"PROGRESS {fraction:.4f} {message}", flush=True)
    else:
        bar = Progress(1000, "retrain")

        def report(fraction: float, message: str) -> None:
            bar.update(int(fraction * 1000) - bar.done, message)
    result = retrain(Path(model), recorded, original, args.out, cfg, report,
                     log=lambda line: print(line, flush=True))
    before, after = result["before"], result["after"]
    for label in result["recorded_labels"]:
        b, a = before["recorded_heldout_per_label"].get(label), after["recorded_heldout_per_label"].get(label)
        print(f"{label}: held-out recorded accuracy {b} -> {a}")
    print(f"original held-out accuracy {before['original_heldout']} -> {after['original_heldout']}")
    print(f"wrote {result['model']} (the model it started from is unchanged)")
    if args.progress_lines:
        print(f"RESULT {Path(result['model']).with_suffix('.json')}", flush=True)
    return 0


def _training_options(p) -> None:
    p.add_argument("--backbone", choices=["mobilenet_v2", "vgg16", "vgg19"], default="mobilenet_v2")
    p.add_argument("--weights", default="imagenet",
                   help="'imagenet' (downloads), 'none', or a path to no-top ImageNet weights (.h5)")
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.add_argument("--landmark-epochs", type=int, default=40, help="phase 0: the landmark head alone")
    p.add_argument("--view-turn", type=float, default=30.0, metavar="DEG",
                   help="phase 0 also sees the landmarks turned up to DEG degrees (0: off; default 30)")
    p.add_argument("--head-epochs", type=int, default=8)
    p.add_argument("--finetune-epochs", type=int, default=8)
    p.add_argument("--finetune-fraction", type=float, default=0.3, help="top share of the base unfrozen")
    p.add_argument("--head-lr", type=float, default=1e-3)
    p.add_argument("--finetune-lr", type=float, default=1e-4)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--val-fraction", type=float, default=0.15)
    p.add_argument("--patience", type=int, default=3, help="early stopping patience (epochs)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--steps-per-epoch", type=int, help="cap batches per epoch (smoke tests)")
    p.add_argument("--epoch-size", type=int, default=0, metavar="N",
                   help="crops per head and fine-tuning epoch, drawn anew each epoch with every source "
                        "keeping its share (0: all; keeps a large dataset within a time budget)")
    p.add_argument("--features", default="xy", metavar="PARTS",
                   help="landmark features, comma-separated from: xy, palm, orientation, bones, angles, tips")
    p.add_argument("--mirror-hands", action="store_true",
                   help="mirror every hand to one handedness (by MediaPipe's handedness), in training and the app")
    p.add_argument("--flip-p", type=float, default=0.5,
                   help="chance of a mirror image in augmentation (0 also drops phase 0's mirrored copies)")
    p.add_argument("--hand-variation", type=int, default=0, metavar="N",
                   help="phase 0: N copies of each hand varied as another person's (finger lengths, turns)")
    p.add_argument("--landmark-weight", type=float, default=0.4,
                   help="the landmark head's share of the average (default 0.4: best on held-out sources)")
    p.add_argument("--landmark-heads", type=int, default=1, metavar="K",
                   help="K landmark MLPs, each trained on its own, averaged into the landmark head")
    p.add_argument("--hand-mask", action="store_true",
                   help="the crop branch sees only the hand: away from its landmarks the crop is grey")
    p.add_argument("--erase-p", type=float, default=0.0, metavar="P",
                   help="chance that crop augmentation fills a random patch (5-25%% of the crop) with noise")
    p.add_argument("--drop-cells", type=Path, metavar="FILE",
                   help="leave these (source, letter) cells out of training: an audit's odd_cells.json")
    p.add_argument("--source-balance", type=float, default=0.0, metavar="A",
                   help="each image weighs its source's size ** -A: 0 every image alike, 1 every source alike")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="signcam-train", description="Make and measure signcam's letter model.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("prepare", help="detect and crop hands in folder-per-class datasets into a cache")
    p.add_argument("data_dirs", nargs="+", type=Path, metavar="DATA_DIR")
    p.add_argument("--out", type=Path, required=True, help="cache file to write (.npz)")
    p.add_argument("--size", type=int, help="crop side in pixels (default 160)")
    p.set_defaults(func=cmd_prepare)

    p = sub.add_parser("train", help="transfer learning: frozen base + new head, then fine-tune the top")
    p.add_argument("caches", nargs="+", type=Path, metavar="CACHE")
    _training_options(p)
    p.add_argument("--resume", action="store_true", help="continue from OUT/checkpoints if present")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("audit", help="training photos that models which never saw their source read as another letter")
    p.add_argument("caches", nargs="+", type=Path, metavar="CACHE", help="the caches the cross-validation ran on")
    p.add_argument("--crossval", type=Path, required=True, metavar="RUN", help="a crossval --out folder")
    p.add_argument("--share", type=float, default=0.75,
                   help="a cell is odd when this share of its photos read as one other letter (default 0.75)")
    p.add_argument("--out", type=Path, required=True, help="folder for odd_cells.json and odd_cells.png")
    p.set_defaults(func=cmd_audit)

    p = sub.add_parser("loso", help="leave-one-signer-out accuracy over a cache whose groups are people")
    p.add_argument("signers", type=Path, metavar="SIGNER_CACHE", help="e.g. a Massey cache (groups handN)")
    p.add_argument("--also", nargs="*", type=Path, default=[], metavar="CACHE", help="always trained on")
    _training_options(p)
    p.set_defaults(func=cmd_loso)

    p = sub.add_parser("crossval", help="cross-validation by person: each fold holds out whole sources")
    p.add_argument("caches", nargs="+", type=Path, metavar="CACHE")
    p.add_argument("--folds", type=int, default=4)
    p.add_argument("--landmarks-only", action="store_true",
                   help="train only the landmark head (seconds per fold): for trying landmark features")
    p.add_argument("--test", nargs="*", type=Path, default=[], metavar="CACHE",
                   help="also score each fold's model on these prepared sets (e.g. roboflow-train)")
    _training_options(p)
    p.add_argument("--always-train", nargs="*", type=Path, default=[], metavar="CACHE",
                   help="caches in every fold's training, never held out (the folds over CACHE stay the same)")
    p.add_argument("--train-share", type=float, default=1.0, metavar="F",
                   help="each fold trains on this share of its training sources, drawn at random (default 1)")
    p.add_argument("--draw", type=int, default=0, help="the seed that draws --train-share's sources")
    p.set_defaults(func=cmd_crossval)

    p = sub.add_parser("learning-curve", help="cross-validation by source with a share of the people, for a curve")
    p.add_argument("caches", nargs="+", type=Path, metavar="CACHE")
    p.add_argument("--folds", type=int, default=4)
    p.add_argument("--shares", default="0.25,0.5,1", help="shares of each fold's training sources (default 0.25,0.5,1)")
    p.add_argument("--draws", type=int, default=2, help="random draws of the people at each share below 1 (default 2)")
    p.add_argument("--test", nargs="*", type=Path, default=[], metavar="CACHE",
                   help="also score each fold's model on these prepared sets (e.g. roboflow-train)")
    _training_options(p)
    p.set_defaults(func=cmd_learning_curve)

    p = sub.add_parser("retrain", help="fine-tune a model on recorded frames plus the original data")
    p.add_argument("--recorded", nargs="+", type=Path, required=True, metavar="DATASET_OR_CACHE",
                   help="folders written by `signcam record` (or their prepared caches)")
    p.add_argument("--data", nargs="+", type=Path, required=True, metavar="CACHE",
                   help="the original training data (prepared caches), so other letters are not forgotten")
    p.add_argument("--model", type=Path, help="the model to start from; default: the bundled model")
    p.add_argument("--out", type=Path, required=True, help="folder for the new model (a new file, never overwritten)")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--lr", type=float, default=1e-4, help="learning rate (default 1e-4)")
    p.add_argument("--top", action="store_true", help="also fine-tune the top of the base (slower)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--progress-lines", action="store_true", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_retrain)

    p = sub.add_parser("enroll-eval", help="each person's accuracy before and after calibrating on their first "
                                           "K photos a letter (the rest are read)")
    p.add_argument("photos", nargs="+", type=Path, metavar="PHOTOS_DIR",
                   help="a folder-per-letter set, a folder of such sets, or a prepared cache (.npz)")
    p.add_argument("--per-letter", type=int, default=3, metavar="K", help="photos a letter that enroll (default 3)")
    p.add_argument("--model", type=Path, help="default: the bundled model")
    p.add_argument("--method", choices=["neighbours", "correction"], default="neighbours",
                   help="how the model is adapted (signcam/letters/adapt.py; default: neighbours)")
    p.add_argument("--enroll-match", metavar="TEXT",
                   help="enroll only photos whose file name holds TEXT and test the others "
                        "(Massey: _dif_ enrolls one lighting set-up, the other four are read)")
    p.add_argument("--people", nargs="+", metavar="SOURCE",
                   help="only these people (as prepare names them: a source folder, massey/hand1): e.g. the "
                        "ones a cross-validation fold held out, read by that fold's model")
    p.add_argument("--crossval", type=Path, metavar="RUN",
                   help="a full-recipe `crossval` run: each person is read by the fold model that never saw "
                        "them (instead of --model)")
    p.add_argument("--json", type=Path, help="also write the result as JSON")
    p.set_defaults(func=cmd_enroll_eval)

    p = sub.add_parser("evaluate", help="accuracy, per-class precision/recall and confusion matrix")
    p.add_argument("data_dir", type=Path, metavar="DATA_DIR")
    p.add_argument("--model", type=Path, help="default: the bundled model")
    p.add_argument("--json", type=Path, help="write the full result as JSON (and a PNG beside it)")
    p.add_argument("--png", type=Path, help="write the confusion matrix picture here")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("scoreboard", help="every fixed measure of reading new people, in one table")
    p.add_argument("--model", type=Path, help="default: the bundled model")
    p.add_argument("--data", type=Path, help="the shared data folder (letters/, videos/); default: ../shared/data")
    p.add_argument("--json", type=Path, help="also write the full result as JSON")
    p.add_argument("--dump", type=Path, metavar="FILE",
                   help="also write every clip and word video's frames (probabilities, landmarks) as JSONL, "
                        "for `signcam-train respell`")
    p.set_defaults(func=cmd_scoreboard)

    p = sub.add_parser("respell", help="the scoreboard's clip and word rows again from its --dump, "
                                       "with the speller's settings changed (seconds, not minutes)")
    p.add_argument("dump", type=Path, metavar="DUMP", help="written by `signcam-train scoreboard --dump`")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="a SpellingConfig number (signcam/config.py), e.g. hold_time=0.4 or "
                        "motion.still_fingers=0.4; repeatable")
    p.add_argument("--model", type=Path, help="the model that wrote the dump, for its labels (default: the bundled one)")
    p.add_argument("--json", type=Path, help="also write the result as JSON")
    p.set_defaults(func=cmd_respell)

    p = sub.add_parser("export", help="convert a .keras model to TFLite")
    p.add_argument("--model", type=Path)
    p.add_argument("--bundled", action="store_true",
                   help="export the bundled .keras to the bundled .tflite the app loads by default")
    p.add_argument("--format", choices=["tflite"], default="tflite")
    p.add_argument("--quantize", choices=["float32", "float16", "int8"],
                   help="default: float32 (with --bundled: signcam.letters.bundled.BUNDLED_QUANTIZE, int8 now); "
                        "int8 quantizes the image backbone only")
    p.add_argument("--out", type=Path)
    p.add_argument("--calibrate", type=Path, nargs="+", metavar="CACHE",
                   help="prepared caches (training data): calibrate int8, and compare accuracy of source and export")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("export-landmarks",
                       help="MediaPipe's hand landmark model with int8 convolutions, for cheaper tracking")
    p.add_argument("photos", nargs="+", type=Path, metavar="PHOTOS",
                   help="folders of training photos (never test sets): hands in them calibrate int8")
    p.add_argument("--per-folder", type=int, default=60, help="photos sampled from each folder (default 60)")
    p.add_argument("--out", type=Path, help="default: the bundled model the tracker loads (models/)")
    p.set_defaults(func=cmd_export_landmarks)

    p = sub.add_parser("predict", help="letter and confidence for each image")
    p.add_argument("images", nargs="+", type=Path, metavar="IMAGE")
    p.add_argument("--model", type=Path, help="default: the bundled model")
    p.set_defaults(func=cmd_predict)
    add_verbose_option(parser, sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    set_up_console(args.verbose)
    return run_command("signcam-train", args.func, args, "checkpoints are kept; --resume continues")


if __name__ == "__main__":
    sys.exit(main())
