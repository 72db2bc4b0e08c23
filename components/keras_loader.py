"""Keras for pages: ``core.keras_import.load_keras`` plus the server's warm-up.

Importing TensorFlow costs ~7–8 s and ~700 MB, so only pages that train or predict
call ``load_keras()``. The server warms it in a background thread shortly after
start so the first training page does not wait. Thread counts are set before
TensorFlow runs its first op (they cannot be changed after).
"""

from __future__ import annotations

import os
import sys
import threading
import time
from types import ModuleType

from components.warmup import settle_heap
from core.keras_import import is_keras_loaded, load_keras, on_import

__all__ = ["is_keras_loaded", "load_keras", "warm_keras_in_background"]

_lock = threading.Lock()
_warm_thread: threading.Thread | None = None


def make_clear_session_gentle(keras: ModuleType) -> None:
    """Make Streamlit's after-run ``keras.backend.clear_session()`` a no-op.

    Streamlit's script runner calls it after every run, including each rerun of a
    live chart's fragment (ten a second in the playground). It costs the training
    threads dearly:

    - its default ``free_memory=True`` is a full garbage collection, ~280 ms with
      TensorFlow loaded, holding the GIL (a training thread fell to about one step
      per second);
    - it clears TensorFlow's kernel cache, so every op of a training thread
      starts cold again (the playground fell from ~1,000 to ~20 steps per second);
    - it resets Keras' name counters for every thread, mid-build.

    The app builds its models in worker threads with explicit names and never
    relies on that reset, so calls from ``streamlit.*`` do nothing; everyone
    else's calls are unchanged.
    """
    original = keras.backend.clear_session
    if getattr(original, "_playground_gentle", False):
        return

    def clear_session(free_memory: bool = True) -> None:
        caller = sys._getframe(1).f_globals.get("__name__", "")
        if caller.startswith("streamlit."):
            return None
        return original(free_memory=free_memory)

    clear_session._playground_gentle = True  # type: ignore[attr-defined]
    keras.backend.clear_session = clear_session


on_import(make_clear_session_gentle)


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
            settle_heap()  # TensorFlow's objects: never scanned by the GC again

        _warm_thread = threading.Thread(target=_warm, name="keras-warmup", daemon=True)
        _warm_thread.start()
