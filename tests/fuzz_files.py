"""Damaged and hostile files against signcam's readers, seeded and bounded in time.

Five kinds: model files (.keras, .tflite), labels.json, caches (.npz), images and videos. Each case
is a file made from a good one (truncated, bit-flipped, spliced, zero-length) or built to attack a
reader (a decompression bomb, a pickled object array, a Keras config that would run code). The
reader must answer with a one-line SigncamError or a stated skip: any other exception is a
traceback, a case over HANG_S a hang, a file appearing outside the case's own folder a stray
write, and a native line on fd 2 that the console filter would let through a loud decoder.

The cases run in a child process (a native crash there is a finding, not the end of the run):

    python tests/fuzz_files.py --cases 600 --seed 0 [--json out.json]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
from pathlib import Path

import signcam  # noqa: F401,E402  (before cv2: OpenCV's image size limit)

HANG_S = 10.0
KINDS = ("model", "labels", "cache", "image", "video")


# ---- good files to start from
def png_bomb(path: Path, side: int = 30000) -> None:
    """A grey PNG of side x side zeros: under 1 MB on disk, side**2 bytes decoded."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    packer, rows = zlib.compressobj(9), b"\0" * (side + 1) * 1000
    body = b"".join(packer.compress(rows) for _ in range(side // 1000)) + packer.flush()
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0))
                     + chunk(b"IDAT", body) + chunk(b"IEND", b""))


def make_seeds(folder: Path) -> dict[str, Path]:
    """Good files of every kind (the bundled model; the rest made here, so no shared data is needed)."""
    import cv2
    import numpy as np

    from signcam.letters.bundled import BUNDLED_KERAS, BUNDLED_TFLITE
    from training.prepare import Samples, save_cache

    folder.mkdir(parents=True, exist_ok=True)
    seeds = {"tflite": BUNDLED_TFLITE, "keras": BUNDLED_KERAS, "labels": BUNDLED_TFLITE.parent / "labels.json"}
    rng = np.random.default_rng(0)
    image = cv2.GaussianBlur(rng.integers(0, 255, (96, 128, 3), np.uint8), (9, 9), 3)
    for suffix in (".jpg", ".png"):
        seeds[suffix] = folder / f"good{suffix}"
        cv2.imwrite(str(seeds[suffix]), image)
    seeds[".mp4"] = folder / "good.mp4"
    writer = cv2.VideoWriter(str(seeds[".mp4"]), cv2.VideoWriter_fourcc(*"mp4v"), 30, (128, 96))
    for i in range(15):
        writer.write(np.roll(image, i, axis=1))
    writer.release()
    seeds["empty.mp4"] = folder / "empty.mp4"  # a container with no frame at all
    cv2.VideoWriter(str(seeds["empty.mp4"]), cv2.VideoWriter_fourcc(*"mp4v"), 30, (128, 96)).release()
    n = 4
    seeds["cache"] = folder / "good.npz"
    save_cache(Samples(rng.integers(0, 255, (n, 32, 32, 3), np.uint8), rng.random((n, 21, 3), np.float32),
                       np.array(list("ABAB")), np.array([f"f{i}.jpg" for i in range(n)]), np.array(["g"] * n),
                       np.array(["Right"] * n), {}, {"A": 2, "B": 2}, []), seeds["cache"])
    seeds["bomb"] = folder / "bomb.png"
    png_bomb(seeds["bomb"])
    return seeds


# ---- damage
def flip_bits(data: bytes, rng: random.Random, n: int) -> bytes:
    out = bytearray(data)
    for _ in range(n):
        i = rng.randrange(len(out))
        out[i] ^= 1 << rng.randrange(8)
    return bytes(out)


def damaged(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    how = rng.choice(["truncated", "bit-flipped", "spliced", "zero-length", "garbage", "head-only"])
    if how == "truncated":
        return how, data[:rng.randrange(1, max(2, len(data)))]
    if how == "bit-flipped":
        return how, flip_bits(data, rng, rng.choice([1, 3, 20]))
    if how == "spliced":
        i, j = sorted(rng.randrange(len(data)) for _ in range(2))
        return how, data[:i] + bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64))) + data[j:]
    if how == "zero-length":
        return how, b""
    if how == "garbage":
        return how, bytes(rng.randrange(256) for _ in range(rng.randrange(1, 4096)))
    return how, data[:rng.choice([8, 64, 512])]


