"""The perceptron lesson's maths: the rule worked out by hand and against an exact
re-implementation, XOR's endless cycle, XOR from gates, backpropagation against
finite differences and Keras, the documents' scikit-learn Perceptron, symmetric
hidden units, and logistic regression's gradient."""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.perceptron_code import rule_script, sklearn_script
from core.perceptron import (
    GATE_INPUTS,
    GATES,
    MAX_EPOCHS,
    MLP,
    build_xor_network,
    check_learning_rate,
    fit_sklearn_perceptron,
    hidden_spread,
    init_mlp,
    line_in_box,
    load_iris_petals,
    logistic_cost,
    logistic_descent,
    logistic_gradient,
    mlp_accuracy,
    mlp_cost,
    mlp_gradients,
    parse_point,
    standardise,
    tlu,
    train_mlp,
    train_perceptron,
)

# --- the perceptron rule ---------------------------------------------------------

# AND with η = 1, w = (0, 0), b = 0 and step(z) = 1 only for z > 0, worked out on
# paper: (w1, w2, b) after each of the 24 instances shown (6 epochs of 4).
AND_BY_HAND = [
    (0, 0, 0), (0, 0, 0), (0, 0, 0), (1, 1, 1),        # epoch 1: (1,1) missed
    (1, 1, 0), (1, 0, -1), (1, 0, -1), (2, 1, 0),      # epoch 2
    (2, 1, 0), (2, 0, -1), (1, 0, -2), (2, 1, -1),     # epoch 3
    (2, 1, -1), (2, 1, -1), (1, 1, -2), (2, 2, -1),    # epoch 4
    (2, 2, -1), (2, 1, -2), (2, 1, -2), (2, 1, -2),    # epoch 5
    (2, 1, -2), (2, 1, -2), (2, 1, -2), (2, 1, -2),    # epoch 6: no mistakes
]


def test_the_rule_on_and_matches_the_hand_computation():
    run = train_perceptron(GATE_INPUTS, GATES["and"], 1.0, [0, 0], 0)
    after = [(*s.w_after.tolist(), s.b_after) for s in run.steps]
    assert after == AND_BY_HAND
    assert run.outcome == "converged"
    assert run.epoch_errors == (1, 3, 3, 2, 1, 0)
    assert run.num_updates == 10
    assert [s.epoch for s in run.steps] == [e for e in range(1, 7) for _ in range(4)]
    # Every step is the rule itself: w_after = w_before + η (y − ŷ) x.
    for s in run.steps:
        np.testing.assert_allclose(s.w_after, s.w_before + (s.y - s.y_hat) * s.x)
        assert s.b_after == s.b_before + (s.y - s.y_hat)


def exact_rule(table, rate: Fraction, start: tuple[Fraction, Fraction, Fraction]):
    """An independent perceptron in exact fractions: (outcome, errors, final)."""
    w1, w2, b = start
    seen = {}
    errors = []
    for epoch in range(1, MAX_EPOCHS + 1):
        wrong = 0
        for (x1, x2), y in zip(((0, 0), (0, 1), (1, 0), (1, 1)), table, strict=True):
            y_hat = 1 if w1 * x1 + w2 * x2 + b > 0 else 0
            w1, w2, b = (w1 + rate * (y - y_hat) * x1, w2 + rate * (y - y_hat) * x2,
                         b + rate * (y - y_hat))
            wrong += y != y_hat
        errors.append(wrong)
        if wrong == 0:
            return "converged", errors, (w1, w2, b), None
        if (w1, w2, b) in seen:
            return "cycle", errors, (w1, w2, b), (seen[(w1, w2, b)], epoch)
        seen[(w1, w2, b)] = epoch
    return "max_epochs", errors, (w1, w2, b), None


# Slider-like values (multiples of 0.05 / 0.1): z is then exactly 0 or |z| ≥ 0.05,
# so the float run and the exact one must agree step for step.
tenths = st.integers(-20, 20).map(lambda k: Fraction(k, 10))
rates = st.integers(1, 60).map(lambda k: Fraction(k, 20))


