"""The neural network playground's maths: data, input features, the network's
shape, its forward pass in NumPy, losses and the challenges (神经网络游乐场).

Everything here is NumPy: the page draws the decision boundary, every hidden
neuron's picture and the loss curves from the weights the Keras model reports
(``core.playground_train`` trains it), so a frame costs a few milliseconds and
never waits for TensorFlow. ``forward`` equals ``model.predict`` (tested).

>>> spec = PlaygroundSpec(dataset="xor", hidden=(4,), activations=("tanh",))
>>> data = make_data(spec)
>>> data.x_train.shape, data.x_test.shape, data.task
((250, 2), (250, 2), 'binary')
>>> count_params(spec)
17
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from core.activations import ACTIVATIONS
from core.toy_datasets import TOY_DATASETS, make_toy_dataset

DATASETS = ("circle", "xor", "gaussian", "spiral", "moons", "spiral3", "blobs3",
            "plane")
FEATURES = ("x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2")
HIDDEN_ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear")
OPTIMIZERS = ("sgd", "momentum", "rmsprop", "adam")
MAX_LAYERS, MAX_NEURONS = 6, 8
DOMAIN = 1.5  # The plane shown: [−1.5, 1.5]², where every point lies.


class PlaygroundError(ValueError):
    """A setting the playground cannot use; ``code`` names a message."""

    def __init__(self, code: str, **details: object) -> None:
        super().__init__(f"{code}: {details}" if details else code)
        self.code, self.details = code, details


@dataclass(frozen=True)
class PlaygroundSpec:
    """Everything that defines one playground run (the URL keeps all of it).

    Args:
        dataset: one of DATASETS ("plane" is regression; "spiral3"/"blobs3" have
            three classes; the rest two).
        noise: 0–1, as in ``make_toy_dataset``; for "plane" the label's noise.
        train_percent: share of the points used for training (the rest test).
        points: how many points in all.
        seed: data, initial weights, dropout and shuffling all follow it.
        features: the inputs fed to the network, a subset of FEATURES.
        hidden: neurons per hidden layer (0–6 layers of 1–8).
        activations: one Keras activation name per hidden layer.
        optimizer, learning_rate, l1, l2, dropout, batch_size: training settings.
    """

    dataset: str = "circle"
    noise: float = 0.1
    train_percent: int = 50
    points: int = 500
    seed: int = 0
    features: tuple[str, ...] = ("x1", "x2")
    hidden: tuple[int, ...] = (4, 2)
    activations: tuple[str, ...] = ("tanh", "tanh")
    optimizer: str = "sgd"
    learning_rate: float = 0.03
    l1: float = 0.0
    l2: float = 0.0
    dropout: float = 0.0
    batch_size: int = 10


def task_of(dataset: str) -> str:
    """"binary", "multiclass" or "regression"."""
    if dataset == "plane":
        return "regression"
    return "multiclass" if dataset.endswith("3") else "binary"


def num_outputs(dataset: str) -> int:
    return 3 if task_of(dataset) == "multiclass" else 1


def output_activation(dataset: str) -> str:
    """sigmoid for two classes, softmax for three, none for regression."""
    return {"binary": "sigmoid", "multiclass": "softmax",
            "regression": "linear"}[task_of(dataset)]


def loss_name(dataset: str) -> str:
    """The Keras loss the model is compiled with."""
    return {"binary": "binary_crossentropy",
            "multiclass": "sparse_categorical_crossentropy",
            "regression": "mean_squared_error"}[task_of(dataset)]


def check_spec(spec: PlaygroundSpec) -> None:
    """Raise PlaygroundError for settings no network can train with.

    >>> check_spec(PlaygroundSpec(features=()))
    Traceback (most recent call last):
    ...
    core.playground.PlaygroundError: no_features
    """
    if spec.dataset not in DATASETS:
        raise PlaygroundError("unknown_dataset", name=spec.dataset)
    if not spec.features:
        raise PlaygroundError("no_features")
    unknown = [f for f in spec.features if f not in FEATURES]
    if unknown:
        raise PlaygroundError("unknown_feature", name=unknown[0])
    if len(spec.hidden) > MAX_LAYERS or any(not 1 <= n <= MAX_NEURONS
                                            for n in spec.hidden):
        raise PlaygroundError("bad_layers", layers=MAX_LAYERS, neurons=MAX_NEURONS)
    if len(spec.activations) != len(spec.hidden) or any(
            a not in HIDDEN_ACTIVATIONS for a in spec.activations):
        raise PlaygroundError("bad_activation")
    if spec.optimizer not in OPTIMIZERS:
        raise PlaygroundError("unknown_optimizer", name=spec.optimizer)
    if not (math.isfinite(spec.learning_rate) and spec.learning_rate > 0):
        raise PlaygroundError("bad_learning_rate", value=spec.learning_rate)
    if not (spec.l1 >= 0 and spec.l2 >= 0 and math.isfinite(spec.l1 + spec.l2)):
        raise PlaygroundError("bad_regularization")
    if not 0 <= spec.dropout < 1:
        raise PlaygroundError("bad_dropout", value=spec.dropout)
    if spec.batch_size < 1:
        raise PlaygroundError("bad_batch", value=spec.batch_size)
    if not 10 <= spec.train_percent <= 90:
        raise PlaygroundError("bad_split", value=spec.train_percent)
    if not 2 * num_outputs(spec.dataset) <= spec.points <= 5000:
        raise PlaygroundError("bad_points", value=spec.points)


@dataclass(frozen=True)
class PlaygroundData:
    """Points (n, 2) in the plane, their labels, and the train/test split."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    task: str
    num_classes: int = field(default=2)