def without(data: dict, key: str) -> dict:
    return {k: v for k, v in data.items() if k != key}


def zip_with(members: dict[str, bytes]) -> bytes:
    with tempfile.SpooledTemporaryFile() as f:
        with zipfile.ZipFile(f, "w") as archive:
            for name, data in members.items():
                archive.writestr(name, data)
        f.seek(0)
        return f.read()


FOREIGN_CONFIGS = [b"{}", b"[]", b"null", b"{\"class_name\": \"Nope\", \"config\": {}}", b"not json",
                   b"{\"class_name\": \"Sequential\", \"config\": {\"layers\": 7}}", b"\xff\xfe",
                   b"{\"module\": \"os\", \"class_name\": \"system\", \"config\": \"touch /tmp/pwned\"}"]


def lambda_keras(path: Path, marker: Path) -> None:
    """A real .keras whose Lambda layer, if deserialized, would write `marker`: safe_mode must refuse it."""
    import keras

    code = f"open({str(marker)!r}, 'w').write('ran')"
    inputs = keras.Input((2,))
    outputs = keras.layers.Lambda(lambda x: (exec(code), x)[1])(inputs)  # noqa: S102  the attack itself
    keras.Model(inputs, outputs).save(path)


# ---- one case: build the file(s) in `folder`, then read them as signcam does
def build(kind: str, rng: random.Random, seeds: dict, folder: Path, deep_keras: bool) -> tuple[str, Path]:
    import numpy as np

    labels = seeds["labels"].read_bytes()
    if kind == "model":
        which = rng.choice(["tflite", "tflite", "tflite", "keras"])  # Keras takes seconds a file
        (folder / "labels.json").write_bytes(labels)
        target = folder / f"model.{which}"
        data = seeds[which].read_bytes()
        if which == "keras":
            how = rng.choice(["truncated", "zero-length", "foreign config", "garbage", "head-only"]
                             + (["bit-flipped zip member"] if deep_keras else []))
            if how == "foreign config":
                members = {"config.json": rng.choice(FOREIGN_CONFIGS), "metadata.json": b"{}"}
                if rng.random() < 0.5:
                    members["model.weights.h5"] = bytes(rng.randrange(256) for _ in range(512))
                data = zip_with(members)
            elif how == "bit-flipped zip member":
                data = flip_bits(data, rng, 5)
            else:
                data = damaged(data, rng)[1] if how != "zero-length" else b""
                how = how if how != "garbage" else "garbage"
        else:
            how = rng.choice(["wrong identifier", "damage"])
            if how == "wrong identifier":
                data = data[:4] + rng.choice([b"TFL2", b"\0\0\0\0", b"PK\3\4"]) + data[8:]
            else:
                how, data = damaged(data, rng)
        target.write_bytes(data)
        return f"{which}: {how}", target
    if kind == "labels":
        shutil.copy(seeds["tflite"], folder / "model.tflite")
        good = json.loads(labels)
        variants = {
            "damaged bytes": lambda: damaged(labels, rng)[1],
            "missing key": lambda: json.dumps(without(good, rng.choice(["labels", "input_size"]))),
            "labels not a list": lambda: json.dumps({**good, "labels": rng.choice(["ABC", 7, None, {"a": 1}, [1, 2]])}),
            "input_size wrong": lambda: json.dumps({**good, "input_size": rng.choice(["big", -5, 0, 10**9, 1e300, [], None])}),
            "huge list": lambda: json.dumps({**good, "labels": [f"c{i}" for i in range(rng.choice([10**5, 10**6]))]}),
            "class count mismatch": lambda: json.dumps({**good, "labels": good["labels"][:rng.randrange(1, 28)]}),
            "not an object": lambda: rng.choice(["[]", "7", "null", "\"labels\""]),
            "deep nesting": lambda: "[" * 200_000 + "]" * 200_000,
        }
        how = rng.choice(sorted(variants))
        text = variants[how]()
        (folder / "labels.json").write_bytes(text if isinstance(text, bytes) else text.encode())
        return f"labels.json: {how}", folder / "model.tflite"
    if kind == "cache":
        target = folder / "cache.npz"
        good = dict(np.load(seeds["cache"], allow_pickle=False))
        how = rng.choice(["damaged bytes", "object array", "wrong version", "wrong shapes", "missing array"])
        if how == "damaged bytes":
            target.write_bytes(damaged(seeds["cache"].read_bytes(), rng)[1])
            return "cache: damaged bytes", target
        if how == "object array":
            good[rng.choice(["labels", "crops", "report"])] = np.array([{"x": 1}, None], dtype=object)
        elif how == "wrong version":
            good["version"] = np.array(rng.choice([0, 99, -1]))
        elif how == "wrong shapes":
            name = rng.choice(["crops", "landmarks", "labels", "world"])
            good[name] = rng.choice([np.zeros((3, 5)), np.zeros((7, 21, 3), np.float32), np.zeros(0, np.uint8),
                                     np.zeros((4, 32, 32, 4), np.uint8), np.array([1, 2, 3, 4])])
        else:
            del good[rng.choice(["crops", "landmarks", "labels", "report", "files"])]
        with open(target, "wb") as f:
            np.savez(f, **good)  # np.savez pickles an object array: the reader must refuse it
        return f"cache: {how}", target
    if kind == "image":
        suffix = rng.choice([".jpg", ".png"])
        how = rng.choice(["damaged", "damaged", "not an image", "zero bytes"])
        if how == "damaged":
            how, data = damaged(seeds[suffix].read_bytes(), rng)
        elif how == "not an image":
            data = rng.choice([b"%PDF-1.4 hello", b"#!/bin/sh\nrm -rf /\n", seeds["labels"].read_bytes()])
        else:
            data = b""
        (folder / f"photo{suffix}").write_bytes(data)
        return f"image{suffix}: {how}", folder
    how = rng.choice(["damaged", "damaged", "zero frames", "unsupported codec", "garbage"])
    data = seeds[".mp4"].read_bytes()
    if how == "damaged":
        how, data = damaged(data, rng)
    elif how == "zero frames":
        data = seeds["empty.mp4"].read_bytes()
    elif how == "unsupported codec":
        data = data.replace(b"mp4v", b"zzzz")
    else:
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 8192)))
    target = folder / "clip.mp4"
    target.write_bytes(data)
    return f"video: {how}", target


