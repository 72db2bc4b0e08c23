"""The smallest neural network: one Keras neuron on the documents' six points.

Oracles: Keras itself (its MSE at any (w, b), its recorded loss), NumPy's
``polyfit`` for least squares, plain NumPy gradient descent for the whole
trajectory, and the generated script run next to the app's own training.
"""

import ast
import contextlib
import io
import math
import re
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.keras_import import load_keras
from core.smallest_network import (
    DEFAULT_SEED,
    DOCUMENTS_RUN,
    DOCUMENTS_X,
    DOCUMENTS_Y,
    MAX_POINTS,
    VALUE_LIMIT,
    FitSettings,
    Points,
    build_model,
    fit_script,
    float_literal,
    format_number,
    gradient_descent,
    least_squares,
    loss_surface,
    max_stable_learning_rate,
    mean_squared_error,
    parse_points,
    start_fit,
    start_w_for_loss,
    step_snippets,
    surface_window,
)
from core.training import TrainingSlots

DOCUMENTS = Points(DOCUMENTS_X, DOCUMENTS_Y)


def train(settings: FitSettings, points: Points = DOCUMENTS, timeout: float = 300):
    job = start_fit(points, settings, slots=TrainingSlots(1))
    assert job.wait(timeout), "the training did not end in time"
    return job, job.snapshot()


@pytest.fixture(scope="module")
def documents_run():
    """The documents' settings: SGD at 0.01 for 500 epochs, our default seed."""
    return train(FitSettings())


@pytest.fixture(scope="module")
def fast_run():
    """A larger (still stable) learning rate: converges to 2x − 1 exactly."""
    return train(FitSettings(learning_rate=0.05, epochs=500, seed=7))


# --- Keras training ------------------------------------------------------------


def test_the_neuron_learns_y_equals_2x_minus_1(fast_run):
    job, snapshot = fast_run
    assert snapshot.status == "finished"
    w, b = snapshot.final
    assert w == pytest.approx(2.0, abs=1e-3) and b == pytest.approx(-1.0, abs=1e-3)
    assert job.predict(10.0) == pytest.approx(19.0, abs=0.05)  # 2·10 − 1
    assert job.predict(5.0) == pytest.approx(9.0, abs=0.05)  # the documents' 8.995
    assert snapshot.final_loss < 1e-6


def test_the_documents_settings_reproduce_the_documents_figures(documents_run):
    job, snapshot = documents_run
    records = snapshot.points
    assert [p.epoch for p in records] == list(range(1, 501))
    assert records[0].loss == pytest.approx(DOCUMENTS_RUN["first_loss"], abs=0.05)
    assert records[-1].loss == pytest.approx(DOCUMENTS_RUN["last_loss"], rel=0.05)
    w, b = snapshot.final
    assert w == pytest.approx(DOCUMENTS_RUN["w"], abs=2e-4)
    assert b == pytest.approx(DOCUMENTS_RUN["b"], abs=5e-4)
    assert job.predict(5.0) == pytest.approx(DOCUMENTS_RUN["prediction"], abs=1e-3)
    # Calling the model directly gives what model.predict gives.
    predicted = job.model.predict(np.array([[5.0], [-3.5]], dtype="float32"), verbose=0)
    assert [job.predict(5.0), job.predict(-3.5)] == pytest.approx(
        predicted[:, 0].tolist(), abs=1e-6)
    assert "Total params: 2" in snapshot.summary
    assert "neuron (Dense)" in snapshot.summary
    assert snapshot.seconds > 0


def test_every_recorded_loss_is_the_numpy_mse_of_the_recorded_w_and_b(documents_run):
    _, snapshot = documents_run
    records = snapshot.points
    w = np.array([p.w for p in records])
    b = np.array([p.b for p in records])
    keras_loss = np.array([p.loss for p in records])
    np.testing.assert_allclose(keras_loss, mean_squared_error(DOCUMENTS, w, b),
                               rtol=1e-4, atol=1e-7)
    assert snapshot.final_loss == pytest.approx(
        float(mean_squared_error(DOCUMENTS, *snapshot.final)), rel=1e-3, abs=1e-9)