@settings(max_examples=80, deadline=None)
@given(gate=st.sampled_from(sorted(GATES)), rate=rates, w1=tenths, w2=tenths,
       b=tenths)
def test_the_rule_matches_an_exact_reimplementation(gate, rate, w1, w2, b):
    run = train_perceptron(GATE_INPUTS, GATES[gate], float(rate),
                           [float(w1), float(w2)], float(b))
    outcome, errors, final, cycle = exact_rule(GATES[gate], rate, (w1, w2, b))
    assert run.outcome == outcome
    assert list(run.epoch_errors) == errors
    np.testing.assert_allclose([*run.final[0], run.final[1]],
                               [float(v) for v in final], atol=1e-9)
    if cycle is not None:
        assert (run.cycle_from, run.cycle_to) == cycle


@pytest.mark.parametrize("gate", ["and", "or", "nand"])
@pytest.mark.parametrize("rate, start", [(1.0, (0, 0, 0)), (0.1, (0.5, -0.3, 0.2)),
                                         (0.25, (-2, 2, 1.5)), (3.0, (1, 1, 1))])
def test_the_rule_converges_on_linearly_separable_gates(gate, rate, start):
    run = train_perceptron(GATE_INPUTS, GATES[gate], rate, start[:2], start[2])
    assert run.outcome == "converged"
    assert run.epoch_errors[-1] == 0 and all(e > 0 for e in run.epoch_errors[:-1])
    assert tlu(GATE_INPUTS, *run.final)[1].tolist() == list(GATES[gate])


def epoch_end_states(run):
    return {s.epoch: (*s.w_after.tolist(), s.b_after) for s in run.steps}


def test_xor_cycles_and_the_cycle_is_real():
    run = train_perceptron(GATE_INPUTS, GATES["xor"], 1.0, [0, 0], 0)
    assert run.outcome == "cycle"
    assert 0 not in run.epoch_errors
    states = epoch_end_states(run)
    assert states[run.cycle_from] == states[run.cycle_to]
    assert run.cycle_from < run.cycle_to == len(run.epoch_errors)
    # Running on from the repeated weights gives the same epochs again.
    w, b = run.final
    again = train_perceptron(GATE_INPUTS, GATES["xor"], 1.0, w, b, max_epochs=3)
    period = run.cycle_to - run.cycle_from
    assert again.epoch_errors[:period] == run.epoch_errors[-period:]


@settings(max_examples=60, deadline=None)
@given(rate=st.floats(0.05, 5.0), w1=st.floats(-2, 2), w2=st.floats(-2, 2),
       b=st.floats(-2, 2))
def test_xor_never_converges_whatever_the_start(rate, w1, w2, b):
    run = train_perceptron(GATE_INPUTS, GATES["xor"], rate, [w1, w2], b)
    assert run.outcome == "cycle"
    assert min(run.epoch_errors) >= 1  # never an epoch with all four right
    states = epoch_end_states(run)
    assert states[run.cycle_from] == states[run.cycle_to]


@settings(max_examples=200, deadline=None)
@given(w1=st.floats(-1e3, 1e3), w2=st.floats(-1e3, 1e3), b=st.floats(-1e3, 1e3))
def test_no_single_tlu_computes_xor(w1, w2, b):
    assert tlu(GATE_INPUTS, [w1, w2], b)[1].tolist() != list(GATES["xor"])


def test_two_layers_of_learned_gates_compute_xor():
    network = build_xor_network()
    for gate in ("or", "nand", "and"):
        learned = train_perceptron(GATE_INPUTS, GATES[gate], 1.0, [0, 0], 0).final
        np.testing.assert_array_equal(network.units[gate][0], learned[0])
        assert network.units[gate][1] == learned[1]
    hidden = network.hidden(GATE_INPUTS)
    assert hidden[:, 0].tolist() == list(GATES["or"])
    assert hidden[:, 1].tolist() == list(GATES["nand"])
    assert network.predict(GATE_INPUTS).tolist() == list(GATES["xor"])