def read_as_signcam(kind: str, target: Path) -> str:
    """What signcam does with the file; returns 'accepted' or 'skipped: why'; raises what it raises."""
    if kind in ("model", "labels"):
        from signcam.letters.classifier import load_classifier

        classifier = load_classifier(target)
        s = classifier.info.input_size
        import numpy as np
        classifier.predict_batch(np.zeros((1, s, s, 3), np.uint8), np.zeros((1, 21, 3), np.float32))
        return "accepted"
    if kind == "cache":
        from training.prepare import load_cache

        load_cache(target)
        return "accepted"
    from signcam.vision.frames import open_source

    with open_source(str(target)) as source:
        frames = sum(1 for _ in source)
    skipped = getattr(source, "skipped", [])
    return f"skipped: {len(skipped)} unreadable image(s)" if skipped else f"accepted: {frames} frame(s)"


def tree(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): p.stat().st_size for p in root.rglob("*") if p.is_file()}


def run_case(i: int, kind: str, rng: random.Random, seeds: dict, work: Path, deep_keras: bool) -> dict:
    """One case in its own folder; what came of it."""
    from signcam.errors import SigncamError
    from signcam.quiet import NATIVE_LOG_LINE

    folder = work / f"case{i:04d}"
    folder.mkdir()
    what, target = build(kind, rng, seeds, folder, deep_keras)
    made, around = tree(folder), tree(work.parent)
    captured = work.parent / "fd2.log"
    sys.stderr.flush()
    saved = os.dup(2)
    with open(captured, "wb") as log:
        os.dup2(log.fileno(), 2)
        t0 = time.perf_counter()
        try:
            outcome = read_as_signcam(kind, target)
        except SigncamError as exc:
            message = str(exc)
            outcome = "error: " + message if "\n" not in message else "MULTI-LINE ERROR: " + message
        except BaseException as exc:  # noqa: BLE001  the finding: a traceback a user would see
            import traceback
            outcome = f"TRACEBACK: {type(exc).__name__}: {exc}"[:300] + " | " + traceback.format_exc()[-600:]
        seconds = time.perf_counter() - t0
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
    loud = [line for line in captured.read_bytes().splitlines(keepends=True)
            if line.strip() and not NATIVE_LOG_LINE.match(line)]
    captured.unlink()
    after_folder, after_around = tree(folder), tree(work.parent)
    stray = sorted(set(after_around) - set(around) - {str(folder.relative_to(work.parent) / k) for k in after_folder})
    stray += [k for k in after_folder if k not in made]
    shutil.rmtree(folder)
    return {"case": i, "kind": kind, "what": what, "outcome": outcome, "seconds": round(seconds, 3),
            "loud_native_lines": [line.decode(errors="replace").strip()[:200] for line in loud], "stray_files": stray}


