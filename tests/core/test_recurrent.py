"""Recurrent networks: NumPy against Keras and TensorFlow as the oracle.

- the unrolled NumPy forward pass equals ``SimpleRNN(return_sequences=True)``
  with the same weights (Hypothesis: sizes, sequences, seeds);
- the parameter formulas equal ``count_params()`` (Hypothesis: units, features);
- the NumPy Jacobian product equals ``tf.GradientTape`` for SimpleRNN, and the
  batched-diagonal tape trick equals a full ``tape.jacobian`` for GRU and LSTM;
- series parsing, windowing, splitting and scaling; a small GRU beats the
  last-value baseline on the synthetic series (divergence: the page test);
  the "show me the code" script runs.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.keras_import import load_keras
from core.recurrent import (
    KERAS_LAYERS,
    KINDS,
    hidden_states,
    input_gradient_norms,
    make_weights,
    parameter_count,
    parameter_rows,
    rnn_forward,
)
from core.recurrent_codegen import SeriesSource, forecast_script
from core.recurrent_train import (
    ForecastSettings,
    probe_sequence,
    start_forecast,
    tape_gradient_norms,
)
from core.series import (
    SeriesError,
    load_stock_series,
    make_synthetic_series,
    naive_forecast,
    parse_series,
    root_mean_squared_error,
    split_series,
)
from core.training_slots import TrainingSlots

SETTINGS = settings(max_examples=8, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def keras():
    return load_keras()


# --- the unrolled RNN ---------------------------------------------------------------


@SETTINGS
@given(units=st.integers(1, 4), features=st.integers(1, 3), length=st.integers(1, 8),
       seed=st.integers(0, 10_000), data=st.data())
def test_numpy_forward_equals_keras_simple_rnn(keras, units, features, length, seed,
                                               data):
    x = np.array(data.draw(st.lists(
        st.floats(-3, 3, allow_nan=False, width=32), min_size=length * features,
        max_size=length * features))).reshape(length, features)
    weights = make_weights(units, features, seed, scale=1.5)
    layer = keras.layers.SimpleRNN(units, return_sequences=True)
    layer.build((1, length, features))
    layer.set_weights(weights.keras_weights())
    expected = np.asarray(layer(x[None].astype("float32")))[0]
    np.testing.assert_allclose(hidden_states(weights, x), expected, atol=2e-5)


def test_step_numbers_add_up():
    weights = make_weights(3, 1, seed=5)
    steps = rnn_forward(weights, np.array([[0.5], [-1.0], [0.8]]))
    for before, step in zip(steps, steps[1:], strict=False):
        np.testing.assert_array_equal(step.a_prev, before.a)
    last = steps[-1]
    np.testing.assert_allclose(last.z, last.recurrent_part + last.input_part
                               + weights.b_a)
    expected = float((weights.w_ya @ last.a)[0] + weights.b_y[0])
    assert last.y_hat == pytest.approx(expected)


# --- parameter counts ---------------------------------------------------------------


@settings(max_examples=6, deadline=None)
@given(units=st.integers(1, 40), features=st.integers(1, 30))
def test_parameter_formulas_equal_count_params(keras, units, features):
    rows = {row.kind: row for row in parameter_rows(units, features)}
    for kind in KINDS:
        model = keras.Sequential([keras.Input((5, features)),
                                  getattr(keras.layers, KERAS_LAYERS[kind])(units),
                                  keras.layers.Dense(1)])
        assert rows[kind].total == model.count_params(), kind
        assert parameter_count(kind, units, features) == \
            model.layers[0].count_params()


def test_gru_reset_after_false_has_one_bias_per_gate(keras):
    layer = keras.layers.GRU(4, reset_after=False)
    layer.build((None, 3, 2))
    assert layer.count_params() == 3 * 4 * (4 + 2 + 1) \
        == parameter_count("gru", 4, 2) - 3 * 4


def test_unknown_layer_is_refused():
    with pytest.raises(ValueError, match="Unknown recurrent layer"):
        parameter_count("transformer", 2, 1)


# --- gradients through time ---------------------------------------------------------


@SETTINGS
@given(units=st.integers(1, 4), length=st.integers(2, 12), seed=st.integers(0, 999))
def test_numpy_jacobian_product_equals_gradient_tape(keras, units, length, seed):
    weights = make_weights(units, 1, seed, scale=1.2)
    layer = keras.layers.SimpleRNN(units)
    layer.build((None, length, 1))
    layer.set_weights(weights.keras_weights())
    x = probe_sequence(length, seed)
    np.testing.assert_allclose(input_gradient_norms(weights, x),
                               tape_gradient_norms(layer, x), rtol=2e-3, atol=1e-7)


def test_diagonal_trick_equals_per_unit_gradients(keras):
    """For the LSTM (no NumPy reference): one backward pass of the batched
    diagonal equals n separate gradients of a⟨T⟩'s units."""
    import tensorflow as tf

    keras.utils.set_random_seed(3)
    layer = keras.layers.LSTM(3)
    x = probe_sequence(10, 1)
    inputs = tf.constant(x[None].astype("float32"))
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(inputs)
        last = layer(inputs)
        units = [last[0, i] for i in range(3)]
    rows = np.array([np.asarray(tape.gradient(u, inputs))[0, :, 0] for u in units])
    expected = np.sqrt(np.sum(rows ** 2, axis=0))[::-1]
    np.testing.assert_allclose(tape_gradient_norms(layer, x), expected, rtol=1e-4)


