"""Overfitting & regularisation: first-view time, live-view frame time and
training speed (not a test).

Targets, measured and reported, never asserted:

1. First view (NumPy only, server side): the page script run by AppTest — all
   polynomial fits, the U curve, the diamond and circle — in ≤ 300 ms once warm.
   The first run (imports included) is reported beside it, and whether TensorFlow
   got imported (it must not).
2. Live frame: what the fragment builds twice a second while a run trains — the
   loss figure with three earlier 400-epoch runs plus the current one, and the
   network's curve (NumPy forward pass on 241 points) — in ≤ 50 ms.
3. Training: epochs per second of the lesson's MLP (1 → 64 → 64 → 1, 12 points,
   400 epochs) as the page trains it (one full batch per epoch from a repeated
   dataset, val_loss computed in NumPy), against ``model.fit`` with
   ``validation_data`` as arrays (what the code panel does). Target ≥ 40 epochs/s.

Writes ``bench/results/overfitting.json``.

Usage: ``.venv/bin/python bench/overfitting.py [--repeats 5]``
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
os.environ.setdefault("PLAYGROUND_WARM_KERAS", "0")  # measure the page, not TF

RESULTS = REPO / "bench" / "results" / "overfitting.json"
TARGET_FIRST_VIEW_MS, TARGET_FRAME_MS, TARGET_EPOCHS_PER_S = 300.0, 50.0, 40.0
EPOCHS = 400


def first_view(repeats: int) -> dict:
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(REPO / "pages" / "overfitting.py"),
                            default_timeout=120)
    began = time.perf_counter()
    app.run()
    first = time.perf_counter() - began
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        app.run()
        times.append(time.perf_counter() - began)
    assert not app.exception, [e.value for e in app.exception]
    return {"first_run_ms": round(1000 * first), "median_ms": round(
        1000 * statistics.median(times), 1), "charts": len(app.get("plotly_chart")),
        "tensorflow_imported": "tensorflow" in sys.modules}


def live_frame(repeats: int) -> dict:
    import numpy as np
    import plotly.io

    from components import overfit_charts as charts
    from components.overfit_sections import GRID
    from core.overfit_mlp import forward
    from core.overfitting import make_curve_data, true_curve

    rng = np.random.default_rng(0)
    epochs = list(range(1, EPOCHS + 1))
    runs = [{"label": f"run {i}", "colour": "#56B4E9", "epochs": epochs,
             "loss": list(rng.uniform(0.01, 1, EPOCHS)),
             "val_loss": list(rng.uniform(0.05, 1, EPOCHS))} for i in range(4)]
    weights = [rng.normal(size=s).astype("float32") for s in (
        (1, 64), (64,), (64, 64), (64,), (64, 1), (1,))]
    data = make_curve_data(12)
    text = {k: k for k in ("title", "x", "y", "loss", "val_loss", "best", "stop",
                           "train", "val", "truth", "network")}
    times = []
    for _ in range(repeats * 10):
        began = time.perf_counter()
        figures = [charts.loss_figure(runs, {"best": 35, "stop": 55}, text),
                   charts.network_fit_figure(
                       (data.x_train, data.y_train, data.x_val, data.y_val), GRID,
                       true_curve(GRID), forward(weights, GRID), text)]
        for figure in figures:  # what st.plotly_chart does with a Figure
            plotly.io.to_json(figure, validate=False)
        times.append(time.perf_counter() - began)
    return {"median_ms": round(1000 * statistics.median(times), 1),
            "p95_ms": round(1000 * sorted(times)[int(0.95 * (len(times) - 1))], 1)}


def training(repeats: int) -> dict:
    import numpy as np

    from core.keras_import import load_keras
    from core.overfit_mlp import MLPSettings, build_mlp, start_run
    from core.overfitting import make_curve_data
    from core.training_slots import TrainingSlots

    keras = load_keras()
    data, settings = make_curve_data(12), MLPSettings(epochs=EPOCHS)
    page_rates = []
    for _ in range(repeats):
        job = start_run(data, settings, TrainingSlots(1))
        job.wait()
        snapshot = job.snapshot()
        page_rates.append(len(snapshot.records) / snapshot.seconds)
    x, y, x_val, y_val = (np.asarray(v, "float32").reshape(-1, 1) for v in (
        data.x_train, data.y_train, data.x_val, data.y_val))
    plain_rates = []
    for _ in range(max(1, repeats // 2)):
        model = build_mlp(keras, MLPSettings())
        began = time.perf_counter()
        model.fit(x, y, batch_size=len(x), epochs=EPOCHS // 4, verbose=0,
                  validation_data=(x_val, y_val))
        plain_rates.append((EPOCHS // 4) / (time.perf_counter() - began))
    return {"page_epochs_per_s_median": round(statistics.median(page_rates), 1),
            "fit_with_validation_data_epochs_per_s_median": round(
                statistics.median(plain_rates), 1),
            "speed_up": round(statistics.median(page_rates)
                              / statistics.median(plain_rates), 1)}


def main() -> None:
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)  # no session here
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    view = first_view(args.repeats)  # before Keras is imported
    frame = live_frame(args.repeats)
    train = training(args.repeats)
    result = {
        "date": dt.date.today().isoformat(), "machine": platform.platform(),
        "cpus": os.cpu_count(), "load_average": os.getloadavg()[0],
        "targets": {"first_view_ms": TARGET_FIRST_VIEW_MS,
                    "live_frame_ms": TARGET_FRAME_MS,
                    "epochs_per_s": TARGET_EPOCHS_PER_S},
        "first_view": view, "live_frame": frame, "training": train,
        "ratios_to_target": {
            "first_view": round(view["median_ms"] / TARGET_FIRST_VIEW_MS, 2),
            "live_frame": round(frame["median_ms"] / TARGET_FRAME_MS, 2),
            "epochs_per_s": round(train["page_epochs_per_s_median"]
                                  / TARGET_EPOCHS_PER_S, 2)},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