def worker(args) -> int:
    """In the child: run cases first..cases-1, one JSON line each, flushed (a crash loses none)."""
    rng_master = random.Random(args.seed)
    plan = [(i, rng_master.choice(KINDS), rng_master.getrandbits(32)) for i in range(args.cases)]
    seeds = make_seeds(Path(args.work) / "seeds")
    work = Path(args.work) / "cases"
    work.mkdir(exist_ok=True)
    with open(args.out, "a") as out:
        if args.first == 0:
            out.write(json.dumps(code_config_case(seeds, Path(args.work))) + "\n")
        for i, kind, seed in plan[args.first:]:
            out.write(json.dumps({"starting": i}) + "\n")
            out.flush()
            deep = i in plan_deep_keras(args.cases, args.deep_keras)
            if kind == "image" and i % 50 == 7:  # the bomb, now and then
                result = bomb_case(i, seeds, work)
            else:
                result = run_case(i, kind, random.Random(seed), seeds, work, deep)
            out.write(json.dumps(result) + "\n")
            out.flush()
    return 0


def bomb_case(i: int, seeds: dict, work: Path) -> dict:
    """The 30000x30000 PNG among photos, read as signcam reads a folder."""
    from signcam.vision.frames import open_source

    folder = work / f"case{i:04d}"
    folder.mkdir()
    shutil.copy(seeds["bomb"], folder / "bomb.png")
    t0 = time.perf_counter()
    with open_source(str(folder)) as source:
        frames = sum(1 for _ in source)
    shutil.rmtree(folder)
    outcome = f"skipped: {len(source.skipped)} unreadable image(s)" if source.skipped else f"ACCEPTED {frames}"
    return {"case": i, "kind": "image", "what": "image.png: 30000x30000 decompression bomb", "outcome": outcome,
            "seconds": round(time.perf_counter() - t0, 3), "loud_native_lines": [], "stray_files": []}


