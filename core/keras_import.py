"""Keras, imported once per process under one lock, from any thread.

TensorFlow's import is not safe to run in two threads at once: a second thread can
see half-initialised modules (e.g. "module 'tensorflow.python.data.ops.dataset_ops'
has no attribute 'DatasetV2'"). Every place that needs Keras — the server's warm-up,
a training thread, a "verify with Keras" click — goes through ``load_keras()``.
Thread counts are set before TensorFlow runs its first op (they cannot be changed
after).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from types import ModuleType

_lock = threading.Lock()
_keras: ModuleType | None = None
_after_import: list[Callable[[ModuleType], None]] = []


def _thread_count(name: str, default: int) -> int:
    try:
        return max(1, int(os.environ.get(name, default)))
    except ValueError:
        return default


def load_keras() -> ModuleType:
    """Import Keras on the TensorFlow backend (once) and return the module."""
    global _keras
    with _lock:
        if _keras is None:
            os.environ.setdefault("KERAS_BACKEND", "tensorflow")
            os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
            import tensorflow as tf

            intra = _thread_count("PLAYGROUND_TF_INTRA_THREADS", os.cpu_count() or 1)
            inter = _thread_count("PLAYGROUND_TF_INTER_THREADS", 1)
            try:
                tf.config.threading.set_intra_op_parallelism_threads(intra)
                tf.config.threading.set_inter_op_parallelism_threads(inter)
            except RuntimeError:  # TF already ran an op in this process
                pass
            import keras

            for callback in _after_import:
                callback(keras)
            _keras = keras
        return _keras


def on_import(callback: Callable[[ModuleType], None]) -> None:
    """Run ``callback(keras)`` right after Keras is imported (now, if it already is).

    Lets the UI layer adjust Keras for its server without core importing the UI.
    """
    with _lock:
        _after_import.append(callback)
        loaded = _keras
    if loaded is not None:
        callback(loaded)


def is_keras_loaded() -> bool:
    return _keras is not None
