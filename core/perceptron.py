"""Neurons and perceptrons (感知机): the threshold logic unit, the perceptron
learning rule on logic gates, XOR from two layers, a tiny NumPy MLP with
backpropagation, scikit-learn's ``Perceptron`` on iris, logistic regression, and
why hidden weights must not start at zero.

Pure NumPy; scikit-learn is imported only where it is used (it takes ~2 s).
Input checks return problem codes (never text): the UI translates them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

# The four inputs of a two-input logic gate and the gates' truth tables.
GATE_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
GATES: dict[str, tuple[int, ...]] = {
    "and": (0, 0, 0, 1), "or": (0, 1, 1, 1), "nand": (1, 1, 1, 0), "xor": (0, 1, 1, 0)}
MAX_EPOCHS = 1000
# z is rounded before the step so that 0.1 + 0.2 − 0.3 is the 0 a student
# computes by hand, not 5.6e−17: ties are common with 0/1 inputs.
Z_DECIMALS = 9
LEARNING_RATE_LIMIT = 10.0


def step(z: Any) -> np.ndarray:
    """The step function of a TLU: 1 above the threshold 0, else 0.

    step(z) = 1 if z > 0 else 0 (the neuron fires only *above* the threshold).

    >>> step([-1.0, 0.0, 0.5]).tolist()
    [0, 0, 1]
    """
    return (np.asarray(z) > 0).astype(int)


def tlu(X: np.ndarray, w: Any, b: float) -> tuple[np.ndarray, np.ndarray]:
    """A threshold logic unit (阈值逻辑单元): z = w·x + b, output step(z).

    Args:
        X: inputs, one row per instance.
        w: one weight per input column.
        b: the bias.

    Returns:
        (z, output) per row; z rounded to ``Z_DECIMALS`` places.

    >>> z, out = tlu(GATE_INPUTS, [1.0, 1.0], -1.5)
    >>> z.tolist(), out.tolist()
    ([-1.5, -0.5, -0.5, 0.5], [0, 0, 0, 1])
    """
    z = np.round(np.asarray(X, float) @ np.asarray(w, float) + b, Z_DECIMALS) + 0.0
    return z, step(z)


def which_gate(outputs: Any) -> str | None:
    """The gate whose truth table the four outputs are, or None.

    >>> which_gate([1, 1, 1, 0])
    'nand'
    """
    found = [name for name, table in GATES.items() if tuple(outputs) == table]
    return found[0] if found else None


def check_learning_rate(value: Any, default: float,
                        limit: float = LEARNING_RATE_LIMIT) -> tuple[float, list[str]]:
    """A learning rate η that can be used, and problem codes if the given was not.

    Returns ``default`` for a value that is not a number or not > 0
    (``learning_rate_not_number``, ``learning_rate_not_positive``); values above
    ``limit`` are limited (``learning_rate_clamped``).

    >>> check_learning_rate(0, 0.5)
    (0.5, ['learning_rate_not_positive'])
    """
    try:
        rate = float(value)
    except (TypeError, ValueError):
        return default, ["learning_rate_not_number"]
    if not math.isfinite(rate):
        return default, ["learning_rate_not_number"]
    if rate <= 0:
        return default, ["learning_rate_not_positive"]
    if rate > limit:
        return limit, ["learning_rate_clamped"]
    return rate, []


def parse_point(text: str) -> tuple[np.ndarray | None, str | None]:
    """Two numbers typed as ``2, 0.5`` (commas, spaces or ；/，) as a point.

    Returns:
        (point, None) or (None, problem code): ``point_empty``,
        ``point_count`` (not exactly two values), ``point_not_number``.

    >>> parse_point("2, 0.5")[0].tolist()
    [2.0, 0.5]
    >>> parse_point("two, 1")
    (None, 'point_not_number')
    """
    cleaned = str(text).replace("，", ",").replace("；", ",").replace(";", ",")
    parts = [p for p in cleaned.replace(",", " ").split() if p]
    if not parts:
        return None, "point_empty"
    try:
        point = np.array([float(p) for p in parts])
    except ValueError:
        return None, "point_not_number"
    if not np.all(np.isfinite(point)) or np.any(np.abs(point) > 1e6):
        return None, "point_not_number"
    if len(parts) != 2:
        return None, "point_count"
    return point, None


# --- the perceptron learning rule ---------------------------------------------


@dataclass(frozen=True)
class RuleStep:
    """One training instance shown to the perceptron, and what it changed."""

    epoch: int  # 1-based
    index: int  # which instance (row of X)
    x: np.ndarray
    y: int
    z: float
    y_hat: int
    w_before: np.ndarray
    b_before: float
    w_after: np.ndarray
    b_after: float

    @property
    def error(self) -> int:
        """y − ŷ: +1 (should have fired), −1 (should not have), 0 (right)."""
        return self.y - self.y_hat


@dataclass(frozen=True)
class PerceptronRun:
    """Every step of the rule until it converged, cycled or gave up.

    ``outcome`` is ``converged`` (an epoch without errors), ``cycle`` (the weights
    at the end of epoch ``cycle_to`` equal those at the end of ``cycle_from``, so
    the same epochs repeat forever) or ``max_epochs``.
    """

    steps: tuple[RuleStep, ...]
    epoch_errors: tuple[int, ...]
    outcome: str
    learning_rate: float
    cycle_from: int | None = None
    cycle_to: int | None = None

    @property
    def final(self) -> tuple[np.ndarray, float]:
        return self.steps[-1].w_after, self.steps[-1].b_after

    @property
    def num_updates(self) -> int:
        return sum(1 for s in self.steps if s.error)


def train_perceptron(X: Any, y: Any, learning_rate: float, w_start: Any,
                     b_start: float, max_epochs: int = MAX_EPOCHS) -> PerceptronRun:
    """Run the perceptron learning rule (Hebb's rule), one instance at a time.

    w ← w + η (y − ŷ) x and b ← b + η (y − ŷ), instances in order, epoch after
    epoch. The weights are kept as start + η·S with S the exact sum of the
    (y − ŷ)·x so far: equal S means an equal state, which makes the cycle test
    exact (no 0.1 + 0.2 rounding drift).

    Args:
        X: training instances, one per row (for a gate: ``GATE_INPUTS``).
        y: target outputs, 0 or 1.
        learning_rate: η > 0.
        w_start: the start weights; b_start: the start bias.
        max_epochs: give up (``outcome == "max_epochs"``) after this many.

    Returns:
        A ``PerceptronRun`` with every step, the mistakes per epoch and how it
        ended.

    Raises:
        ValueError: η is not > 0 (nothing would ever be learned).

    >>> run = train_perceptron(GATE_INPUTS, GATES["and"], 1.0, [0, 0], 0)
    >>> run.outcome, len(run.epoch_errors), run.final[0].tolist(), run.final[1]
    ('converged', 6, [2.0, 1.0], -2.0)
    >>> train_perceptron(GATE_INPUTS, GATES["xor"], 1.0, [0, 0], 0).outcome
    'cycle'
    """
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be > 0, got {learning_rate}")
    X, y = np.asarray(X, float), np.asarray(y, int)
    w0, b0 = np.asarray(w_start, float), float(b_start)
    sum_w, sum_b = np.zeros_like(w0), 0.0
    seen: dict[tuple[float, ...], int] = {}
    steps: list[RuleStep] = []
    errors: list[int] = []
    for epoch in range(1, max_epochs + 1):
        wrong = 0
        for index, (x, target) in enumerate(zip(X, y, strict=True)):
            w, b = w0 + learning_rate * sum_w, b0 + learning_rate * sum_b
            z, out = tlu(x[None, :], w, b)
            error = int(target) - int(out[0])
            sum_w, sum_b = sum_w + error * x, sum_b + error
            wrong += error != 0
            steps.append(RuleStep(epoch, index, x, int(target), float(z[0]),
                                  int(out[0]), w, b, w0 + learning_rate * sum_w,
                                  b0 + learning_rate * sum_b))
        errors.append(wrong)
        if wrong == 0:
            return PerceptronRun(tuple(steps), tuple(errors), "converged",
                                 learning_rate)
        state = (*sum_w.tolist(), sum_b)
        if state in seen:
            return PerceptronRun(tuple(steps), tuple(errors), "cycle",
                                 learning_rate, seen[state], epoch)
        seen[state] = epoch
    return PerceptronRun(tuple(steps), tuple(errors), "max_epochs", learning_rate)


@dataclass(frozen=True)
class GateNetwork:
    """XOR = AND(OR(x1, x2), NAND(x1, x2)): two layers of trained TLUs."""

    units: dict[str, tuple[np.ndarray, float]]  # "or", "nand", "and" → (w, b)

    def hidden(self, X: Any) -> np.ndarray:
        """Layer 1: (OR, NAND) of each row of X."""
        return np.stack([tlu(X, *self.units[g])[1] for g in ("or", "nand")], 1)

    def predict(self, X: Any) -> np.ndarray:
        """Layer 2: AND of the two hidden outputs."""
        return tlu(self.hidden(X), *self.units["and"])[1]


def build_xor_network(learning_rate: float = 1.0) -> GateNetwork:
    """Train OR, NAND and AND with the perceptron rule and stack them.

    >>> build_xor_network().predict(GATE_INPUTS).tolist()
    [0, 1, 1, 0]
    """
    return GateNetwork({gate: train_perceptron(GATE_INPUTS, GATES[gate], learning_rate,
                                               [0, 0], 0).final
                        for gate in ("or", "nand", "and")})


# --- geometry helpers for drawing ----------------------------------------------


def line_in_box(w: Any, b: float, box: tuple[float, float, float, float]
                ) -> tuple[np.ndarray, np.ndarray] | None:
    """The part of the line w1·x1 + w2·x2 + b = 0 inside a box, or None.

    Args:
        box: (x1_min, x1_max, x2_min, x2_max).

    >>> xs, ys = line_in_box([1, 1], -1, (0, 1, 0, 1))
    >>> xs.tolist(), ys.tolist()
    ([0.0, 1.0], [1.0, 0.0])
    """
    w1, w2 = (float(v) for v in w)
    x_lo, x_hi, y_lo, y_hi = box
    points = []
    if abs(w2) > 1e-12:
        points += [(x, -(w1 * x + b) / w2) for x in (x_lo, x_hi)]
    if abs(w1) > 1e-12:
        points += [(-(w2 * y + b) / w1, y) for y in (y_lo, y_hi)]
    inside = sorted({(round(px, 12) + 0.0, round(py, 12) + 0.0) for px, py in points
                     if x_lo - 1e-9 <= px <= x_hi + 1e-9
                     and y_lo - 1e-9 <= py <= y_hi + 1e-9})
    if len(inside) < 2:
        return None
    (ax, ay), (bx, by) = inside[0], inside[-1]
    return np.array([ax, bx]), np.array([ay, by])


def make_grid(box: tuple[float, float, float, float], num: int = 101
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x1 values, x2 values, all grid points as rows) over a box.

    >>> make_grid((0, 1, 0, 1), 3)[2].shape
    (9, 2)
    """
    xs, ys = np.linspace(box[0], box[1], num), np.linspace(box[2], box[3], num)
    grid_x, grid_y = np.meshgrid(xs, ys)
    return xs, ys, np.column_stack([grid_x.ravel(), grid_y.ravel()])


# --- a one-hidden-layer MLP with sigmoid units, trained by backpropagation -----


def sigmoid(z: Any) -> np.ndarray:
    """σ(z) = 1 / (1 + e^(−z)), computed without overflow for large |z|.

    >>> sigmoid([0.0, 800.0, -800.0]).tolist()
    [0.5, 1.0, 0.0]
    """
    z = np.asarray(z, float)
    return np.exp(-np.logaddexp(0.0, -z))


def _dense(X: np.ndarray, W: np.ndarray) -> np.ndarray:
    """X @ W, summed the same way for every column: identical hidden units then
    stay bit-for-bit identical (a BLAS matmul may round columns differently)."""
    return (X[:, :, None] * W[None, :, :]).sum(axis=1)


@dataclass(frozen=True)
class MLP:
    """Weights of a 2-layer network: n inputs → h sigmoid units → 1 sigmoid output.

    W1 (n, h), b1 (h,), W2 (h,), b2 (scalar).
    """

    W1: np.ndarray
    b1: np.ndarray
    W2: np.ndarray
    b2: float

    def forward(self, X: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(hidden activations A1, output logit z2, output probability p)."""
        A1 = sigmoid(_dense(np.asarray(X, float), self.W1) + self.b1)
        z2 = (A1 * self.W2).sum(axis=1) + self.b2
        return A1, z2, sigmoid(z2)


def init_mlp(num_inputs: int, num_hidden: int, zeros: bool = False, seed: int = 0,
             scale: float = 1.0) -> MLP:
    """Weights all 0 (``zeros``) or drawn from N(0, scale²); biases start at 0.

    >>> init_mlp(2, 3, zeros=True).W1.tolist()
    [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    """
    if zeros:
        return MLP(np.zeros((num_inputs, num_hidden)), np.zeros(num_hidden),
                   np.zeros(num_hidden), 0.0)
    rng = np.random.default_rng(seed)
    return MLP(rng.normal(0, scale, (num_inputs, num_hidden)), np.zeros(num_hidden),
               rng.normal(0, scale, num_hidden), 0.0)


def mlp_cost(net: MLP, X: Any, y: Any) -> float:
    """Cost J = mean binary cross-entropy −[y·log p + (1 − y)·log(1 − p)].

    From the logit z: log(1 + e^z) − y·z, which never takes log(0).

    >>> round(mlp_cost(init_mlp(2, 2, zeros=True), GATE_INPUTS, [0, 1, 1, 0]), 4)
    0.6931
    """
    z2 = net.forward(X)[1]
    return float(np.mean(np.logaddexp(0.0, z2) - np.asarray(y, float) * z2))


def mlp_gradients(net: MLP, X: Any, y: Any) -> MLP:
    """∂J/∂(W1, b1, W2, b2) by backpropagation (反向传播), as an MLP of gradients.

    dz2 = (p − y)/m; dW2 = A1ᵀdz2; dz1 = dz2·W2 ⊙ A1(1 − A1); dW1 = Xᵀdz1.

    >>> grads = mlp_gradients(init_mlp(2, 2, zeros=True), GATE_INPUTS, [0, 0, 0, 1])
    >>> grads.b2, grads.W1.tolist()
    (0.25, [[0.0, 0.0], [0.0, 0.0]])
    """
    return _cost_and_gradients(net, np.asarray(X, float), np.asarray(y, float))[1]


def _cost_and_gradients(net: MLP, X: np.ndarray, y: np.ndarray) -> tuple[float, MLP]:
    """One forward pass, then the backward pass (the cost comes for free)."""
    A1, z2, p = net.forward(X)
    dz2 = (p - y) / len(y)
    dz1 = dz2[:, None] * net.W2[None, :] * A1 * (1 - A1)
    cost = float(np.mean(np.logaddexp(0.0, z2) - y * z2))
    return cost, MLP((X[:, :, None] * dz1[:, None, :]).sum(axis=0), dz1.sum(axis=0),
                     (dz2[:, None] * A1).sum(axis=0), float(dz2.sum()))


@dataclass(frozen=True)
class MLPHistory:
    """A full-batch gradient-descent run: the end weights, the cost before each
    step and after the last, and W1 after every step (W1s[0] is the start)."""

    net: MLP
    costs: np.ndarray
    W1s: np.ndarray


def train_mlp(net: MLP, X: Any, y: Any, learning_rate: float,
              num_steps: int) -> MLPHistory:
    """Full-batch gradient descent: every parameter θ ← θ − η·∂J/∂θ.

    Args:
        net: the start weights (``init_mlp``).
        X: inputs, one row per instance; y: labels 0 or 1.
        learning_rate: η.
        num_steps: gradient-descent steps, each over all rows.

    Returns:
        An ``MLPHistory``: the trained net, the cost at every step, W1 over time.

    >>> history = train_mlp(init_mlp(2, 2, seed=0), GATE_INPUTS, [0, 1, 1, 0],
    ...                     2.0, 2000)
    >>> (history.net.forward(GATE_INPUTS)[2] > 0.5).astype(int).tolist()
    [0, 1, 1, 0]
    """
    X, y = np.asarray(X, float), np.asarray(y, float)
    costs, W1s = [], [net.W1]
    for _ in range(num_steps):
        cost, g = _cost_and_gradients(net, X, y)
        net = MLP(net.W1 - learning_rate * g.W1, net.b1 - learning_rate * g.b1,
                  net.W2 - learning_rate * g.W2, net.b2 - learning_rate * g.b2)
        costs.append(cost)
        W1s.append(net.W1)
    costs.append(mlp_cost(net, X, y))
    return MLPHistory(net, np.array(costs), np.array(W1s))


def mlp_accuracy(net: MLP, X: Any, y: Any) -> float:
    """Share of rows where p > 0.5 agrees with the label y.

    >>> mlp_accuracy(init_mlp(2, 2, zeros=True), GATE_INPUTS, [0, 0, 0, 1])
    0.75
    """
    predicted = net.forward(X)[2] > 0.5
    return float(np.mean(predicted == (np.asarray(y) == 1)))


def hidden_spread(W1s: np.ndarray) -> float:
    """Largest difference between any two hidden units' weights over a run:
    0 means the units were identical the whole time (symmetry, 对称).

    >>> hidden_spread(np.zeros((5, 2, 3)))
    0.0
    """
    return float(np.max(W1s.max(axis=2) - W1s.min(axis=2)))


# --- iris: scikit-learn's Perceptron and logistic regression -------------------

IRIS_FEATURES = ("petal_length", "petal_width")
IRIS_TARGETS = ("setosa", "virginica")


@dataclass(frozen=True)
class IrisPetals:
    """Petal length and width (cm) of the 150 iris flowers, and their species."""

    X: np.ndarray  # (150, 2)
    species: np.ndarray  # 0 setosa, 1 versicolor, 2 virginica
    species_names: tuple[str, ...]

    def is_species(self, name: str) -> np.ndarray:
        """1 for the named species, 0 for the rest (e.g. setosa vs rest)."""
        return (self.species == self.species_names.index(name)).astype(int)


def load_iris_petals() -> IrisPetals:
    """``iris.data[:, (2, 3)]`` as in the documents (ships with scikit-learn).

    >>> load_iris_petals().X.shape
    (150, 2)
    """
    from sklearn.datasets import load_iris

    iris = load_iris()
    return IrisPetals(iris.data[:, (2, 3)], iris.target,
                      tuple(str(n) for n in iris.target_names))


@dataclass(frozen=True)
class SklearnPerceptron:
    """A fitted ``sklearn.linear_model.Perceptron`` (one TLU): w, b, training
    accuracy, and the model itself for ``predict``."""

    w: np.ndarray
    b: float
    accuracy: float
    num_epochs: int
    model: Any

    def predict(self, point: Any) -> tuple[float, int]:
        """(z = w·x + b, scikit-learn's prediction) for one point."""
        row = np.asarray(point, float).reshape(1, -1)
        return (float(self.model.decision_function(row)[0]),
                int(self.model.predict(row)[0]))


def fit_sklearn_perceptron(X: Any, y: Any) -> SklearnPerceptron:
    """``Perceptron()`` with its default settings, fitted as in the documents.

    >>> petals = load_iris_petals()
    >>> fit_sklearn_perceptron(petals.X, petals.is_species("setosa")).accuracy
    1.0
    """
    from sklearn.linear_model import Perceptron

    model = Perceptron()
    model.fit(X, y)
    return SklearnPerceptron(model.coef_[0].copy(), float(model.intercept_[0]),
                             float(model.score(X, y)), int(model.n_iter_), model)


def standardise(x: Any) -> tuple[np.ndarray, float, float]:
    """(x − mean) / std, with the mean and std to undo it.

    >>> standardise([1.0, 3.0])[0].tolist()
    [-1.0, 1.0]
    """
    x = np.asarray(x, float)
    return (x - x.mean()) / x.std(), float(x.mean()), float(x.std())


def logistic_cost(w: Any, b: Any, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Cost J(w, b) = mean cross-entropy of p = σ(w·x + b), one feature x.

    w and b may be arrays (a grid): J is computed for every pair at once.

    >>> float(logistic_cost(0.0, 0.0, np.array([1.0, 2.0]), np.array([0, 1])))
    0.6931471805599453
    """
    w, b = np.asarray(w, float), np.asarray(b, float)
    z = w[..., None] * x + b[..., None]
    return np.mean(np.logaddexp(0.0, z) - y * z, axis=-1)


def logistic_gradient(w: float, b: float, x: np.ndarray, y: np.ndarray
                      ) -> tuple[float, float]:
    """(∂J/∂w, ∂J/∂b) = (mean((p − y)·x), mean(p − y)).

    >>> logistic_gradient(0.0, 0.0, np.array([1.0, 2.0]), np.array([0, 1]))
    (-0.25, 0.0)
    """
    residual = sigmoid(w * x + b) - y
    return float(np.mean(residual * x)), float(np.mean(residual))


def logistic_descent(x: np.ndarray, y: np.ndarray, learning_rate: float,
                     num_steps: int, w_start: float, b_start: float
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Gradient descent on J(w, b): the path of (w, b) and J at each point.

    Args:
        x: one feature per flower; y: labels 0 or 1.
        learning_rate: η; num_steps: how many steps.
        w_start, b_start: where the descent starts.

    Returns:
        (path, costs): path has num_steps + 1 rows (w, b); costs J at each.

    >>> path, costs = logistic_descent(np.array([-1.0, 1.0]), np.array([0, 1]),
    ...                                1.0, 50, 0.0, 0.0)
    >>> bool(costs[-1] < costs[0]), path.shape
    (True, (51, 2))
    """
    path = [(float(w_start), float(b_start))]
    for _ in range(num_steps):
        w, b = path[-1]
        dw, db = logistic_gradient(w, b, x, y)
        path.append((w - learning_rate * dw, b - learning_rate * db))
    path_array = np.array(path)
    return path_array, logistic_cost(path_array[:, 0], path_array[:, 1], x, y)