def plan_deep_keras(cases: int, n: int) -> set[int]:
    """The few cases allowed a bit-flipped .keras member (Keras loads it: seconds each)."""
    return set(range(0, cases, max(1, cases // max(n, 1)))) if n else set()


def code_config_case(seeds: dict, work: Path) -> dict:
    """A .keras whose Lambda would write a file when deserialized: refused, and the file never written.
    Also warms up (TensorFlow's import takes most of a minute on a loaded machine), so no case pays it."""
    from signcam.errors import SigncamError
    from signcam.letters.classifier import load_classifier

    load_classifier(seeds["tflite"])
    folder, marker = work / "code", work / "code" / "lambda_ran"
    folder.mkdir()
    lambda_keras(folder / "model.keras", marker)
    marker.unlink()  # building the model called the lambda once; loading it must not
    shutil.copy(seeds["labels"], folder / "labels.json")
    t0 = time.perf_counter()
    try:
        load_classifier(folder / "model.keras")
        outcome = "ACCEPTED"
    except SigncamError as exc:
        outcome = "error: " + str(exc)
    return {"case": -1, "kind": "model", "what": "keras: a Lambda config that runs code", "outcome": outcome,
            "seconds": round(time.perf_counter() - t0, 3), "loud_native_lines": [],
            "stray_files": ["lambda_ran"] if marker.exists() else []}


def fuzz(cases: int, seed: int, work: Path, deep_keras: int = 6, budget_s: float = 3600) -> dict:
    """Run `cases` cases in a child; a child that dies (a native crash) is a finding, and the run goes on after it."""
    out = work / "results.jsonl"
    out.unlink(missing_ok=True)
    results, crashes, first, t0 = {}, [], 0, time.perf_counter()
    while first < cases and time.perf_counter() - t0 < budget_s:
        proc = subprocess.run([sys.executable, __file__, "--worker", "--cases", str(cases), "--seed", str(seed),
                               "--first", str(first), "--work", str(work), "--out", str(out),
                               "--deep-keras", str(deep_keras)],
                              capture_output=True, timeout=budget_s)
        lines = [json.loads(line) for line in out.read_text().splitlines()]
        for row in lines:
            if "case" in row:
                results[row["case"]] = row
        started = [row["starting"] for row in lines if "starting" in row]
        if proc.returncode == 0:
            break
        crashed = started[-1] if started else first
        crashes.append({"case": crashed, "returncode": proc.returncode,
                        "stderr": proc.stderr.decode(errors="replace")[-500:]})
        first = crashed + 1
    rows = sorted(results.values(), key=lambda r: r["case"])
    return summarize(rows, crashes, time.perf_counter() - t0)


def summarize(rows: list[dict], crashes: list[dict], seconds: float) -> dict:
    by_kind: dict = {}
    for r in rows:
        k = by_kind.setdefault(r["kind"], {"cases": 0, "one-line error": 0, "stated skip": 0, "accepted": 0,
                                           "seconds": 0.0})
        k["cases"] += 1
        k["seconds"] = round(k["seconds"] + r["seconds"], 1)
        key = ("one-line error" if r["outcome"].startswith("error: ") else
               "stated skip" if r["outcome"].startswith("skipped: ") else
               "accepted" if r["outcome"].startswith("accepted") else None)
        if key:
            k[key] += 1
    return {
        "cases": len(rows), "seconds": round(seconds, 1), "by_kind": by_kind,
        "tracebacks": [r for r in rows if r["outcome"].startswith(("TRACEBACK", "MULTI-LINE", "ACCEPTED"))],
        "hangs": [r for r in rows if r["seconds"] > HANG_S],
        "slowest_s": max((r["seconds"] for r in rows), default=0.0),
        "slowest": [f"{r['seconds']:.1f} s {r['what']}" for r in sorted(rows, key=lambda r: -r["seconds"])[:5]],
        "stray_files": [r for r in rows if r["stray_files"]],
        "loud": [r for r in rows if r["loud_native_lines"]],
        "crashes": crashes,
        "keras_code_config": [r for r in rows if r["case"] == -1],
        "outcomes": sorted({f"{r['what']} -> {r['outcome'][:110]}" for r in rows}),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=600)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--deep-keras", type=int, default=6, help="bit-flipped .keras cases (seconds each)")
    parser.add_argument("--json", type=Path, help="write the summary here")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--first", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)
    with tempfile.TemporaryDirectory() as tmp:
        summary = fuzz(args.cases, args.seed, Path(tmp), args.deep_keras)
    if args.json:
        args.json.write_text(json.dumps(summary, indent=1) + "\n")
    print(json.dumps({k: v for k, v in summary.items() if k != "outcomes"}, indent=1))
    bad = summary["tracebacks"] or summary["hangs"] or summary["stray_files"] or summary["crashes"] or summary["loud"]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
