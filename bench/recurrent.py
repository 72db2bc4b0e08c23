"""Recurrent networks: how fast the first view draws and how long the three-model
comparison trains (not a test).

Targets (measured and reported, never asserted):

1. First view, server side: the page run through AppTest with its defaults
   (NumPy only: the unrolled RNN, the counts, the NumPy gradient chart), median
   of several runs after one warm-up. Target ≤ 1.0 s, so a click on the step
   slider feels immediate. Also checked: TensorFlow is not imported by it.
2. Training: SimpleRNN, GRU and LSTM (16 units) one after another on the
   default synthetic series (300 points, window 12, 15 epochs) in the job's
   background thread, as the Train button does; median over runs after a
   warm-up run (TensorFlow's import and first tracing are reported apart).
   Target ≤ 30 s for the whole comparison on this 2-core machine, with epochs
   per second beside it.

Writes ``bench/results/recurrent.json``.

Usage: ``.venv/bin/python bench/recurrent.py [--runs 3]``
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
os.environ.setdefault("PLAYGROUND_WARM_KERAS", "0")

RESULTS = REPO / "bench" / "results" / "recurrent.json"
TARGET_FIRST_VIEW_S = 1.0
TARGET_TRAINING_S = 30.0


def first_view(runs: int) -> dict:
    """Seconds per AppTest run of the page (fresh session each time)."""
    from streamlit.testing.v1 import AppTest

    times = []
    for index in range(runs + 1):
        app = AppTest.from_file(str(REPO / "pages" / "recurrent.py"),
                                default_timeout=60)
        app.query_params["lang"] = "en"
        start = time.perf_counter()
        app.run()
        elapsed = time.perf_counter() - start
        assert not app.exception, [e.value for e in app.exception]
        if index:  # the first run imports the modules
            times.append(elapsed)
    return {"median_s": round(statistics.median(times), 3),
            "max_s": round(max(times), 3), "runs": runs,
            "tensorflow_imported": "tensorflow" in sys.modules}


def training(runs: int) -> dict:
    """Seconds for the three models with the page's default settings."""
    from components.recurrent_lab import DEFAULTS
    from core.keras_import import load_keras
    from core.recurrent_train import ForecastSettings, start_forecast
    from core.series import make_synthetic_series, split_series
    from core.training_slots import TrainingSlots

    start = time.perf_counter()
    load_keras()
    import_s = time.perf_counter() - start
    values = make_synthetic_series(DEFAULTS.points, DEFAULTS.period, DEFAULTS.trend,
                                   DEFAULTS.noise, DEFAULTS.data_seed)
    split = split_series(values, DEFAULTS.window, DEFAULTS.train_pct / 100,
                         DEFAULTS.val_pct / 100)
    settings = ForecastSettings(DEFAULTS.units, DEFAULTS.epochs, DEFAULTS.lr,
                                DEFAULTS.seed)
    times, rmse = [], {}
    for index in range(runs + 1):
        start = time.perf_counter()
        job = start_forecast(split, settings, TrainingSlots(1))
        job.wait()
        elapsed = time.perf_counter() - start
        snapshot = job.snapshot()
        assert snapshot.status == "finished", snapshot.details
        rmse = {k: round(v, 4) for k, v in snapshot.rmse.items()}
        if index:
            times.append(elapsed)
        else:
            warm_up = elapsed
    median = statistics.median(times)
    return {"keras_import_s": round(import_s, 2), "first_run_s": round(warm_up, 2),
            "median_s": round(median, 2), "runs": runs,
            "epochs_per_s": round(3 * settings.epochs / median, 2),
            "train_windows": split.num_train, "test_rmse": rmse}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    view = first_view(args.runs)
    train = training(args.runs)
    result = {
        "date": dt.date.today().isoformat(), "machine": platform.platform(),
        "cpus": os.cpu_count(), "load_average": os.getloadavg(),
        "first_view": view, "target_first_view_s": TARGET_FIRST_VIEW_S,
        "ratio_first_view_to_target": round(view["median_s"] / TARGET_FIRST_VIEW_S,
                                            2),
        "training": train, "target_training_s": TARGET_TRAINING_S,
        "ratio_training_to_target": round(train["median_s"] / TARGET_TRAINING_S, 2),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
