#!/usr/bin/env python3
"""The GPU check: `signcam bench --classifier-only` on a reference slice under every Keras back end
installed here, run from this checkout as it is, not installed.

    python tools/gpu_check.py gpu-check.npz [--out DIR] [--device gpu|cpu|auto] [--batch-sizes 1,8,32,128,512]

gpu-check.npz comes from a CPU machine with signcam installed:

    signcam bench --classifier-only CACHE.npz --limit 512 --device cpu \\
        --model models/signcam_mobilenet_v2.keras --write-reference gpu-check.npz

Needs Python 3.10-3.12 with numpy, keras 3 and jax or torch (with their CUDA libraries); no
TensorFlow, MediaPipe or OpenCV. Each back end runs in a process of its own (Keras takes its back
end once per process); its table, its JSON and the heavy modules it imported go to --out.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BACKENDS = ("jax", "torch", "tensorflow")
HEAVY = ("tensorflow", "mediapipe", "cv2")  # what the classifier-only path must not need


def signcam_from_checkout() -> None:
    """Make `import signcam` work from ROOT: the install maps the top-level training/ and models/
    folders into the package (pyproject.toml's package-dir), so do the same here."""
    sys.path.insert(0, str(ROOT))
    import signcam

    for name in ("training", "models"):
        spec = importlib.util.spec_from_file_location(f"signcam.{name}", ROOT / name / "__init__.py",
                                                      submodule_search_locations=[str(ROOT / name)])
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        setattr(signcam, name, module)


def run_one(args) -> int:
    os.environ["KERAS_BACKEND"] = args.backend
    signcam_from_checkout()
    from signcam.cli import main

    out = Path(args.out)
    argv = ["bench", str(args.cache), "--classifier-only", "--device", args.device, "--model", str(args.model),
            "--json", str(out / f"{args.backend}.json")]
    if args.batch_sizes:
        argv += ["--batch-sizes", args.batch_sizes]
    rc = main(argv)
    print(f"  imported     {', '.join(m for m in HEAVY if m in sys.modules) or 'none'} of {', '.join(HEAVY)}")
    return rc


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cache", type=Path, help="the slice --write-reference wrote (or any signcam cache)")
    parser.add_argument("--out", type=Path, default=Path("gpu-check-results"), help="folder for the results")
    parser.add_argument("--device", default="gpu", choices=("auto", "cpu", "gpu"))
    parser.add_argument("--batch-sizes", help="e.g. 1,8,32,128,512 (the default)")
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "signcam_mobilenet_v2.keras",
                        help="the .keras model (default: the bundled one)")
    parser.add_argument("--backend", choices=BACKENDS, help=argparse.SUPPRESS)  # one back end, in this process
    args = parser.parse_args()
    if args.backend:
        return run_one(args)
    args.out.mkdir(parents=True, exist_ok=True)
    installed = [b for b in BACKENDS if importlib.util.find_spec(b) is not None]
    if importlib.util.find_spec("keras") is None or not installed:
        print("gpu_check: error: needs keras 3 and one of jax, torch, tensorflow", file=sys.stderr)
        return 1
    failed = []
    for backend in installed:
        cmd = [sys.executable, __file__, str(args.cache.resolve()), "--out", str(args.out.resolve()),
               "--device", args.device, "--model", str(args.model.resolve()), "--backend", backend] + (["--batch-sizes", args.batch_sizes]
                                                                 if args.batch_sizes else [])
        print(f"== {backend}", flush=True)
        done = subprocess.run(cmd, capture_output=True, text=True)
        text = done.stdout + done.stderr
        (args.out / f"{backend}.txt").write_text(text)
        print(text, end="", flush=True)
        if done.returncode:
            failed.append(backend)
    summary = {b: json.loads((args.out / f"{b}.json").read_text()) for b in installed
               if (args.out / f"{b}.json").is_file()}
    (args.out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    print(f"results in {args.out}; failed: {', '.join(failed) or 'none'}")
    return 1 if len(failed) == len(installed) else 0


if __name__ == "__main__":
    sys.exit(main())