def test_small_simple_rnn_gradients_vanish():
    norms = input_gradient_norms(make_weights(2, 1, seed=3), probe_sequence(40))
    assert norms[30] < 1e-6 * norms[0]


# --- series -------------------------------------------------------------------------


def test_parse_names_each_bad_entry_by_position():
    values, problems = parse_series("1, two, 3, nan, inf, 4")
    assert values is None
    assert [(p.code, p.position, p.text) for p in problems] == [
        ("not_number", 2, "two"), ("not_finite", 4, "nan"), ("not_finite", 5, "inf")]
    assert parse_series("  ")[1][0].code == "empty"
    assert parse_series("1，2；3")[0].tolist() == [1.0, 2.0, 3.0]  # Chinese commas


def test_split_is_chronological_and_scaled_on_training_only():
    values = np.arange(30.0)
    split = split_series(values, window=4, train_fraction=0.5,
                         validation_fraction=0.25)
    assert (split.num_train, split.num_validation, split.num_test) == (13, 6, 7)
    train_values = values[:4 + 13]
    assert split.mean == pytest.approx(train_values.mean())
    assert split.scale == pytest.approx(train_values.std())
    np.testing.assert_allclose(split.unscale(split.y_test), values[23:])
    np.testing.assert_allclose(split.unscale(split.x_test[0, :, 0]), values[19:23])
    np.testing.assert_allclose(naive_forecast(split), values[22:29])
    assert split.boundaries == (17, 23)


@pytest.mark.parametrize("window, length, fractions, code", [
    (0, 20, (0.7, 0.15), "bad_window"),
    (12, 14, (0.7, 0.15), "too_short"),
    (3, 10, (0.7, 0.05), "empty_validation"),
    (3, 10, (0.01, 0.5), "empty_train"),
    (3, 10, (0.86, 0.143), "empty_test"),
])
def test_impossible_splits_say_why(window, length, fractions, code):
    with pytest.raises(SeriesError) as caught:
        split_series(np.arange(float(length)), window, *fractions)
    assert caught.value.problem.code == code


def test_stock_series_drops_blank_rows():
    series = load_stock_series()
    assert len(series.values) > 300 and series.num_gaps > 0
    assert np.all(np.isfinite(series.values)) and series.values.min() > 100
    assert "1990-02-05" in series.gap_dates
    assert len(series.dates) == len(series.values)


# --- training -----------------------------------------------------------------------


def test_small_gru_beats_last_value_on_the_synthetic_series():
    values = make_synthetic_series(160, period=16, trend=0.0, noise=0.05, seed=0)
    split = split_series(values, window=8)
    job = start_forecast(split, ForecastSettings(units=8, epochs=8,
                                                 learning_rate=0.02, seed=1),
                         TrainingSlots(1), kinds=("gru",))
    assert job.wait(120)
    snapshot = job.snapshot()
    assert snapshot.status == "finished", snapshot.details
    naive = root_mean_squared_error(split.unscale(split.y_test), naive_forecast(split))
    assert snapshot.rmse["gru"] < naive
    assert len(snapshot.history["gru"]) == 8
    assert set(snapshot.gradients["gru"]) == {"init", "trained"}


def test_bad_settings_are_refused():
    split = split_series(np.arange(40.0), window=4)
    with pytest.raises(ValueError):
        start_forecast(split, ForecastSettings(learning_rate=0.0), TrainingSlots(1))


def test_code_script_runs(keras, capsys):
    """The script as shown, run with one of its three models to stay cheap (the
    job tests train GRU and LSTM)."""
    source = SeriesSource("pasted", values=tuple(np.sin(np.arange(40) / 3).tolist()))
    assert "rng = np.random.default_rng(4)" in forecast_script(
        SeriesSource("synthetic", seed=4), 6, 0.6, 0.2, 2, 1, 0.01, 0)
    script = forecast_script(source, 6, 0.6, 0.2, units=2, epochs=1,
                             learning_rate=0.01, seed=0)
    three = "(keras.layers.SimpleRNN, keras.layers.GRU, keras.layers.LSTM)"
    assert three in script
    compile(script, "recurrent_forecast.py", "exec")
    cheap = script.replace(three, "(keras.layers.SimpleRNN,)")
    exec(compile(cheap, "recurrent_forecast.py", "exec"), {"__name__": "__main__"})
    printed = capsys.readouterr().out
    for name in ("SimpleRNN", "last value (naive)"):
        assert f"{name}: test RMSE" in printed
    assert "SimpleRNN parameters: 11" in printed  # 2·(2 + 1 + 1) + Dense 3
