"""Importing mediapipe without the TensorFlow it does not need.

mediapipe 0.10.21's `__init__` imports its Tasks API, whose `optional_dependencies` module
tries `from tensorflow.tools.docs import doc_controls` only to mark functions for doc
generation, and falls back to a no-op when TensorFlow is absent. With TensorFlow installed
(signcam's training needs it) that one line imports all of it: about 600 MB of memory and
several seconds before the first frame, and nothing of it is used by the hand tracker.
Putting mediapipe's own fallback in place first keeps TensorFlow out; if TensorFlow is
already imported (a .keras model), mediapipe gets the real module as usual.
"""
from __future__ import annotations

import sys
import types

_OPTIONAL = "mediapipe.tasks.python.core.optional_dependencies"


def import_mediapipe():
    if "tensorflow" not in sys.modules and _OPTIONAL not in sys.modules:
        stub = types.ModuleType(_OPTIONAL, "mediapipe's fallback when TensorFlow is absent (see signcam)")
        stub.doc_controls = types.SimpleNamespace(do_not_generate_docs=lambda obj: obj)
        sys.modules[_OPTIONAL] = stub
    import mediapipe

    return mediapipe
