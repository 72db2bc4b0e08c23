"""Load the NumPy lessons' libraries once per process, in the background.

The first student to open the perceptron lesson would otherwise import
scikit-learn, SciPy and pandas in the script thread: ~3 s during which that
process runs no other session's script (imports hold the interpreter lock). A
class opens lessons at the same moment, so the app shell starts this thread
when the server's first page runs; the first page renders before it starts.

TensorFlow is not here: only training lessons load it
(``components.keras_loader.warm_keras_in_background``).
Set ``PLAYGROUND_WARM_LESSONS=0`` to skip it (the test suite does).
"""

from __future__ import annotations

import gc
import importlib
import os
import threading
import time

# What the first views of the NumPy lessons import beyond the app shell
# (tests/components/test_warmup.py checks that the list is complete).
MODULES = (
    "pandas", "pandas.io.formats.style", "pyarrow.pandas_compat",
    "plotly.graph_objects", "plotly.io", "plotly.tools", "orjson", "scipy.special",
    "sklearn.datasets", "sklearn.linear_model", "skimage.data", "skimage.io",
    "components.activation_lab",
    "components.arch_lab", "components.arch_sections", "components.conv_lab",
    "components.conv_sections", "components.optimizers_race",
    "components.optimizers_batch", "components.perceptron_iris",
    "components.perceptron_sections", "components.smallest_sections",
)
ENV = "PLAYGROUND_WARM_LESSONS"
_lock = threading.Lock()
_thread: threading.Thread | None = None


def warm_imports() -> None:
    """Import every module of MODULES and read the small bundled data sets."""
    for name in MODULES:
        importlib.import_module(name)
    from core.perceptron import load_iris_petals

    load_iris_petals()


def settle_heap() -> None:
    """Collect garbage once, then exclude every object alive now (modules,
    classes, TensorFlow's graph registry…) from future garbage collections.

    Python's full collections scan every tracked object: with TensorFlow loaded,
    ~450,000 of them and ~0.23 s holding the interpreter lock, several times a
    minute under a class's load. Frozen, the same collection takes ~6 ms.
    Objects made later (sessions, figures) are collected as usual.
    """
    gc.collect()
    gc.freeze()


def warm_lessons_in_background(delay_seconds: float = 2.0) -> None:
    """Start ``warm_imports`` in a daemon thread, once per process."""
    global _thread
    if os.environ.get(ENV, "1") == "0":
        return
    with _lock:
        if _thread is not None:
            return

        def warm() -> None:
            time.sleep(delay_seconds)
            try:
                warm_imports()
                settle_heap()
            except Exception:  # noqa: BLE001 - the lesson imports it again and says why
                pass

        _thread = threading.Thread(target=warm, name="lessons-warmup", daemon=True)
        _thread.start()
