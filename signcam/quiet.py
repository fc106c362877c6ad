"""Hiding native libraries' start-up chatter that bypasses Python's logging."""
from __future__ import annotations

import contextlib
import os
import sys


@contextlib.contextmanager
def native_stderr_silenced():
    """MediaPipe and TensorFlow print pages of C++ start-up warnings straight to fd 2.

    Hide only those moments (set SIGNCAM_NATIVE_LOGS=1 to see them); Python
    errors still surface, since stderr is restored before they propagate.
    """
    if os.environ.get("SIGNCAM_NATIVE_LOGS"):
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    with open(os.devnull, "wb") as devnull:
        os.dup2(devnull.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def quiet_native_logs() -> None:
    """Default MediaPipe (glog) and TensorFlow to errors only; a user's own setting wins."""
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
