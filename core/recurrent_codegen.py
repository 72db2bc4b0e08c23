"""Show me the code: a runnable Keras script for the current forecasting setup
(the series, windowing, the chronological split, scaling on the training part,
SimpleRNN vs GRU vs LSTM, and the last-value baseline).

>>> script = forecast_script(SeriesSource("synthetic"), 12, 0.7, 0.15,
...                          units=8, epochs=2, learning_rate=0.01, seed=1)
>>> compile(script, SCRIPT_FILE_NAME, "exec") is not None
True
"""

from __future__ import annotations

from dataclasses import dataclass

SCRIPT_FILE_NAME = "recurrent_forecast.py"


@dataclass(frozen=True)
class SeriesSource:
    """Where the script's numbers come from."""

    kind: str  # "synthetic", "stocks" or "pasted"
    period: float = 24.0
    trend: float = 0.0
    noise: float = 0.1
    num_points: int = 300
    seed: int = 0
    values: tuple[float, ...] = ()


def _series_code(source: SeriesSource) -> str:
    if source.kind == "synthetic":
        return f'''# A synthetic series: sine + trend + noise (seeded).
steps = np.arange({source.num_points})
rng = np.random.default_rng({source.seed})
series = (np.sin(2 * np.pi * steps / {source.period!r}) + {source.trend!r} * steps
          + {source.noise!r} * rng.standard_normal(steps.size))'''
    if source.kind == "stocks":
        return '''# The monthly S&P 500 close (^GSPC) from matplotlib's sample data.
# Some rows are blank (no price that day): drop them.
import csv
import os

import matplotlib

path = os.path.join(matplotlib.get_data_path(), "sample_data", "Stocks.csv")
with open(path, encoding="utf-8") as handle:
    rows = [r for r in csv.reader(handle) if r and not r[0].startswith("#")]
column = rows[0].index("^GSPC")
series = np.array([float(r[column]) for r in rows[1:] if r[column].strip()])'''
    numbers = ", ".join(repr(float(v)) for v in source.values)
    return f"# Your own numbers.\nseries = np.array([{numbers}])"


def forecast_script(source: SeriesSource, window: int, train_fraction: float,
                    validation_fraction: float, units: int, epochs: int,
                    learning_rate: float, seed: int) -> str:
    """The whole comparison as one script that runs on its own."""
    return f'''"""Recurrent networks (循环神经网络) — Neural Playground.

Forecast the next value of a series from the last {window} values with SimpleRNN,
GRU and LSTM ({units} units each), and compare with the last-value baseline.
Run: python {SCRIPT_FILE_NAME}
"""
import keras
import numpy as np

{_series_code(source)}

# Windows: {window} past values -> the next one (horizon 1).
window = {window}
x = np.lib.stride_tricks.sliding_window_view(series[:-1], window)
y = series[window:]

# Chronological split: train, then validation, then test (never shuffled across).
num_train = int(len(y) * {train_fraction!r})
num_validation = int(len(y) * {validation_fraction!r})
cut_a, cut_b = num_train, num_train + num_validation

# Scale with the training part only: the future must not leak into training.
mean = series[:window + num_train].mean()
scale = series[:window + num_train].std() or 1.0
x_scaled = ((x - mean) / scale)[..., None].astype("float32")
y_scaled = ((y - mean) / scale).astype("float32")
x_train, y_train = x_scaled[:cut_a], y_scaled[:cut_a]
x_val, y_val = x_scaled[cut_a:cut_b], y_scaled[cut_a:cut_b]
x_test, y_test = x_scaled[cut_b:], y[cut_b:]


def rmse(forecast):
    return float(np.sqrt(np.mean((forecast - y_test) ** 2)))


results = {{"last value (naive)": rmse(x[cut_b:, -1])}}
for layer_class in (keras.layers.SimpleRNN, keras.layers.GRU, keras.layers.LSTM):
    keras.utils.set_random_seed({seed})
    model = keras.Sequential([
        keras.Input(shape=(window, 1)),
        layer_class({units}),
        keras.layers.Dense(1),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate={learning_rate!r}),
                  loss="mean_squared_error",
                  jit_compile=False)  # XLA costs more than it saves here
    model.fit(x_train, y_train, validation_data=(x_val, y_val),
              epochs={epochs}, batch_size=32, verbose=0)
    forecast = model.predict(x_test, verbose=0)[:, 0] * scale + mean
    results[layer_class.__name__] = rmse(forecast)
    print(layer_class.__name__, "parameters:", model.count_params())

for name, value in results.items():
    print(f"{{name:>20}}: test RMSE = {{value:.4f}}")
'''
