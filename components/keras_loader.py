"""The one way pages get Keras: imported lazily, once per process, thread-safe.

Importing TensorFlow costs ~7–8 s and ~700 MB, so only pages that train or predict
call ``load_keras()``. The server warms it in a background thread shortly after
start so the first training page does not wait. Thread counts are set before
TensorFlow runs its first op (they cannot be changed after).
"""

from __future__ import annotations

import os
import threading
import time
from types import ModuleType

_lock = threading.Lock()
_keras: ModuleType | None = None
_warm_thread: threading.Thread | None = None


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

            _keras = keras
        return _keras


def is_keras_loaded() -> bool:
    return _keras is not None


def warm_keras_in_background(delay_seconds: float = 3.0) -> None:
    """Start importing Keras in a daemon thread, once per process.

    The delay lets the first page render before the import competes for the CPU.
    Set ``PLAYGROUND_WARM_KERAS=0`` to skip warming (e.g. for benchmarks).
    """
    global _warm_thread
    if os.environ.get("PLAYGROUND_WARM_KERAS", "1") == "0":
        return
    with _lock:
        if _warm_thread is not None:
            return

        def _warm() -> None:
            time.sleep(delay_seconds)
            load_keras()

        _warm_thread = threading.Thread(target=_warm, name="keras-warmup", daemon=True)
        _warm_thread.start()
