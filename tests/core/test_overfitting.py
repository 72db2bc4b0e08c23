"""Overfitting & regularisation: NumPy against NumPy's and Keras' own answers.

Polynomial fits against ``np.polyfit``; the early-stopping rule against
``keras.callbacks.EarlyStopping`` fed the same history; the constrained optima
against a brute-force search; the MLP's NumPy forward pass, penalty and parameter
count against ``model.predict``, ``model.losses`` and ``count_params()``; and a
seeded run in which the validation loss rises while the training loss falls.
"""

from __future__ import annotations

import contextlib
import io
import math
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.keras_import import load_keras
from core.overfit_codegen import overfit_script
from core.overfit_mlp import (
    MLPSettings,
    build_mlp,
    check_settings,
    count_parameters,
    forward,
    penalty,
    start_run,
    weight_stats,
)
from core.overfitting import (
    LOSS_CENTRE,
    POOL_SIZE,
    best_degree,
    diagnose,
    early_stopping,
    errors_by_degree,
    fit_polynomial,
    l1_constrained_minimum,
    l2_constrained_minimum,
    make_curve_data,
    quadratic_loss,
    soft_threshold,
)
from core.training_slots import TrainingSlots

# --- data and polynomials -----------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(num_train=st.integers(2, 30), degree=st.integers(0, 8),
       seed=st.integers(0, 10_000))
def test_polynomial_fit_matches_np_polyfit(num_train, degree, seed):
    data = make_curve_data(num_train, seed=seed)
    degree = min(degree, num_train - 1)  # np.polyfit needs a unique answer
    ours = fit_polynomial(data.x_train, data.y_train, degree)
    np.testing.assert_allclose(np.polyval(ours, data.x_val),
                               np.polyval(np.polyfit(data.x_train, data.y_train,
                                                     degree), data.x_val),
                               rtol=1e-6, atol=1e-6)


def test_more_points_keep_the_old_ones_and_seeds_repeat():
    small, large = make_curve_data(5, seed=3), make_curve_data(12, seed=3)
    np.testing.assert_array_equal(small.x_train, large.x_train[:5])
    np.testing.assert_array_equal(small.x_val, large.x_val)
    assert not np.array_equal(small.x_train, make_curve_data(5, seed=4).x_train)


def test_the_validation_error_is_u_shaped_and_training_error_falls():
    fits = errors_by_degree(make_curve_data(12, seed=0))
    train = [fit.train_error for fit in fits]
    assert all(b <= a + 1e-12 for a, b in zip(train, train[1:], strict=False))
    assert train[-1] < 1e-10  # degree 11 through 12 points: through every one
    best = fits[best_degree(fits)]
    assert 2 <= best.degree <= 7
    assert diagnose(fits[0], best) == "underfitting"
    assert diagnose(fits[-1], best) == "overfitting"
    assert fits[-1].val_error > 3 * best.val_error


@pytest.mark.parametrize("num_train", [1, 0, POOL_SIZE + 1])
def test_impossible_training_set_sizes_are_refused(num_train):
    with pytest.raises(ValueError, match="training set needs 2 to"):
        make_curve_data(num_train)


# --- early stopping -------------------------------------------------------------


class _FakeModel:
    stop_training = False


def keras_early_stopping(val_losses: list[float], patience: int) -> tuple:
    """Feed Keras' own callback the history, epoch by epoch, as fit would."""
    keras = load_keras()
    callback = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience)
    model = _FakeModel()
    callback.set_model(model)
    callback.on_train_begin()
    for epoch, loss in enumerate(val_losses):
        callback.on_epoch_end(epoch, {"val_loss": loss})
        if model.stop_training:
            return callback.best_epoch + 1, epoch + 1
    return callback.best_epoch + 1, None


@settings(max_examples=40, deadline=None)
@given(val_losses=st.lists(st.sampled_from([0.5, 0.6, 0.7, 0.8, 0.9, 1.0]),
                           min_size=1, max_size=30),
       patience=st.integers(0, 6))
def test_early_stopping_matches_keras(val_losses, patience):
    ours = early_stopping(val_losses, patience)
    assert (ours.best_epoch, ours.stop_epoch) == keras_early_stopping(val_losses,
                                                                      patience)


# --- the diamond and the circle ---------------------------------------------------


def _grid_minimum(t: float, kind: str) -> float:
    """The smallest loss over a fine polar grid of the region (brute force)."""
    angles = np.linspace(0, 2 * np.pi, 721)
    radii = np.linspace(0, 1, 201)[:, None]
    u, v = np.cos(angles), np.sin(angles)
    if kind == "l1":  # the diamond's boundary point in each direction
        scale = t / (np.abs(u) + np.abs(v))
    else:
        scale = np.full_like(u, t)
    return float(quadratic_loss(radii * scale * u, radii * scale * v).min())


@settings(max_examples=10, deadline=None)
@given(t=st.floats(0.05, 3.0))
def test_constrained_optima_beat_a_brute_force_search(t):
    for kind, solve, norm in (("l1", l1_constrained_minimum, 1),
                              ("l2", l2_constrained_minimum, 2)):
        w = solve(t)
        assert np.linalg.norm(w, norm) <= t * (1 + 1e-9)
        ours, searched = float(quadratic_loss(w[0], w[1])), _grid_minimum(t, kind)
        assert ours <= searched + 1e-9
        assert ours >= searched - 1e-2 * (1 + ours)


