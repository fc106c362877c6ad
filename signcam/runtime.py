"""The native inference runtimes, loaded lazily and quietly: LiteRT for `.tflite` models (the
letter model's default export and the hand landmark model) and TensorFlow where a `.keras` model
or LiteRT's absence needs it. Shared by `signcam.vision` and `signcam.letters`, so neither has to
import the other for it."""
from __future__ import annotations

from .quiet import native_stderr_silenced


def import_tensorflow():
    """TensorFlow, with the log lines it prints from C++ while it starts hidden."""
    with native_stderr_silenced():
        import tensorflow as tf
    return tf


def tflite_interpreter_class():
    """LiteRT's interpreter: the same runtime as tf.lite without importing TensorFlow
    (about 600 MB of memory and seconds of start-up); tf.lite only if LiteRT is missing."""
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:
        Interpreter = import_tensorflow().lite.Interpreter
    return Interpreter