def plane_dataset(n: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Regression: a tilted plane t = (x1 + x2) / 2 plus noise, on [−1, 1]².

    >>> X, t = plane_dataset(4, 0.0, 0)
    >>> bool(np.allclose(t, X.sum(axis=1) / 2))
    True
    """
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (n, 2))
    t = X.sum(axis=1) / 2 + rng.normal(0, 0.5 * noise, n)
    return X.astype(np.float32), t.astype(np.float32)


def make_data(spec: PlaygroundSpec) -> PlaygroundData:
    """The spec's points, split into train and test (the first train_percent %).

    The points come shuffled from the generator, so the split is random but fixed
    by the seed. Raises PlaygroundError when the split leaves a class without a
    training point.
    """
    check_spec(spec)
    if spec.dataset == "plane":
        X, y = plane_dataset(spec.points, spec.noise, spec.seed)
    else:
        assert spec.dataset in TOY_DATASETS
        X, y = make_toy_dataset(spec.dataset, spec.points, spec.noise, spec.seed)
    cut = max(1, min(len(X) - 1, round(len(X) * spec.train_percent / 100)))
    task = task_of(spec.dataset)
    data = PlaygroundData(X[:cut], y[:cut], X[cut:], y[cut:], task,
                          num_classes=3 if task == "multiclass" else 2)
    if task != "regression" and len(np.unique(data.y_train)) < data.num_classes:
        raise PlaygroundError("one_class")
    return data


def feature_matrix(X: np.ndarray, features: tuple[str, ...]) -> np.ndarray:
    """The network's inputs for points X (n, 2): one column per chosen feature.

    sin uses π·x, so that on [−1, 1] it bends once rather than staying almost
    straight (TensorFlow Playground's plane is 6 times wider).

    >>> feature_matrix(np.array([[0.5, -1.0]]), ("x1", "x2sq", "x1x2")).tolist()
    [[0.5, 1.0, -0.5]]
    """
    x1, x2 = X[:, 0].astype(np.float64), X[:, 1].astype(np.float64)
    columns = {"x1": lambda: x1, "x2": lambda: x2, "x1sq": lambda: x1 * x1,
               "x2sq": lambda: x2 * x2, "x1x2": lambda: x1 * x2,
               "sinx1": lambda: np.sin(np.pi * x1), "sinx2": lambda: np.sin(np.pi * x2)}
    return np.stack([columns[name]() for name in features], axis=1).astype(np.float32)


def layer_sizes(spec: PlaygroundSpec) -> list[int]:
    """Neurons per layer, inputs first and outputs last.

    >>> layer_sizes(PlaygroundSpec(dataset="spiral3", hidden=(8, 8),
    ...                            activations=("relu", "relu")))
    [2, 8, 8, 3]
    """
    return [len(spec.features), *spec.hidden, num_outputs(spec.dataset)]


def count_params(spec: PlaygroundSpec) -> int:
    """Weights plus biases: Σ (inputs + 1) · neurons over the Dense layers."""
    sizes = layer_sizes(spec)
    return sum((a + 1) * b for a, b in zip(sizes, sizes[1:], strict=False))


def _activate(name: str, z: np.ndarray) -> np.ndarray:
    if name == "softmax":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    return ACTIVATIONS[name].fn(z)


def forward(weights: list[np.ndarray], spec: PlaygroundSpec,
            X: np.ndarray) -> list[np.ndarray]:
    """Every layer's outputs for points X (n, 2), as Keras computes them at
    inference (dropout off): ``[features, hidden_1, …, output]``.

    ``weights`` is ``model.get_weights()``: kernel, bias for each Dense layer.
    """
    outs = [feature_matrix(X, spec.features).astype(np.float64)]
    names = [*spec.activations, output_activation(spec.dataset)]
    for index, name in enumerate(names):
        kernel, bias = weights[2 * index], weights[2 * index + 1]
        outs.append(_activate(name, outs[-1] @ kernel + bias))
    return outs


def predict(weights: list[np.ndarray], spec: PlaygroundSpec,
            X: np.ndarray) -> np.ndarray:
    """The network's output for X: P(class 1) (n,), class probabilities (n, 3),
    or the regression value (n,)."""
    out = forward(weights, spec, X)[-1]
    return out if out.shape[1] > 1 else out[:, 0]


def data_loss(output: np.ndarray, y: np.ndarray, task: str) -> float:
    """The loss without the regularisation term, as Keras computes it.

    >>> round(data_loss(np.array([0.9, 0.2]), np.array([1, 0]), "binary"), 4)
    0.1643
    """
    if len(y) == 0:
        return float("nan")
    if task == "regression":
        return float(np.mean((output - y) ** 2))
    eps = 1e-7  # Keras clips probabilities to [ε, 1 − ε].
    if task == "binary":
        p = np.clip(output, eps, 1 - eps)
        return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
    p = np.clip(output[np.arange(len(y)), y], eps, 1 - eps)
    return float(-np.mean(np.log(p)))


def accuracy(output: np.ndarray, y: np.ndarray, task: str) -> float | None:
    """Share of points on the right side (None for regression)."""
    if task == "regression" or len(y) == 0:
        return None
    guess = output.argmax(axis=1) if output.ndim == 2 else (output >= 0.5)
    return float(np.mean(guess == y))


@dataclass(frozen=True)
class Scores:
    train_loss: float
    test_loss: float
    train_accuracy: float | None
    test_accuracy: float | None


def score(weights: list[np.ndarray], spec: PlaygroundSpec,
          data: PlaygroundData) -> Scores:
    """Train and test loss (data loss only) and accuracy for these weights."""
    train = predict(weights, spec, data.x_train)
    test = predict(weights, spec, data.x_test)
    return Scores(data_loss(train, data.y_train, data.task),
                  data_loss(test, data.y_test, data.task),
                  accuracy(train, data.y_train, data.task),
                  accuracy(test, data.y_test, data.task))


def grid(resolution: int) -> tuple[np.ndarray, np.ndarray]:
    """Cell centres along one axis, and all points of the resolution² grid
    (x1 varies fastest: row r of the picture is x2 = axis[r])."""
    axis = np.linspace(-DOMAIN, DOMAIN, resolution)
    x1, x2 = np.meshgrid(axis, axis)
    return axis, np.stack([x1.ravel(), x2.ravel()], axis=1)


# --- Challenges ---------------------------------------------------------------

@dataclass(frozen=True)
class Challenge:
    """A goal that checks itself: a dataset, limits on the network, a target."""

    key: str
    dataset: str
    metric: str  # "test_loss" (below target) or "test_accuracy" (at least target)
    target: float
    max_params: int | None = None
    max_layers: int | None = None
    features: tuple[str, ...] | None = None  # only these inputs allowed


CHALLENGES = (
    Challenge("circle_no_hidden", "circle", "test_accuracy", 0.95, max_layers=0),
    Challenge("xor_small", "xor", "test_accuracy", 0.95, max_params=17,
              features=("x1", "x2")),
    Challenge("spiral_small", "spiral", "test_loss", 0.1, max_params=40),
    Challenge("spiral_raw", "spiral", "test_accuracy", 0.9, features=("x1", "x2")),
)


@dataclass(frozen=True)
class ChallengeCheck:
    """Each condition of a challenge with whether it holds and the value seen."""

    conditions: tuple[tuple[str, bool, object], ...]

    @property
    def met(self) -> bool:
        return all(ok for _, ok, _ in self.conditions)


def check_challenge(challenge: Challenge, spec: PlaygroundSpec,
                    scores: Scores | None) -> ChallengeCheck:
    """Which of the challenge's conditions the current run satisfies.

    >>> c = CHALLENGES[0]
    >>> check_challenge(c, PlaygroundSpec(dataset="circle", hidden=(), activations=()),
    ...                 Scores(0.1, 0.1, 1.0, 0.96)).met
    True
    """
    rows: list[tuple[str, bool, object]] = [
        ("dataset", spec.dataset == challenge.dataset, spec.dataset)]
    if challenge.max_layers is not None:
        rows.append(("max_layers", len(spec.hidden) <= challenge.max_layers,
                     len(spec.hidden)))
    if challenge.max_params is not None:
        params = count_params(spec)
        rows.append(("max_params", params <= challenge.max_params, params))
    if challenge.features is not None:
        rows.append(("features", set(spec.features) <= set(challenge.features),
                     ", ".join(spec.features)))
    value = None if scores is None else getattr(scores, challenge.metric)
    if challenge.metric == "test_loss":
        ok = value is not None and value < challenge.target
    else:
        ok = value is not None and value >= challenge.target
    rows.append((challenge.metric, ok, value))
    return ChallengeCheck(tuple(rows))