def test_the_diamond_gives_an_exact_zero_and_the_circle_does_not():
    diamond, circle = l1_constrained_minimum(1.0), l2_constrained_minimum(1.0)
    assert diamond[1] == 0.0 and diamond[0] == 1.0
    assert abs(circle[0]) > 0.1 and abs(circle[1]) > 0.1
    np.testing.assert_array_equal(l1_constrained_minimum(10.0), LOSS_CENTRE)
    with pytest.raises(ValueError, match="t must be"):
        l1_constrained_minimum(-1.0)


def test_soft_thresholding_zeroes_small_values_exactly():
    z = np.array([-0.2, 0.05, 0.75, -3.0])
    out = soft_threshold(z, 0.25)
    assert out.tolist() == [0.0, 0.0, 0.5, -2.75]
    assert (out == 0).sum() == 2  # exact zeros, unlike gradient steps on |w|


# --- the MLP against Keras ----------------------------------------------------------


@pytest.fixture(scope="module")
def trained():
    """A few epochs of the lesson's MLP with both penalties and dropout."""
    keras = load_keras()
    chosen = MLPSettings(l2=0.01, l1=0.003, dropout_rate=0.3, epochs=3)
    keras.utils.set_random_seed(0)
    model = build_mlp(keras, chosen)
    data = make_curve_data(12, seed=0)
    model.fit(data.x_train.reshape(-1, 1), data.y_train, epochs=3, verbose=0)
    return model, chosen, data


def test_numpy_forward_penalty_and_count_match_keras(trained):
    model, chosen, data = trained
    weights = model.get_weights()
    predicted = model.predict(data.x_val.reshape(-1, 1), verbose=0)[:, 0]
    np.testing.assert_allclose(forward(weights, data.x_val), predicted, rtol=1e-4,
                               atol=1e-5)
    keras_penalty = float(sum(float(loss) for loss in model.losses))
    assert penalty(weights, chosen.l1, chosen.l2) == pytest.approx(keras_penalty,
                                                                   rel=1e-5)
    assert count_parameters() == model.count_params() == 4353
    # val_loss = MSE + penalty, as Keras' evaluate reports it (dropout off).
    evaluated = model.evaluate(data.x_val.reshape(-1, 1), data.y_val, verbose=0,
                               return_dict=True)
    ours = np.mean((forward(weights, data.x_val) - data.y_val) ** 2)
    assert ours == pytest.approx(evaluated["mse"], rel=1e-4)
    assert ours + penalty(weights, chosen.l1, chosen.l2) == pytest.approx(
        evaluated["loss"], rel=1e-4)


@pytest.mark.parametrize("bad", [MLPSettings(dropout_rate=1.0),
                                 MLPSettings(l2=-0.1), MLPSettings(l1=math.inf),
                                 MLPSettings(epochs=0)])
def test_bad_settings_are_refused(bad):
    with pytest.raises(ValueError):
        check_settings(bad)


def test_without_regularisation_validation_loss_rises_and_l2_shrinks_weights():
    data, slots = make_curve_data(12, seed=0), TrainingSlots(2)
    plain = start_run(data, MLPSettings(epochs=80, learning_rate=0.02), slots)
    shrunk = start_run(data, MLPSettings(l2=0.01, epochs=80,
                                               learning_rate=0.02),
                       slots)
    assert plain.wait(120) and shrunk.wait(120)
    first, second = plain.snapshot(), shrunk.snapshot()
    assert first.status == second.status == "finished"
    val = [r.val_mse for r in first.records]
    train = [r.mse for r in first.records]
    best = int(np.argmin(val))
    assert 5 < best < 60
    assert val[-1] > 1.3 * val[best]  # it rose again after its minimum
    assert train[-1] < 0.5 * train[best]  # while the training loss kept falling
    assert weight_stats(second.weights).l2_norm < 0.5 * weight_stats(
        first.weights).l2_norm
    stop = early_stopping([r.val_loss for r in first.records], patience=20)
    assert stop.best_epoch == best + 1 and stop.stop_epoch == best + 21


def test_an_exploding_learning_rate_stops_with_diverged_and_keeps_the_curves():
    job = start_run(make_curve_data(12, seed=0),
                    MLPSettings(epochs=30, learning_rate=5.0), TrainingSlots(1))
    assert job.wait(60)
    snapshot = job.snapshot()
    assert snapshot.status == "diverged"
    assert 1 <= snapshot.details["epoch"] <= 30
    assert len(snapshot.records) == snapshot.details["epoch"]


def test_the_code_script_runs():
    script = overfit_script(10, 0, MLPSettings(l1=0.001, dropout_rate=0.2,
                                               epochs=2), patience=2)
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        exec(compile(script, "overfitting_mlp.py", "exec"), {"__name__": "__main__"})
    text = output.getvalue()
    assert "ran 2 epochs" in text and "Total params: 4,353" in text
    assert "exactly 0:" in text


def test_stop_ends_a_long_run_and_keeps_what_it_learnt():
    job = start_run(make_curve_data(12, seed=0), MLPSettings(epochs=2000),
                    TrainingSlots(1))
    deadline = time.monotonic() + 60
    while len(job.snapshot().records) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    job.stop()
    assert job.wait(60)
    snapshot = job.snapshot()
    assert snapshot.status == "stopped"
    assert 3 <= len(snapshot.records) < 2000 and snapshot.weights is not None
