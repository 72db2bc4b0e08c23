"""The lazy Keras loader: nothing imported until asked, threads set, warmed once."""

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT,
                          env={"PATH": "/usr/bin:/bin", **env}, capture_output=True,
                          text=True, timeout=180)


def test_loader_imports_lazily_and_sets_thread_pools():
    result = run_python("""
        import sys
        from components import keras_loader
        assert "tensorflow" not in sys.modules and not keras_loader.is_keras_loaded()
        keras = keras_loader.load_keras()
        import tensorflow as tf
        assert keras_loader.load_keras() is keras
        print(keras.backend.backend(),
              tf.config.threading.get_intra_op_parallelism_threads(),
              tf.config.threading.get_inter_op_parallelism_threads())
    """, PLAYGROUND_TF_INTRA_THREADS="2", PLAYGROUND_TF_INTER_THREADS="1")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["tensorflow", "2", "1"]


def test_warm_up_runs_once_in_the_background_and_can_be_switched_off():
    result = run_python("""
        import sys, threading, time
        from components import keras_loader
        keras_loader.warm_keras_in_background(delay_seconds=0)
        keras_loader.warm_keras_in_background(delay_seconds=0)
        warmers = [t for t in threading.enumerate() if t.name == "keras-warmup"]
        deadline = time.time() + 120
        while not keras_loader.is_keras_loaded() and time.time() < deadline:
            time.sleep(0.2)
        print(len(warmers), keras_loader.is_keras_loaded())
    """)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["1", "True"]
    off = run_python("""
        import sys, time
        from components import keras_loader
        keras_loader.warm_keras_in_background(delay_seconds=0)
        time.sleep(1)
        print("tensorflow" in sys.modules)
    """, PLAYGROUND_WARM_KERAS="0")
    assert off.stdout.split() == ["False"], off.stderr[-2000:]


def test_streamlit_after_run_clear_session_does_nothing():
    """Streamlit calls keras.backend.clear_session() after every script run (and
    every fragment rerun): from Streamlit it must neither collect garbage nor clear
    TensorFlow's kernel cache under a training thread; others' calls pass on."""
    result = run_python("""
        import threading
        from components import keras_loader
        from core.keras_import import load_keras
        found = []
        threads = [threading.Thread(target=lambda: found.append(load_keras()))
                   for _ in range(3)]  # concurrent first imports: one module
        for thread in threads: thread.start()
        for thread in threads: thread.join()
        keras = found[0]
        assert all(module is keras for module in found)
        calls = []
        wrapped = keras.backend.clear_session
        import keras.src.backend.common.global_state as state
        real = state.clear_session
        # Record what the wrapper passes on (it captured the original function).
        cell = [c for c in wrapped.__closure__ if c.cell_contents is real][0]
        cell.cell_contents = lambda free_memory=True: calls.append(free_memory)
        exec("keras.backend.clear_session()",
             {"__name__": "streamlit.runtime.scriptrunner.script_runner",
              "keras": keras})
        keras.backend.clear_session()
        keras_loader.make_clear_session_gentle(keras)  # twice: wraps once
        print(calls, keras.backend.clear_session is wrapped)
    """, PLAYGROUND_TF_INTRA_THREADS="1")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split("\n")[-2] == "[True] True"
