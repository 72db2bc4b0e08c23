"""The smallest neural network (极简神经网络): one neuron learns y = w·x + b.

The documents fit ``Dense(units=1)`` to six points on y = 2x − 1 with stochastic
gradient descent (SGD) on the mean squared error (MSE) for 500 epochs. Here: the
points read from a table and checked, the exact answer (least squares), the loss
over a grid of (w, b), plain gradient descent in NumPy, the Keras training in a
background thread recording w, b and the loss every epoch, and the script that
does the same at home. Only the training thread loads Keras.

>>> points, problems = parse_points(DOCUMENTS_X, DOCUMENTS_Y)
>>> least_squares(points), problems
((2.0, -1.0), [])
>>> round(max_stable_learning_rate(points), 3)  # SGD diverges above this
0.177
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import zip_longest
from typing import Any, NamedTuple

import numpy as np

from core.keras_import import load_keras
from core.training import SLOTS, TrainingSlots, build_seeded, has_exploded
from core.training_slots import QueuedJob

DOCUMENTS_X = (-1.0, 0.0, 1.0, 2.0, 3.0, 4.0)
DOCUMENTS_Y = (-3.0, -1.0, 1.0, 3.0, 5.0, 7.0)
# The documents' run, as printed: first and last epoch's loss, get_weights(), and
# predict(). Their text asks about x_new = 10, but 8.995028 = 5·w + b: the code
# predicted x = 5 (2·5 − 1 = 9); for x = 10 the line gives 2·10 − 1 = 19.
DOCUMENTS_RUN = {"epochs": 500, "learning_rate": 0.01, "first_loss": 13.4237,
                 "last_loss": 3.8166e-05, "w": 1.9973876, "b": -0.99190086,
                 "x_new": 5.0, "prediction": 8.995028}
DEFAULT_SEED = 1354  # Keras starts at w ≈ 0.1308, next to the documents' w ≈ 0.1321
MAX_POINTS = 32  # ≤ Keras' default batch of 32: one batch, one step per epoch
VALUE_LIMIT = 1000.0
ERRORS = ("no_points", "one_point", "same_x")  # no line can be learned
STATUSES = ("queued", "running", "finished", "stopped", "diverged", "failed")
SCRIPT_FILE_NAME = "smallest_network.py"


@dataclass(frozen=True)
class Points:
    """The training points, x and y as tuples of floats (hashable, comparable)."""

    x: tuple[float, ...]
    y: tuple[float, ...]

    @property
    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        return np.array(self.x, dtype=float), np.array(self.y, dtype=float)


class DataProblem(NamedTuple):
    """A problem with the table: a code, the 1-based row and the column."""

    code: str
    row: int = 0
    column: str = ""


def _read_cell(cell: Any) -> tuple[float | None, str | None]:
    """One table cell as a number, or the problem code that stops it."""
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return None, "cell_empty"
    text = str(cell).strip()
    if not text:
        return None, "cell_empty"
    try:
        value = float(text)
    except ValueError:
        return None, "not_number"
    if not math.isfinite(value):
        return None, "not_number"
    if abs(value) > VALUE_LIMIT:
        return None, "too_large"
    return value, None


def parse_points(x_cells: Iterable[Any], y_cells: Iterable[Any]
                 ) -> tuple[Points | None, list[DataProblem]]:
    """Read (x, y) rows from table cells or text; report every bad cell.

    A row with a bad cell (empty, not a number, beyond ±VALUE_LIMIT) is left out;
    a row empty in both cells (a table's new row) is skipped quietly.

    Returns:
        (points, problems): points is None when no line can be learned (fewer
        than two points, or every x the same; the code is in ``ERRORS``).

    >>> parse_points(["1", "a", "3", 4], [1, 2, None, 5])[1]
    [DataProblem(code='not_number', row=2, column='x'), \
DataProblem(code='cell_empty', row=3, column='y')]
    >>> parse_points([2], [3])
    (None, [DataProblem(code='one_point', row=0, column='')])
    """
    xs, ys, problems = [], [], []
    for row, cells in enumerate(zip_longest(x_cells, y_cells), start=1):
        read = [_read_cell(cell) for cell in cells]
        if all(code == "cell_empty" for _, code in read):
            continue
        bad = [DataProblem(code, row, column)
               for column, (_, code) in zip("xy", read, strict=True) if code]
        problems += bad
        if not bad:
            xs.append(read[0][0])
            ys.append(read[1][0])
    if len(xs) > MAX_POINTS:
        problems.append(DataProblem("too_many", MAX_POINTS))
        xs, ys = xs[:MAX_POINTS], ys[:MAX_POINTS]
    error = ("no_points" if not xs else "one_point" if len(xs) == 1
             else "same_x" if len(set(xs)) == 1 else None)
    if error:
        return None, [*problems, DataProblem(error)]
    return Points(tuple(xs), tuple(ys)), problems


def format_number(value: float) -> str:
    """Shortest text that reads back as ``value``: ``-1``, ``0.5``, ``1e-05``.

    >>> format_number(-1.0), format_number(2.5)
    ('-1', '2.5')
    """
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def float_literal(value: float) -> str:
    """``value`` as a Python float literal: ``-1.0``, ``0.5``.

    >>> float_literal(10), float_literal(-0.25)
    ('10.0', '-0.25')
    """
    text = format_number(value)
    return f"{text}.0" if text.lstrip("-").isdigit() else text


def mean_squared_error(points: Points, w: Any, b: Any) -> np.ndarray:
    """MSE of ŷ = w·x + b: mean over the points of (w·x + b − y)².

    ``w`` and ``b`` may be arrays (broadcast together): one loss per pair.

    >>> float(mean_squared_error(Points((0.0, 1.0), (1.0, 1.0)), 0.0, 0.0))
    1.0
    """
    x, y = points.arrays
    w, b = np.broadcast_arrays(np.asarray(w, float), np.asarray(b, float))
    return np.mean((w[..., None] * x + b[..., None] - y) ** 2, axis=-1)


def least_squares(points: Points) -> tuple[float, float]:
    """The best line: w = cov(x, y) / var(x), b = ȳ − w·x̄ (needs two distinct x)."""
    x, y = points.arrays
    dx = x - x.mean()
    w = float(np.sum(dx * (y - y.mean())) / np.sum(dx * dx))
    return w, float(y.mean() - w * x.mean())


def max_stable_learning_rate(points: Points) -> float:
    """Largest learning rate at which full-batch gradient descent on the MSE
    converges: 2 / λ_max of the Hessian H = (2/n)·[[Σx², Σx], [Σx, n]]."""
    x, _ = points.arrays
    hessian = 2 / x.size * np.array([[x @ x, x.sum()], [x.sum(), x.size]])
    return float(2 / np.linalg.eigvalsh(hessian).max())


def gradient_descent(points: Points, w: float, b: float, learning_rate: float,
                     epochs: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Plain gradient descent in NumPy, one full-batch step per epoch, as SGD
    does in ``fit`` when all points fit in one batch:
    w ← w − lr·∂L/∂w = w − lr·mean(2(ŷ − y)·x), b ← b − lr·mean(2(ŷ − y)).

    Returns:
        w, b and the loss before each step and after the last (epochs + 1 each).

    >>> points = parse_points(DOCUMENTS_X, DOCUMENTS_Y)[0]
    >>> w, b, loss = gradient_descent(points, start_w_for_loss(points, 13.4237), 0.0,
    ...                               0.01, 500)  # the documents' run, recomputed
    >>> f"{loss[-2]:.4g} {w[-1]:.7f} {b[-1]:.6f} {5 * w[-1] + b[-1]:.4f}"
    '3.816e-05 1.9973877 -0.991901 8.9950'
    """
    x, y = points.arrays
    path = np.empty((epochs + 1, 2))
    for epoch in range(epochs + 1):
        path[epoch] = w, b
        error = w * x + b - y
        w, b = (w - learning_rate * np.mean(2 * error * x),
                b - learning_rate * np.mean(2 * error))
    return path[:, 0], path[:, 1], mean_squared_error(points, path[:, 0], path[:, 1])


def start_w_for_loss(points: Points, loss: float, b: float = 0.0) -> float:
    """The smaller w at which MSE(w, b) = ``loss`` (e.g. from a printed first loss).

    >>> round(start_w_for_loss(parse_points(DOCUMENTS_X, DOCUMENTS_Y)[0], 13.4237), 4)
    0.1321
    """
    x, y = points.arrays
    r = b - y  # MSE = mean(x²)·w² + 2·mean(x·r)·w + mean(r²) − loss = 0
    qa, qb, qc = np.mean(x * x), 2 * np.mean(x * r), np.mean(r * r) - loss
    return float((-qb - math.sqrt(max(qb * qb - 4 * qa * qc, 0.0))) / (2 * qa))


def surface_window(points: Points, path_w: Sequence[float] = (),
                   path_b: Sequence[float] = (), num: int = 101
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Grid axes (w values, b values) around the least-squares optimum that hold
    Keras' possible starts (|w| ≤ √3, b = 0) and every finite point of the path."""
    w_star, b_star = least_squares(points)
    ws = [w_star, -math.sqrt(3), math.sqrt(3), *path_w]
    bs = [b_star, 0.0, *path_b]
    axes = []
    for values in (ws, bs):
        finite = [v for v in values if math.isfinite(v)]
        low, high = min(finite), max(finite)
        pad = 1.0 + 0.15 * (high - low)
        axes.append(np.linspace(low - pad, high + pad, num))
    return axes[0], axes[1]


def loss_surface(points: Points, w_values: np.ndarray, b_values: np.ndarray
                 ) -> np.ndarray:
    """The exact MSE at every grid point: shape (len(b_values), len(w_values))."""
    grid_w, grid_b = np.meshgrid(w_values, b_values)
    return mean_squared_error(points, grid_w, grid_b)


# --- Keras: the one-neuron model trained in a background thread ---------------


@dataclass(frozen=True)
class FitSettings:
    """What the documents' ``compile`` and ``fit`` take, plus a seed and x_new."""

    learning_rate: float = 0.01
    epochs: int = 500
    seed: int = DEFAULT_SEED
    x_new: float = 10.0


@dataclass(frozen=True)
class EpochPoint:
    """Epoch (1-based): w and b as the epoch began, and Keras' loss at them."""

    epoch: int
    w: float
    b: float
    loss: float


@dataclass(frozen=True)
class FitSnapshot:
    """An immutable copy of a job's state for the page to draw."""

    status: str
    points: tuple[EpochPoint, ...]
    num_epochs: int
    final: tuple[float, float] | None  # (w, b) after the last step
    final_loss: float | None  # evaluate(): the MSE at the final (w, b)
    summary: str
    details: dict[str, Any] = field(default_factory=dict)
    seconds: float | None = None
    queue_position: int = 0


def build_model(keras: Any, learning_rate: float) -> Any:
    """The documents' model, compiled: every name explicit, because Streamlit's
    ``clear_session`` after each script run resets Keras' automatic names."""
    model = keras.Sequential([keras.Input(shape=(1,), name="x"),
                              keras.layers.Dense(units=1, name="neuron")],
                             name="smallest_network")
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=learning_rate),
                  loss="mean_squared_error")
    return model


