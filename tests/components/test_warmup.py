"""The background warm-up loads what the NumPy lessons' first views import, so
that the first student to open a lesson does not stall the whole class."""

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIRST_VIEWS = ("perceptron", "activations", "convolution", "architecture",
               "optimizers", "smallest_network")


def run_fresh(code: str) -> str:
    """Run ``code`` in a new interpreter (a fresh sys.modules) at the repo root."""
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True,
        text=True, timeout=300,
        env={**__import__("os").environ, "PLAYGROUND_WARM_KERAS": "0",
             "PLAYGROUND_WARM_LESSONS": "0"})
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip().splitlines()[-1]


def test_after_warming_no_first_view_imports_a_new_package():
    printed = run_fresh(f"""
        import sys
        from streamlit.testing.v1 import AppTest
        shell = AppTest.from_file("app.py", default_timeout=120)
        shell.query_params["lang"] = "en"
        shell.run()
        from components.warmup import warm_imports
        warm_imports()
        found = {{}}
        for page in {FIRST_VIEWS!r}:
            before = set(sys.modules)
            loaded = {{name.split(".")[0] for name in before}}
            app = AppTest.from_file(f"pages/{{page}}.py", default_timeout=120)
            app.query_params["lang"] = "en"
            app.run()
            assert not app.exception, [e.value for e in app.exception]
            new = {{name.split(".")[0] for name in set(sys.modules) - before}}
            found[page] = sorted(new - loaded)
        print(found)
    """)
    assert printed == str({page: [] for page in FIRST_VIEWS})


def test_the_warm_up_runs_once_in_the_background_and_never_loads_tensorflow():
    printed = run_fresh("""
        import os, sys, threading, time
        os.environ["PLAYGROUND_WARM_LESSONS"] = "1"
        from components import warmup
        warmup.warm_lessons_in_background(delay_seconds=0)
        warmup.warm_lessons_in_background(delay_seconds=0)
        names = [t.name for t in threading.enumerate()]
        warmup._thread.join(120)
        print(names.count("lessons-warmup"), "sklearn.linear_model" in sys.modules,
              "tensorflow" in sys.modules)
    """)
    assert printed == "1 True False"


def test_it_can_be_switched_off():
    printed = run_fresh("""
        from components import warmup
        warmup.warm_lessons_in_background(delay_seconds=0)
        print(warmup._thread)
    """)
    assert printed == "None"
