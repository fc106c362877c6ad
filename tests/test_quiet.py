"""A quiet console: `signcam read` prints its result and nothing else, unless asked to be verbose."""
import os
import subprocess
import sys

import pytest

from signcam.quiet import NATIVE_LOG_LINE

NATIVE_LINES = [
    "E0000 00:00:1796149710.628510    4359 cuda_dnn.cc:8579] Unable to register cuDNN factory: Attempting to ...",
    "W0000 00:00:1796150203.337130    8736 inference_feedback_manager.cc:114] Feedback manager requires a model ...",
    "E0000 00:00:1796149710.642648    4359 cuda_executor.cc:1228] failed call to cuInit: INTERNAL: CUDA error",
    "INFO: Created TensorFlow Lite XNNPACK delegate for CPU.",
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
    "2025-01-02 10:11:12.131415: I tensorflow/core/util/port.cc:153] oneDNN custom operations are on.",
    "I0000 00:00:1796150203.1 8736 gl_context.cc:369] GL version: 2.1",
    "WARNING:absl:Compiled the loaded model, but the compiled metrics have yet to be built.",
]
OUR_LINES = ["signcam: error: not a valid model file: x.keras (truncated)", "Traceback (most recent call last):",
             "retrain [#####.....] 10/20 2.0/s eta 5s", "ERROR while reading", "  File \"x.py\", line 3"]


def test_native_log_formats_are_recognised_and_ours_are_not():
    assert all(NATIVE_LOG_LINE.match(line.encode()) for line in NATIVE_LINES)
    assert not any(NATIVE_LOG_LINE.match(line.encode()) for line in OUR_LINES)


def run_signcam(*args, **env):
    clean = {k: v for k, v in os.environ.items()  # as a user's shell has it: no log levels preset
             if k not in ("TF_CPP_MIN_LOG_LEVEL", "GLOG_minloglevel", "SIGNCAM_VERBOSE", "SIGNCAM_NATIVE_LOGS")}
    return subprocess.run([sys.executable, "-m", "signcam.cli", *args], capture_output=True, text=True,
                          env={**clean, **env}, timeout=300)


@pytest.fixture(scope="module")
def clip(teal_dir):
    return str(teal_dir / "B.mp4")


def test_read_prints_only_its_result(clip):
    run = run_signcam("read", clip)
    assert run.returncode == 0
    assert run.stdout == f"{clip}\tB\n"
    assert run.stderr == ""


def test_verbose_lets_the_native_lines_through(clip):
    for run in (run_signcam("read", clip, "--verbose"), run_signcam("read", clip, SIGNCAM_VERBOSE="1")):
        assert run.returncode == 0 and run.stdout == f"{clip}\tB\n"
        native = [line for line in run.stderr.splitlines() if NATIVE_LOG_LINE.match(line.encode())]
        assert native, run.stderr  # what the quiet run hides is really there


def test_an_error_is_exactly_one_line(clip, tmp_path):
    bad = tmp_path / "bad.tflite"
    bad.write_bytes(b"\0" * 64)
    (tmp_path / "labels.json").write_text('{"labels": ["A"], "input_size": 160}')
    run = run_signcam("read", "--model", str(bad), clip)
    assert run.returncode == 1 and run.stdout == ""
    assert run.stderr.splitlines() == [f"signcam: error: not a valid model file: {bad} (not a TFLite flatbuffer)"]


def test_the_default_runtime_never_imports_tensorflow():
    code = ("import sys; from signcam.letters.classifier import load_classifier; from signcam.vision.hands import MediaPipeHandTracker;"
            "c = load_classifier(); MediaPipeHandTracker().close(); print(c.path.name, 'tensorflow' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.stdout.split() == ["signcam_mobilenet_v2.tflite", "False"], run.stderr