class FitJob(QueuedJob):
    """One training of the one-neuron model; read it with ``snapshot()``."""

    def __init__(self, data: Points, settings: FitSettings,
                 slots: TrainingSlots) -> None:
        self.data, self.settings = data, settings
        self.status, self.summary = "queued", ""
        self.points: list[EpochPoint] = []
        self.final: tuple[float, float] | None = None
        self.final_loss: float | None = None
        self.details: dict[str, Any] = {}
        self.seconds: float | None = None
        self.model: Any = None
        self.thread: threading.Thread | None = None
        self._lock = threading.Lock()
        QueuedJob.__init__(self, slots)
        self._predictions: dict[float, float] = {}

    def snapshot(self) -> FitSnapshot:
        position = self._slots.position(self)  # outside our lock: never hold both
        with self._lock:
            return FitSnapshot(self.status, tuple(self.points), self.settings.epochs,
                               self.final, self.final_loss, self.summary,
                               dict(self.details), self.seconds, position)

    def predict(self, x_new: float) -> float | None:
        """The trained model's output for one x (cached); None until training has
        ended. The model is called directly, which gives ``model.predict``'s
        value without tracing a predict function (~0.1 s of CPU a job)."""
        with self._lock:
            if x_new in self._predictions or self.status not in ("finished",
                                                                 "stopped"):
                return self._predictions.get(x_new)
        value = self.model(np.array([[x_new]], dtype="float32"), training=False)
        with self._lock:
            self._predictions[x_new] = float(np.asarray(value)[0, 0])
            return self._predictions[x_new]

    def _set(self, **fields: Any) -> None:
        with self._lock:
            self.__dict__.update(fields)