def test_the_keras_path_is_plain_gradient_descent(documents_run):
    """Each epoch is one full-batch step w ← w − lr·∂L/∂w: NumPy, started from
    Keras' random w₀ (b₀ = 0), walks the same path."""
    _, snapshot = documents_run
    start = snapshot.points[0]
    assert start.b == 0.0 and abs(start.w) <= math.sqrt(3)  # Glorot uniform, 1 → 1
    w, b, loss = gradient_descent(DOCUMENTS, start.w, start.b, 0.01, 500)
    np.testing.assert_allclose([p.w for p in snapshot.points], w[:-1], atol=2e-5)
    np.testing.assert_allclose([p.b for p in snapshot.points], b[:-1], atol=2e-5)
    np.testing.assert_allclose(snapshot.final, (w[-1], b[-1]), atol=2e-5)
    np.testing.assert_allclose([p.loss for p in snapshot.points], loss[:-1],
                               rtol=1e-3, atol=1e-7)


@pytest.mark.parametrize("learning_rate", [0.2, 1.0])
def test_too_large_a_learning_rate_is_stopped_as_diverged(learning_rate):
    assert learning_rate > max_stable_learning_rate(DOCUMENTS)
    job, snapshot = train(FitSettings(learning_rate=learning_rate, epochs=500))
    assert snapshot.status == "diverged"
    epoch = snapshot.details["epoch"]
    assert 1 < epoch < 50 and len(snapshot.points) == epoch  # kept what happened
    losses = [p.loss for p in snapshot.points]
    assert losses[-1] > 100 * losses[0] or not math.isfinite(losses[-1])
    assert job.predict(10.0) is None and snapshot.final_loss is None


def test_just_below_the_stable_limit_it_converges():
    rate = round(0.9 * max_stable_learning_rate(DOCUMENTS), 3)  # 0.159
    _, snapshot = train(FitSettings(learning_rate=rate, epochs=150))
    assert snapshot.status == "finished"
    assert snapshot.final[0] == pytest.approx(2.0, abs=1e-2)


def test_stop_ends_the_run_early_and_keeps_the_model():
    job = start_fit(DOCUMENTS, FitSettings(epochs=3000), slots=TrainingSlots(1))
    deadline = 120
    while not job.snapshot().points and deadline > 0:
        job.wait(0.05)
        deadline -= 0.05
    job.stop()
    assert job.wait(120)
    snapshot = job.snapshot()
    assert snapshot.status == "stopped" and 0 < len(snapshot.points) < 3000
    assert job.predict(10.0) is not None