def test_a_learning_rate_of_zero_is_refused():
    with pytest.raises(ValueError, match="learning_rate must be > 0"):
        train_perceptron(GATE_INPUTS, GATES["and"], 0.0, [0, 0], 0)


def test_tlu_rounds_z_so_hand_arithmetic_ties_stay_ties():
    z, out = tlu(np.array([[1.0, 1.0]]), [0.1, 0.2], -0.3)
    assert z.tolist() == [0.0] and out.tolist() == [0]


def test_line_in_box_lies_on_the_line_and_inside():
    xs, ys = line_in_box([1.5, -2.0], 0.4, (-0.5, 1.5, -0.5, 1.5))
    np.testing.assert_allclose(1.5 * xs - 2.0 * ys + 0.4, 0, atol=1e-9)
    assert line_in_box([0, 0], 1, (0, 1, 0, 1)) is None
    assert line_in_box([1, 1], -10, (0, 1, 0, 1)) is None  # misses the box
    vertical = line_in_box([2, 0], -1, (0, 1, 0, 1))
    assert vertical[0].tolist() == [0.5, 0.5]


# --- input checks ------------------------------------------------------------------


@pytest.mark.parametrize("value, expected", [
    (0.5, (0.5, [])), (0, (1.0, ["learning_rate_not_positive"])),
    (-1, (1.0, ["learning_rate_not_positive"])),
    ("abc", (1.0, ["learning_rate_not_number"])),
    (float("nan"), (1.0, ["learning_rate_not_number"])),
    (1e9, (10.0, ["learning_rate_clamped"])),
])
def test_check_learning_rate(value, expected):
    assert check_learning_rate(value, 1.0) == expected


@pytest.mark.parametrize("text, expected", [
    ("2, 0.5", [2.0, 0.5]), ("4.5 1.5", [4.5, 1.5]), ("4.5，1.5", [4.5, 1.5]),
    (" -1 ; 2e-1 ", [-1.0, 0.2]), ("", "point_empty"), ("   ", "point_empty"),
    ("1", "point_count"), ("1, 2, 3", "point_count"), ("a, b", "point_not_number"),
    ("abc", "point_not_number"), ("1, 2, x", "point_not_number"),
    ("nan, 1", "point_not_number"), ("inf, 1", "point_not_number"),
    ("1e300, 1", "point_not_number"),
])
def test_parse_point(text, expected):
    point, problem = parse_point(text)
    if isinstance(expected, str):
        assert point is None and problem == expected
    else:
        assert problem is None and point.tolist() == expected


# --- the MLP and backpropagation ----------------------------------------------------


def numeric_gradients(net: MLP, X, y, eps: float = 1e-6) -> MLP:
    """Central differences of the cost, one parameter at a time."""
    def cost_with(name, index, delta):
        values = {k: np.array(getattr(net, k), float) for k in ("W1", "b1", "W2", "b2")}
        values[name][index] += delta
        return mlp_cost(MLP(values["W1"], values["b1"], values["W2"],
                            float(values["b2"])), X, y)

    grads = {}
    for name in ("W1", "b1", "W2", "b2"):
        shape = np.shape(getattr(net, name))
        grad = np.zeros(shape)
        for index in np.ndindex(*shape):
            grad[index] = (cost_with(name, index, eps) - cost_with(name, index, -eps)
                           ) / (2 * eps)
        grads[name] = grad
    return MLP(grads["W1"], grads["b1"], grads["W2"], float(grads["b2"]))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), hidden=st.integers(1, 4),
       scale=st.floats(0.1, 3.0), rows=st.integers(1, 12))
def test_backprop_matches_finite_differences(seed, hidden, scale, rows):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, 2))
    y = rng.integers(0, 2, rows)
    net = init_mlp(2, hidden, seed=seed, scale=scale)
    net = MLP(net.W1, rng.normal(size=hidden), net.W2, float(rng.normal()))
    ours, numeric = mlp_gradients(net, X, y), numeric_gradients(net, X, y)
    for name in ("W1", "b1", "W2", "b2"):
        np.testing.assert_allclose(getattr(ours, name), getattr(numeric, name),
                                   rtol=1e-5, atol=1e-7)


