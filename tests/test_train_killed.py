"""`signcam-train train` SIGKILLed part-way (as by the OOM killer): no model file is left to be
mistaken for a finished one, the checkpoint is whole, and `--resume` continues from it."""
import json
import os
import signal
import subprocess
import sys
import time

import keras


def test_train_killed_after_an_epoch_leaves_no_model_and_resume_finishes_it(tiny_original_cache, mobilenet_weights,
                                                                             tmp_path):
    out = tmp_path / "run"
    args = [sys.executable, "-m", "signcam.training.cli", "train", str(tiny_original_cache),
            "--weights", str(mobilenet_weights), "--out", str(out), "--val-fraction", "0",
            "--landmark-epochs", "2", "--head-epochs", "6", "--finetune-epochs", "2",
            "--steps-per-epoch", "2", "--batch-size", "8"]
    state_path = out / "checkpoints" / "state.json"
    child = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        # Killed as soon as its first epoch is saved. The wait is generous: on a loaded machine
        # TensorFlow's import alone can take minutes.
        deadline = time.monotonic() + 900
        while not state_path.is_file() and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert state_path.is_file(), child.communicate()[0][-2000:] if child.poll() is not None else "no epoch in 900 s"
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
    state = json.loads(state_path.read_text())
    assert state["phase"] == 0 and 1 <= state["epoch"] < 6, state  # killed in the head phase
    assert not (out / "model.keras").exists() and not (out / "labels.json").exists()
    keras.models.load_model(out / "checkpoints" / "last.keras", compile=False)  # whole, not half-written

    done = subprocess.run(args + ["--resume"], capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert f"resuming from phase 1, epoch {state['epoch']}" in done.stdout + done.stderr
    finished = json.loads(state_path.read_text())
    assert len(finished["history"]["loss"]) == 6 + 2  # the epochs before the kill are not trained again
    assert (out / "model.keras").is_file() and json.loads((out / "labels.json").read_text())["labels"] == ["A", "B", "L"]