def wait_for(condition, timeout=120.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_a_job_waits_for_a_free_slot_and_can_leave_the_queue():
    slots = TrainingSlots(1)
    first = start_fit(DOCUMENTS, FitSettings(epochs=3000), slots=slots)
    wait_for(lambda: first.snapshot().status == "running")
    second = start_fit(DOCUMENTS, FitSettings(epochs=5), slots=slots)
    wait_for(lambda: second.snapshot().queue_position == 1)
    assert second.snapshot().status == "queued"
    second.stop()
    assert second.wait(60)
    assert second.snapshot().status == "stopped" and not second.snapshot().points
    first.stop()
    assert first.wait(120) and first.snapshot().status == "stopped"


def test_bad_settings_are_refused():
    with pytest.raises(ValueError):
        start_fit(DOCUMENTS, FitSettings(epochs=0))
    with pytest.raises(ValueError):
        start_fit(DOCUMENTS, FitSettings(learning_rate=0.0))


# --- NumPy maths against its oracles -----------------------------------------------

coordinates = st.floats(-50, 50, allow_nan=False, width=32)


@st.composite
def point_sets(draw, min_size=2, max_size=12):
    xs = draw(st.lists(coordinates, min_size=min_size, max_size=max_size))
    ys = draw(st.lists(coordinates, min_size=len(xs), max_size=len(xs)))
    return Points(tuple(xs), tuple(ys))


@pytest.fixture(scope="module")
def neuron():
    keras = load_keras()
    return keras, build_model(keras, 0.01)


@settings(max_examples=40, deadline=None)
@given(points=point_sets(), w=coordinates, b=coordinates)
def test_the_loss_surface_is_keras_mse_at_every_w_and_b(neuron, points, w, b):
    keras, model = neuron
    model.set_weights([np.array([[w]], "float32"), np.array([b], "float32")])
    x, y = (np.array(v, "float32").reshape(-1, 1) for v in points.arrays)
    expected = float(keras.ops.mean(keras.losses.mean_squared_error(y, model(x))))
    surface = loss_surface(points, np.array([w, w + 1.0]), np.array([b]))
    assert surface.shape == (1, 2)
    assert surface[0, 0] == pytest.approx(expected, rel=1e-4, abs=1e-3)


@settings(max_examples=60, deadline=None)
@given(points=point_sets())
def test_least_squares_agrees_with_numpy_polyfit(points):
    x, y = points.arrays
    if np.ptp(x) < 0.1:  # (nearly) one x: no single best line
        return
    w, b = least_squares(points)
    expected_w, expected_b = np.polyfit(x, y, 1)
    assert w == pytest.approx(expected_w, rel=1e-6, abs=1e-6)
    assert b == pytest.approx(expected_b, rel=1e-6, abs=1e-5)
    # It is the minimum: nudging w or b never lowers the loss.
    best = float(mean_squared_error(points, w, b))
    for dw, db in ((1e-3, 0), (-1e-3, 0), (0, 1e-3), (0, -1e-3)):
        assert float(mean_squared_error(points, w + dw, b + db)) >= best - 1e-9


def test_the_documents_points_give_exactly_2x_minus_1():
    assert least_squares(DOCUMENTS) == (2.0, -1.0)
    assert float(mean_squared_error(DOCUMENTS, 2.0, -1.0)) == 0.0
    assert float(mean_squared_error(DOCUMENTS, 0.0, 0.0)) == pytest.approx(94 / 6)


@pytest.mark.parametrize("factor, converges", [(0.98, True), (1.02, False)])
def test_the_stable_learning_rate_is_where_gradient_descent_turns(factor, converges):
    rate = factor * max_stable_learning_rate(DOCUMENTS)
    _, _, loss = gradient_descent(DOCUMENTS, 0.13, 0.0, rate, 2000)
    assert bool(loss[-1] < loss[0]) == converges


def test_the_documents_start_is_found_from_their_first_loss():
    w0 = start_w_for_loss(DOCUMENTS, DOCUMENTS_RUN["first_loss"])
    assert float(mean_squared_error(DOCUMENTS, w0, 0.0)) == pytest.approx(13.4237)
    w, b, loss = gradient_descent(DOCUMENTS, w0, 0.0, 0.01, 500)
    assert w[-1] == pytest.approx(DOCUMENTS_RUN["w"], abs=1e-6)
    assert b[-1] == pytest.approx(DOCUMENTS_RUN["b"], abs=1e-6)
    assert loss[-2] == pytest.approx(DOCUMENTS_RUN["last_loss"], rel=1e-3)
    # Their 8.995028 is the prediction for x = 5, not for the x = 10 they ask about.
    assert 5 * w[-1] + b[-1] == pytest.approx(DOCUMENTS_RUN["prediction"], abs=2e-5)
    assert 10 * w[-1] + b[-1] == pytest.approx(18.98, abs=0.01)


def test_the_surface_window_holds_the_optimum_the_starts_and_the_path():
    w_values, b_values = surface_window(DOCUMENTS, [0.1, 30.0, math.nan],
                                        [0.0, -20.0, math.inf], num=11)
    assert len(w_values) == len(b_values) == 11
    for w in (2.0, -math.sqrt(3), math.sqrt(3), 30.0):
        assert w_values[0] < w < w_values[-1]
    for b in (-1.0, 0.0, -20.0):
        assert b_values[0] < b < b_values[-1]


# --- Reading the table ---------------------------------------------------------


@pytest.mark.parametrize("x, y, codes, kept", [
    (["1", "", "3"], ["1", "2", "3"], ["cell_empty"], 2),
    ([1.0, float("nan"), 3.0], [1.0, 2.0, 3.0], ["cell_empty"], 2),
    ([1, None, 3], [1, 2, 3], ["cell_empty"], 2),
    (["1", "two", "3"], ["1", "2", "3"], ["not_number"], 2),
    (["1", "inf", "3"], ["1", "nan", "3"], ["not_number", "not_number"], 2),
    (["1", "2", "3"], ["1", "2", "5e9"], ["too_large"], 2),
    ([" 1 ", "2.5", "-3e0"], ["1", "2", "3"], [], 3),
    (["1", None, "3"], ["1", None, "3"], [], 2),  # a new, empty table row
    (["1", "2", "3"], ["1", "2"], ["cell_empty"], 2),  # columns of unequal length
])
def test_bad_cells_are_reported_by_row_and_left_out(x, y, codes, kept):
    points, problems = parse_points(x, y)
    assert [p.code for p in problems] == codes
    assert points is not None and len(points.x) == len(points.y) == kept
    for problem in problems:
        assert problem.row >= 1 and problem.column in ("x", "y")


@pytest.mark.parametrize("x, y, error", [
    ([], [], "no_points"),
    ([None, ""], [None, ""], "no_points"),
    (["a", "b"], ["1", "2"], "no_points"),
    (["2"], ["3"], "one_point"),
    (["2", "x"], ["3", "4"], "one_point"),
    (["1", "1", "1"], ["1", "2", "3"], "same_x"),
])
def test_data_that_determine_no_line_give_no_points(x, y, error):
    points, problems = parse_points(x, y)
    assert points is None and problems[-1].code == error


def test_more_than_max_points_are_cut_with_a_note():
    values = [str(i) for i in range(MAX_POINTS + 5)]
    points, problems = parse_points(values, values)
    assert len(points.x) == MAX_POINTS
    assert [p.code for p in problems] == ["too_many"]


def test_the_value_limit_is_inclusive():
    points, problems = parse_points([-VALUE_LIMIT, VALUE_LIMIT], [0, 1])
    assert not problems and points.x == (-VALUE_LIMIT, VALUE_LIMIT)


@pytest.mark.parametrize("value", [-1.0, 0.0, 2.5, 1e-05, 123456.0, -0.125])
def test_numbers_written_for_the_url_and_the_script_read_back(value):
    assert float(format_number(value)) == value
    assert isinstance(ast.literal_eval(float_literal(value)), float)
    assert ast.literal_eval(float_literal(value)) == value


# --- Show me the code ----------------------------------------------------------


def test_the_five_steps_carry_the_settings():
    steps = step_snippets(DOCUMENTS, FitSettings(learning_rate=0.05, epochs=123,
                                                 x_new=7.5))
    assert list(steps) == ["create", "inspect", "compile", "fit", "predict"]
    assert "Dense(units=1" in steps["create"] and "model.summary()" in steps["inspect"]
    assert "SGD(learning_rate=0.05)" in steps["compile"]
    assert 'loss="mean_squared_error"' in steps["compile"]
    assert "epochs=123" in steps["fit"] and "[1, 2, 3, 4, 5, 119, 120" in steps["fit"]
    assert "np.array([7.5])" in steps["predict"]


def run_script(script: str) -> str:
    load_keras()  # the script's own `import keras` then finds it loaded
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        exec(compile(script, "smallest_network.py", "exec"), {"__name__": "__main__"})
    return output.getvalue()


def test_the_generated_script_runs_and_matches_the_app():
    points = Points((-1.0, 0.0, 0.5, 2.0, 3.0), (-2.5, -1.0, 0.0, 3.1, 4.9))
    chosen = FitSettings(learning_rate=0.03, epochs=12, seed=11, x_new=4.5)
    printed = run_script(fit_script(points, chosen))
    assert "Total params: 2" in printed
    assert len(re.findall(r"^Epoch \d+: loss = ", printed, re.M)) == 10
    found = re.search(r"w = (\S+), b = (\S+)", printed)
    job, snapshot = train(chosen, points)
    assert snapshot.status == "finished"
    assert float(found.group(1)) == pytest.approx(snapshot.final[0], abs=1e-5)
    assert float(found.group(2)) == pytest.approx(snapshot.final[1], abs=1e-5)
    prediction = float(re.search(r"predict\(\[4\.5\]\) = (\S+);", printed).group(1))
    assert prediction == pytest.approx(job.predict(4.5), abs=1e-4)


def test_the_default_script_has_the_documents_data_and_seed():
    script = fit_script(DOCUMENTS, FitSettings())
    tree = ast.parse(script)
    assert f"keras.utils.set_random_seed({DEFAULT_SEED})" in script
    assert "xs = np.array([-1.0, 0.0, 1.0, 2.0, 3.0, 4.0])" in script
    assert "ys = np.array([-3.0, -1.0, 1.0, 3.0, 5.0, 7.0])" in script
    assert "epochs=500" in script and "np.array([10.0])" in script
    assert not any(isinstance(node, ast.Call) and getattr(node.func, "id", "") in
                   ("eval", "exec") for node in ast.walk(tree))