def test_backprop_matches_keras_gradient_tape():
    from core.keras_import import load_keras

    keras = load_keras()
    import tensorflow as tf

    rng = np.random.default_rng(7)
    X = rng.normal(size=(16, 2)).astype(np.float32)
    y = rng.integers(0, 2, 16).astype(np.float32)
    net = init_mlp(2, 3, seed=3)
    net = MLP(net.W1, rng.normal(size=3), net.W2, 0.4)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, "sigmoid"),
                              keras.layers.Dense(1)])
    model.set_weights([net.W1, net.b1, net.W2[:, None], np.array([net.b2])])
    loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)
    with tf.GradientTape() as tape:
        loss = loss_fn(y[:, None], model(X))
    theirs = [g.numpy() for g in tape.gradient(loss, model.trainable_weights)]
    ours = mlp_gradients(net, X.astype(float), y)
    np.testing.assert_allclose(float(loss), mlp_cost(net, X.astype(float), y),
                               rtol=1e-5)
    for mine, keras_grad in zip((ours.W1, ours.b1, ours.W2[:, None], [ours.b2]),
                                theirs, strict=True):
        np.testing.assert_allclose(mine, keras_grad, rtol=1e-4, atol=1e-6)


def test_a_trained_two_two_one_network_solves_xor_and_its_cost_falls():
    history = train_mlp(init_mlp(2, 2, seed=0), GATE_INPUTS, GATES["xor"], 2.0, 2000)
    assert mlp_accuracy(history.net, GATE_INPUTS, GATES["xor"]) == 1.0
    assert history.costs[-1] < 0.05 < history.costs[0]
    assert history.W1s.shape == (2001, 2, 2)
    assert history.costs.shape == (2001,)
    assert history.costs[-1] == pytest.approx(
        mlp_cost(history.net, GATE_INPUTS, GATES["xor"]))


# --- symmetry ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def petals():
    return load_iris_petals()


def versicolor_data(petals):
    X = np.column_stack([standardise(petals.X[:, i])[0] for i in range(2)])
    return X, petals.is_species("versicolor")


def test_zero_weights_keep_hidden_units_identical(petals):
    X, y = versicolor_data(petals)
    history = train_mlp(init_mlp(2, 3, zeros=True), X, y, 1.0, 300)
    for unit in (1, 2):  # exactly equal, not just close
        assert np.array_equal(history.W1s[:, :, unit], history.W1s[:, :, 0])
        assert history.net.b1[unit] == history.net.b1[0]
        assert history.net.W2[unit] == history.net.W2[0]
    assert hidden_spread(history.W1s) == 0.0
    assert np.abs(history.W1s[-1]).max() > 0.1  # they did learn, all the same


def test_random_weights_break_the_symmetry_and_learn_more(petals):
    X, y = versicolor_data(petals)
    zero = train_mlp(init_mlp(2, 3, zeros=True), X, y, 1.0, 500)
    random = train_mlp(init_mlp(2, 3, seed=1), X, y, 1.0, 500)
    assert hidden_spread(random.W1s[-1:]) > 0.5
    assert random.costs[-1] < zero.costs[-1]
    assert mlp_accuracy(random.net, X, y) > mlp_accuracy(zero.net, X, y) + 0.2


# --- iris: scikit-learn's Perceptron --------------------------------------------------


def test_the_documents_perceptron_matches_scikit_learn_itself(petals):
    from sklearn.datasets import load_iris
    from sklearn.linear_model import Perceptron

    iris = load_iris()
    X = iris.data[:, (2, 3)]
    y = (iris.target == 0).astype(int)
    per_clf = Perceptron()
    per_clf.fit(X, y)
    ours = fit_sklearn_perceptron(petals.X, petals.is_species("setosa"))
    np.testing.assert_array_equal(ours.w, per_clf.coef_[0])
    assert ours.b == per_clf.intercept_[0]
    for point in ([2, 0.5], [4.5, 1.5], [1.0, 0.2]):
        z, label = ours.predict(point)
        assert label == per_clf.predict([point])[0]
        assert z == per_clf.decision_function([point])[0]
        assert label == int(z > 0)
    assert ours.accuracy == per_clf.score(X, y)


