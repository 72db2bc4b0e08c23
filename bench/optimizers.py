"""Optimizers & loss landscapes: how fast the first view and the Keras race are
(not a test).

Targets, measured and reported, never asserted:

1. First view, server side: the page run through AppTest (NumPy only: the race
   of four optimizers × 200 steps, the animated map with its frames, the batch
   section) in ≤ 1.0 s per run, median of several runs. Also the parts: the
   NumPy race alone and the race figure built and serialised as
   ``st.plotly_chart`` does (``plotly.io.to_json``), with its size.
2. "Race with real Keras": keras.optimizers stepping a keras.Variable (one
   ``tf.function`` step) at ≥ 500 steps per second, so the default race (800
   steps) ends within a couple of seconds once Keras is loaded; the NumPy
   mirror's speed beside it, measured in the same run.

Writes ``bench/results/optimizers.json``.

Usage: ``.venv/bin/python bench/optimizers.py [--runs 5]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: make the app importable
    sys.path.insert(0, str(REPO))
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ["PLAYGROUND_WARM_KERAS"] = "0"  # measure the page, not the warm-up

RESULTS = REPO / "bench" / "results" / "optimizers.json"
TARGET_FIRST_VIEW_S = 1.0
TARGET_KERAS_STEPS_PER_S = 500.0
NAMES = ("sgd", "momentum", "rmsprop", "adam")


def _median_time(function, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def first_view(runs: int) -> dict:
    import plotly.io as pio
    from streamlit.testing.v1 import AppTest

    from components.optimizers_charts import race_figure
    from core.landscapes import LANDSCAPES, loss_grid
    from core.optimizers import run_race

    valley = LANDSCAPES["valley"]

    def page() -> None:
        app = AppTest.from_file(str(REPO / "pages" / "optimizers.py"),
                                default_timeout=60)
        app.run()
        assert not app.exception, [e.value for e in app.exception]

    page()  # imports and Streamlit's first-run costs
    race = run_race(valley, NAMES, 0.2, 200, valley.start)
    text = {"loss": "f", "minimum": "min", "saddle": "saddle", "start": "start",
            "play": "Play", "pause": "Pause", "step": "step",
            **{name: name for name in NAMES}}

    def figure() -> str:
        grid = loss_grid(valley, valley.window, num=91)
        return pio.to_json(race_figure(grid, False, valley.minima, (), race,
                                       valley.window, text))

    page_s = _median_time(page, runs)
    return {
        "what": f"AppTest run of pages/optimizers.py (defaults), median of {runs}",
        "page_s_median": round(page_s, 3),
        "target_s": TARGET_FIRST_VIEW_S,
        "ratio_to_target": round(page_s / TARGET_FIRST_VIEW_S, 2),
        "numpy_race_ms_median": round(1000 * _median_time(
            lambda: run_race(valley, NAMES, 0.2, 200, valley.start), runs), 1),
        "race_figure_ms_median": round(1000 * _median_time(figure, runs), 1),
        "race_figure_json_kb": round(len(figure()) / 1024, 1),
    }


def keras_race(runs: int) -> dict:
    from core.keras_import import load_keras
    from core.landscapes import LANDSCAPES
    from core.optim_keras import keras_path
    from core.optimizers import run_optimizer

    start = time.perf_counter()
    load_keras()
    import_s = time.perf_counter() - start
    valley, steps = LANDSCAPES["valley"], 200
    keras_s = _median_time(lambda: [keras_path(valley, name, 0.2, steps, valley.start)
                                    for name in NAMES], runs)
    numpy_s = _median_time(lambda: [run_optimizer(name, valley, 0.2, steps,
                                                  valley.start) for name in NAMES],
                           runs)
    total = steps * len(NAMES)
    keras_rate = total / keras_s
    return {
        "what": f"the default race ({len(NAMES)} optimizers × {steps} steps) with "
                f"real Keras (tf.function step, tracing included) and with the "
                f"NumPy mirrors; medians of {runs}",
        "keras_import_s": round(import_s, 2),
        "keras_race_s_median": round(keras_s, 3),
        "keras_steps_per_s": round(keras_rate),
        "target_keras_steps_per_s": TARGET_KERAS_STEPS_PER_S,
        "ratio_to_target": round(keras_rate / TARGET_KERAS_STEPS_PER_S, 2),
        "numpy_steps_per_s": round(total / numpy_s),
        "numpy_to_keras_speed_ratio": round(keras_s / numpy_s, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    import streamlit

    machine = {"date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
               "cpu_count": os.cpu_count(), "load_average_at_start": os.getloadavg(),
               "python": platform.python_version(), "platform": platform.platform(),
               "streamlit": streamlit.__version__}
    result = {"machine": machine, "first_view": first_view(runs),
              "keras_race": keras_race(runs)}
    machine["load_average_at_end"] = os.getloadavg()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
