"""The optimizer lesson's NumPy against Keras and TensorFlow.

- the five landscapes' hand-written gradients against ``tf.GradientTape``;
- the NumPy SGD / momentum / RMSprop / Adam paths against real
  ``keras.optimizers`` stepping a ``keras.Variable`` (Hypothesis: starts,
  learning rates, functions, optimizers; float32 tolerance);
- the NumPy mini-batch path against ``Dense(1)`` + ``SGD`` + ``fit(batch_size=b,
  shuffle=False)`` on the same permuted arrays, epoch by epoch;
- the "show me the code" script reproduces the page's race.
"""

from __future__ import annotations

import contextlib
import io
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.batch_descent import (
    epoch_orders,
    iterations_per_epoch,
    make_regression_data,
    minibatch_descent,
)
from core.keras_import import load_keras
from core.landscapes import LANDSCAPES, nearest_minimum
from core.optim_keras import keras_path, race_script
from core.optimizers import OPTIMIZERS, run_optimizer, run_race, summarize_path

SLOW = settings(max_examples=8, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def tf():
    load_keras()
    import tensorflow

    return tensorflow


@SLOW
@given(key=st.sampled_from(sorted(LANDSCAPES)),
       x=st.floats(-3, 3, allow_nan=False), y=st.floats(-3, 3, allow_nan=False))
def test_analytic_gradients_match_gradient_tape(tf, key, x, y):
    landscape = LANDSCAPES[key]
    point = tf.Variable([x, y], dtype=tf.float64)
    with tf.GradientTape() as tape:
        loss = landscape.fn(point[0], point[1])
    expected = tape.gradient(loss, point).numpy()
    np.testing.assert_allclose(landscape.gradient(x, y), expected, rtol=1e-9,
                               atol=1e-9)
    np.testing.assert_allclose(landscape.fn(x, y), float(loss), rtol=1e-12)


def test_minima_are_stationary_and_lowest():
    for landscape in LANDSCAPES.values():
        for mx, my in landscape.minima:
            assert np.hypot(*landscape.gradient(mx, my)) < 1e-4, landscape.key
            assert landscape.fn(mx, my) < 1e-9
        for sx, sy in landscape.saddles:
            assert landscape.gradient(sx, sy) == (0, 0)


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(key=st.sampled_from(sorted(LANDSCAPES)), name=st.sampled_from(OPTIMIZERS),
       preset=st.sampled_from(["too_small", "good"]),
       dx=st.floats(-0.5, 0.5), dy=st.floats(-0.5, 0.5))
def test_numpy_paths_equal_keras_optimizer_paths(tf, key, name, preset, dx, dy):
    landscape = LANDSCAPES[key]
    start = (landscape.start[0] + dx, landscape.start[1] + dy)
    rate = landscape.presets[preset]
    mirror = run_optimizer(name, landscape, rate, 15, start)
    keras_run = keras_path(landscape, name, rate, 15, start)
    assert mirror.diverged_at == keras_run.diverged_at
    np.testing.assert_allclose(mirror.positions, keras_run.positions,
                               rtol=1e-4, atol=1e-5)


def test_divergence_is_found_at_the_same_step_as_keras(tf):
    landscape = LANDSCAPES["bowl"]
    mirror = run_optimizer("sgd", landscape, 100.0, 50, landscape.start)
    keras_run = keras_path(landscape, "sgd", 100.0, 50, landscape.start)
    assert mirror.diverged_at == keras_run.diverged_at == 3  # 1.7·199³ > 1e6
    assert len(mirror.positions) == 3  # the start and 2 finite steps
    assert summarize_path(mirror, landscape).outcome == "diverged"


def test_outcomes_still_saddle_and_arrival():
    bowl, saddle = LANDSCAPES["bowl"], LANDSCAPES["saddle"]
    at_minimum = summarize_path(run_optimizer("adam", bowl, 0.1, 20, (0.0, 0.0)), bowl)
    assert at_minimum.travelled == 0 and at_minimum.arrived_at == 0
    zero_rate = summarize_path(run_optimizer("sgd", bowl, 0.0, 20, (1.0, 1.0)), bowl)
    assert zero_rate.outcome == "still"
    stuck = summarize_path(run_optimizer("sgd", saddle, 0.1, 300, (-1.5, 0.0)), saddle)
    assert stuck.outcome == "stuck_saddle" and stuck.final_loss == pytest.approx(0.25)
    escaped = summarize_path(run_optimizer("sgd", saddle, 0.1, 300, (-1.5, 0.01)),
                             saddle)
    assert escaped.outcome == "arrived"
    assert nearest_minimum(saddle, 0, 0.9)[0] == (0.0, 1.0)


@pytest.mark.parametrize("batch_size", [5, 1])  # a partial last batch; SGD
def test_minibatch_path_equals_keras_fit_epoch_by_epoch(tf, batch_size):
    keras = load_keras()
    x, y = make_regression_data(seed=3)
    orders = epoch_orders(seed=3, num_samples=len(x), num_epochs=2, shuffle=True)
    path = minibatch_descent(x, y, batch_size, 0.05, orders)
    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05), loss="mse")
    model.set_weights([np.array([[path.weights[0, 0]]], "float32"),
                       np.array([path.weights[0, 1]], "float32")])
    per_epoch = iterations_per_epoch(len(x), batch_size)
    for epoch, order in enumerate(orders, start=1):
        model.fit(x[order].reshape(-1, 1), y[order], batch_size=batch_size, epochs=1,
                  shuffle=False, verbose=0)
        kernel, bias = model.get_weights()
        np.testing.assert_allclose([kernel[0, 0], bias[0]],
                                   path.weights[epoch * per_epoch],
                                   rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(path.epoch_losses[epoch - 1], float(
            model.evaluate(x.reshape(-1, 1), y, batch_size=24, verbose=0)), rtol=1e-4)


def test_the_code_panel_script_reproduces_the_numpy_race(tf):
    landscape, rate, steps = LANDSCAPES["rosenbrock"], 0.004, 20
    names = OPTIMIZERS
    script = race_script(landscape, names, rate, steps, landscape.start)
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        exec(compile(script, "optimizer_race.py", "exec"), {"__name__": "__main__"})
    lines = dict(line.strip().split(": ", 1) for line in output.getvalue().splitlines())
    race = run_race(landscape, names, rate, steps, landscape.start)
    assert race["momentum"].diverged_at == 14
    assert lines["momentum"] == "diverged at step 14"
    for name in ("sgd", "rmsprop", "adam"):
        x, y = (float(v) for v in re.findall(r"[xy] = (-?[\d.]+)", lines[name]))
        np.testing.assert_allclose((x, y), race[name].positions[-1], atol=2e-5)