# --- logistic regression -------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(w=st.floats(-10, 10), b=st.floats(-10, 10))
def test_logistic_gradient_matches_finite_differences(petals, w, b):
    x = standardise(petals.X[:, 1])[0]
    y = petals.is_species("virginica")
    eps = 1e-6
    dw, db = logistic_gradient(w, b, x, y)
    numeric_dw = (logistic_cost(w + eps, b, x, y) - logistic_cost(w - eps, b, x, y)
                  ) / (2 * eps)
    numeric_db = (logistic_cost(w, b + eps, x, y) - logistic_cost(w, b - eps, x, y)
                  ) / (2 * eps)
    assert dw == pytest.approx(float(numeric_dw), rel=1e-5, abs=1e-7)
    assert db == pytest.approx(float(numeric_db), rel=1e-5, abs=1e-7)


def test_logistic_cost_is_the_mean_cross_entropy(petals):
    x = standardise(petals.X[:, 0])[0]
    y = petals.is_species("setosa")
    p = 1 / (1 + np.exp(-(1.5 * x - 0.5)))
    expected = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert float(logistic_cost(1.5, -0.5, x, y)) == pytest.approx(expected)
    grid = logistic_cost(np.array([[1.5, 0.0]]), np.array([[-0.5, 0.0]]), x, y)
    assert grid.shape == (1, 2) and grid[0, 0] == pytest.approx(expected)


def test_gradient_descent_lowers_the_cost(petals):
    x = standardise(petals.X[:, 1])[0]
    y = petals.is_species("virginica")
    path, costs = logistic_descent(x, y, 1.0, 300, -5.0, 5.0)
    assert path.shape == (301, 2) and costs.shape == (301,)
    assert np.all(np.diff(costs) <= 1e-12)  # a small enough η never goes uphill
    assert costs[-1] < 0.2 < costs[0]
    from sklearn.linear_model import LogisticRegression

    best = LogisticRegression(C=1e12, max_iter=10_000).fit(x[:, None], y)
    optimum = float(logistic_cost(best.coef_[0, 0], best.intercept_[0], x, y))
    assert optimum <= costs[-1] < optimum + 0.05


# --- the scripts of "Show me the code" ---------------------------------------------


def run_script(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.mark.parametrize("gate, rate, start", [
    ("and", 1.0, (0.0, 0.0, 0.0)), ("xor", 1.0, (0.0, 0.0, 0.0)),
    ("nand", 0.3, (0.5, -1.2, 0.7)), ("xor", 0.1, (1.0, -0.4, 0.2)),
])
def test_the_rule_script_prints_what_the_page_computes(gate, rate, start):
    output = run_script(rule_script(gate, rate, start[:2], start[2]))
    run = train_perceptron(GATE_INPUTS, GATES[gate], rate, start[:2], start[2])
    epochs = [line for line in output.splitlines() if line.startswith("epoch ")]
    assert [int(line.split(": ")[1].split()[0]) for line in epochs] == list(
        run.epoch_errors)
    if run.outcome == "converged":
        assert "converged" in output
    else:
        assert f"as after epoch {run.cycle_from}" in output


def test_the_sklearn_script_prints_the_documents_prediction(petals):
    model = fit_sklearn_perceptron(petals.X, petals.is_species("setosa"))
    output = run_script(sklearn_script([4.5, 1.5]))
    lines = output.splitlines()
    assert len(lines) == 3
    assert lines[1].startswith("[2.0, 0.5]")
    assert lines[1].endswith(f"y_pred = [{model.predict([2, 0.5])[1]}]")
    assert lines[2].endswith(f"y_pred = [{model.predict([4.5, 1.5])[1]}]")
