"""A quiet console: native libraries' log lines are hidden unless --verbose or SIGNCAM_VERBOSE=1.

TensorFlow, XLA, absl, MediaPipe and TFLite write straight to file descriptor 2 from C++
(`failed call to cuInit`, `Unable to register cuDNN factory`, `Created TensorFlow Lite
XNNPACK delegate`, `Feedback manager requires ...`), at start-up and later, from any
thread, bypassing Python. So the commands point fd 2 at a pipe whose reader drops the lines
in those libraries' log formats and passes every other line on, while Python's own
`sys.stderr` (our one-line errors, tracebacks, progress bars) writes to the terminal directly.
"""
from __future__ import annotations

import atexit
import contextlib
import logging
import os
import re
import sys
import threading

VERBOSE_ENV = "SIGNCAM_VERBOSE"

# Line starts of the native log formats; any other line written to fd 2 is passed on.
NATIVE_LOG_LINE = re.compile(rb"""^(?:
      [IWE]\d{4}\s[\d:.]+\s+\d+\s[^\]\s]+:\d+\]      # absl / glog: W0000 00:00:1796149780.269 5135 file.cc:114]
    | \d{4}-\d\d-\d\d\s[\d:.]+:\s[IWE]\s              # TensorFlow's: 2025-01-01 12:00:00.000000: I tensorflow/...
    | WARNING:\sAll\slog\smessages\sbefore\sabsl::InitializeLog
    | (?:INFO|WARNING|ERROR|VERBOSE):\s               # TFLite's: INFO: Created TensorFlow Lite XNNPACK delegate
    | (?:INFO|WARNING|ERROR):(?:absl|tensorflow|h5py)   # Python logging of absl and TensorFlow, unconfigured
    | To\senable\sthe\sfollowing\sinstructions        # the second line of TensorFlow's CPU-feature notice
    # The decoders' own words about a damaged file, beside our one-line error:
    | \[[\w,]+\s@\s0x[0-9a-f]+\]\s                       # FFmpeg: [mov,mp4,m4a,3gp,3g2,mj2 @ 0x55d3] moov atom not found
    | \[\s?(?:WARN|ERROR|INFO|DEBUG):\d+@[\d.]+\]\s      # OpenCV's: [ WARN:0@0.052] global cap_ffmpeg_impl.hpp ...
    | libpng\s(?:warning|error):\s                     # libpng error: Read Error
    | (?:Premature\send\sof\sJPEG\sfile|Corrupt\sJPEG\sdata:|Not\sa\sJPEG\sfile:|Unsupported\smarker\stype
       |Invalid\sJPEG\sfile\sstructure|Bogus\s\w+|JPEG\sdatastream\scontains\sno\simage
       |Huffman\stable\s0x|Quantization\stable\s0x|Warning:\sthumbnail\simage)  # libjpeg's warnings
)""", re.X)

_filter: "_NativeLogFilter | None" = None


def verbose() -> bool:
    return os.environ.get(VERBOSE_ENV, "") not in ("", "0") or bool(os.environ.get("SIGNCAM_NATIVE_LOGS"))


def set_up_console(verbose_flag: bool = False) -> None:
    """Called first by every command. Quiet (the default): native log levels lowered and
    native log lines filtered out of fd 2. Verbose: everything as the libraries print it.
    The choice goes to child processes through the environment (the window's retraining)."""
    if verbose_flag:
        os.environ[VERBOSE_ENV] = "1"
    if verbose():
        return
    # Fewer lines are made at all; the filter catches those the libraries print regardless.
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    for name in ("tensorflow", "absl", "h5py"):
        logging.getLogger(name).setLevel(logging.ERROR)
    _install_filter()


def _install_filter() -> None:
    global _filter
    # Only when this process owns the console: under a test runner or an embedding program,
    # sys.stderr is theirs, and fd 2 is left as they set it.
    if _filter is not None or sys.stderr is not sys.__stderr__:
        return
    try:
        if sys.stderr.fileno() != 2:
            return
    except (AttributeError, OSError, ValueError):
        return
    _filter = _NativeLogFilter()


class _NativeLogFilter:
    def __init__(self):
        sys.stderr.flush()
        self.terminal = os.dup(2)
        read_end, write_end = os.pipe()
        os.dup2(write_end, 2)
        os.close(write_end)
        # Python's stderr goes to the terminal itself: synchronous, and still a tty for progress bars.
        sys.stderr = sys.__stderr__ = open(self.terminal, "w", buffering=1, encoding=sys.stderr.encoding,
                                           errors="backslashreplace", closefd=False)
        self.thread = threading.Thread(target=self._pump, args=(read_end,), name="native-log-filter", daemon=True)
        self.thread.start()
        atexit.register(self.close)

    def _pump(self, read_end: int) -> None:
        with os.fdopen(read_end, "rb", buffering=0) as pipe:
            pending = b""
            while chunk := pipe.read(65536):
                pending += chunk
                *lines, pending = pending.split(b"\n")
                for line in lines:
                    self._pass(line + b"\n")
            if pending:
                self._pass(pending)

    def _pass(self, line: bytes) -> None:
        if not NATIVE_LOG_LINE.match(line):
            os.write(self.terminal, line)

    def close(self) -> None:
        """At exit: fd 2 back to the terminal, which ends the pipe, and what is left in it is passed on."""
        sys.stderr.flush()
        os.dup2(self.terminal, 2)
        self.thread.join(timeout=1.0)


@contextlib.contextmanager
def native_stderr_silenced():
    """fd 2 to /dev/null for a moment (a library's loud start-up), unless verbose.

    Still needed where the filter is not installed (tests, programs importing signcam);
    Python errors surface as usual, since fd 2 is restored before they propagate.
    """
    if verbose():
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


def add_verbose_option(parser, subparsers=None) -> None:
    """`--verbose` on the command and on each sub-command (before or after its name)."""
    import argparse

    text = f"show the native libraries' log lines (TensorFlow, MediaPipe, TFLite); or set {VERBOSE_ENV}=1"
    parser.add_argument("--verbose", action="store_true", help=text)
    for sub in (subparsers.choices.values() if subparsers else ()):
        if "--verbose" not in sub._option_string_actions:  # `record --verbose` has its own meaning as well
            sub.add_argument("--verbose", action="store_true", default=argparse.SUPPRESS, help=text)


def quiet_native_logs() -> None:
    """The old name of `set_up_console()` (quiet, unless SIGNCAM_VERBOSE=1)."""
    set_up_console()