def _weights(model: Any) -> tuple[float, float]:
    kernel, bias = model.get_weights()
    return float(kernel[0, 0]), float(bias[0])


def _make_recorder(keras: Any, job: FitJob) -> Any:
    """A callback recording (w, b, loss) each epoch and stopping on divergence."""

    class Recorder(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
            self.start = _weights(self.model)  # Keras' loss is measured here

        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            loss = float((logs or {}).get("loss", math.nan))
            with job._lock:
                job.points.append(EpochPoint(epoch + 1, *self.start, loss))
                first = job.points[0].loss
            # Each step overshoots the minimum further than the last: the loss
            # grows without end (inf, then NaN). Stop and keep what happened.
            if has_exploded(loss, first):
                job._set(status="diverged", details={"epoch": epoch + 1,
                                                     "loss": loss})
                self.model.stop_training = True
            elif job.stop_requested:
                self.model.stop_training = True

    return Recorder()


def start_fit(data: Points, settings: FitSettings,
              slots: TrainingSlots | None = None) -> FitJob:
    """Train the documents' model on ``data`` in a daemon thread; return at once.

    Raises:
        ValueError: epochs < 1 or a learning rate that is not > 0.
    """
    if settings.epochs < 1 or not settings.learning_rate > 0:
        raise ValueError("epochs must be ≥ 1 and the learning rate > 0.")
    job = FitJob(data, settings, slots or SLOTS)
    job.start_worker(lambda: _run_fit(job), "smallest-fit")
    return job


def _run_fit(job: FitJob) -> None:
    keras = load_keras()
    import tensorflow as tf  # loaded by load_keras(): free here

    job.model = build_seeded(keras, job.settings.seed,
                             lambda: build_model(keras, job.settings.learning_rate))
    lines: list[str] = []
    job.model.summary(print_fn=lambda text, *_, **__: lines.append(text))
    job._set(summary="\n".join(lines).strip("\n"))
    x, y = (np.array(v, dtype="float32").reshape(-1, 1) for v in job.data.arrays)
    # One batch of all points per epoch, the same steps as fit(x, y): a
    # repeated dataset avoids rebuilding fit's input pipeline every epoch
    # (~80 ms each on a busy 2-core server, ~8 ms per epoch this way).
    batches = tf.data.Dataset.from_tensors((x, y)).repeat()
    start = time.perf_counter()
    job.model.fit(batches, epochs=job.settings.epochs, steps_per_epoch=1,
                  shuffle=False, verbose=0, callbacks=[_make_recorder(keras, job)])
    fields: dict[str, Any] = {"seconds": time.perf_counter() - start,
                              "final": _weights(job.model)}
    if job.status != "diverged":
        fields["final_loss"] = float(job.model.evaluate(
            x, y, batch_size=len(x), verbose=0))
        fields["status"] = ("stopped" if len(job.points) < job.settings.epochs
                            else "finished")
    job._set(**fields)
    if job.status != "diverged":
        job.predict(job.settings.x_new)


# --- Show me the code ------------------------------------------------------------


def step_snippets(data: Points, settings: FitSettings) -> dict[str, str]:
    """The code of the documents' five steps for these points and settings.

    >>> steps = step_snippets(Points((0.0, 1.0), (1.0, 3.0)), FitSettings())
    >>> list(steps)
    ['create', 'inspect', 'compile', 'fit', 'predict']
    >>> "epochs=500" in steps["fit"]
    True
    """
    n, epochs = len(data.x), settings.epochs
    shown = sorted({*range(1, min(5, epochs) + 1), *range(max(1, epochs - 4),
                                                           epochs + 1)})
    x_new, rate = format_number(settings.x_new), repr(settings.learning_rate)
    return {
        "create": '''# 1. Create the model: one Dense layer with one neuron (units=1).
#    The documents' Keras 2 code wrote Dense(units=1, input_shape=[1]).
model = keras.Sequential([
    keras.Input(shape=(1,), name="x"),
    keras.layers.Dense(units=1, name="neuron"),
], name="smallest_network")''',
        "inspect": '''# 2. Inspect it: 2 parameters, the weight w and the bias b.
model.summary()''',
        "compile": f'''# 3. Compile: the SGD optimizer and the mean squared error loss.
model.compile(optimizer=keras.optimizers.SGD(learning_rate={rate}),
              loss="mean_squared_error")''',
        "fit": f'''# 4. Fit: {epochs} epochs. All {n} points fit in one batch (Keras'
#    default batch size is 32), so every epoch is one gradient step.
history = model.fit(xs, ys, epochs={epochs}, verbose=0)
losses = history.history["loss"]
for epoch in {shown}:
    print(f"Epoch {{epoch}}: loss = {{losses[epoch - 1]:.4e}}")''',
        "predict": f'''# 5. Evaluate and predict: get_weights() returns [w], [b].
w, b = model.get_weights()
print(f"w = {{w[0, 0]:.6f}}, b = {{b[0]:.6f}}")
print("loss (evaluate):", model.evaluate(xs, ys, verbose=0))
prediction = model.predict(np.array([{float_literal(settings.x_new)}]), verbose=0)[0, 0]
w_best, b_best = np.polyfit(xs, ys, 1)  # least squares: the best line
print(f"predict([{x_new}]) = {{prediction:.6f}}; "
      f"least squares: {{w_best * {x_new} + b_best:.6f}}")''',
    }


def fit_script(data: Points, settings: FitSettings) -> str:
    """A runnable script: the points, then the five steps with these settings.

    >>> script = fit_script(Points((0.0, 1.0), (1.0, 3.0)), FitSettings(epochs=3))
    >>> compile(script, SCRIPT_FILE_NAME, "exec") is not None
    True
    """
    def listed(values: Sequence[float]) -> str:
        return "[" + ", ".join(float_literal(v) for v in values) + "]"

    steps = step_snippets(data, settings)
    return f'''"""The smallest neural network (极简神经网络) — Neural Playground.

One neuron, y = w·x + b, learns a line from {len(data.x)} points with stochastic
gradient descent on the mean squared error. Run: python {SCRIPT_FILE_NAME}
"""
import keras
import numpy as np

keras.utils.set_random_seed({settings.seed})  # same seed, same starting w

xs = np.array({listed(data.x)})
ys = np.array({listed(data.y)})

''' + "\n\n".join(steps.values()) + "\n"
