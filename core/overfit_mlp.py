"""Overfitting live: a small Keras MLP (1 → 64 → 64 → 1) on a few noisy points,
with L1/L2 penalties on its hidden kernels and dropout, trained in a background
thread through the server's shared training slots; and its NumPy twins (forward
pass, penalty, parameter count) that the tests check against Keras.

>>> count_parameters()  # (1·64 + 64) + (64·64 + 64) + (64·1 + 1)
4353
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.keras_import import load_keras
from core.overfitting import CurveData, mean_squared_error
from core.training import build_seeded, has_exploded
from core.training_slots import SLOTS, QueuedJob, TrainingSlots

HIDDEN_UNITS = (64, 64)
SMALL_WEIGHT = 1e-3  # "|w| < 0.001": how close to zero L1 gets a float32 weight


@dataclass(frozen=True)
class MLPSettings:
    """What a run trains with (Adam; MSE loss)."""

    l2: float = 0.0
    l1: float = 0.0
    dropout_rate: float = 0.0
    epochs: int = 400
    learning_rate: float = 0.01
    seed: int = 0


def check_settings(settings: MLPSettings) -> None:
    """Raises ValueError with a student-readable reason for settings Keras refuses
    (or that make no sense)."""
    for name in ("l1", "l2"):
        value = getattr(settings, name)
        if not (math.isfinite(value) and 0 <= value <= 10):
            raise ValueError(f"{name.upper()} must be between 0 and 10, got {value}.")
    if not 0 <= settings.dropout_rate < 1:
        raise ValueError("The dropout rate must be ≥ 0 and < 1 (1 would drop every "
                         f"unit), got {settings.dropout_rate}.")
    if settings.epochs < 1 or not settings.learning_rate > 0:
        raise ValueError("Epochs must be ≥ 1 and the learning rate > 0.")


def count_parameters(hidden: tuple[int, ...] = HIDDEN_UNITS) -> int:
    """Σ (inputs · units + units) over the Dense layers, from 1 input to 1 output."""
    sizes = (1, *hidden, 1)
    return sum(a * b + b for a, b in zip(sizes, sizes[1:], strict=False))


def build_mlp(keras: Any, settings: MLPSettings) -> Any:
    """The compiled model: Dense(64, relu) → Dropout → Dense(64, relu) → Dropout →
    Dense(1); L1L2 on both hidden kernels; Adam and the mean squared error."""
    check_settings(settings)
    layers: list[Any] = [keras.Input(shape=(1,), name="x")]
    for index, units in enumerate(HIDDEN_UNITS, start=1):
        layers.append(keras.layers.Dense(
            units, activation="relu", name=f"hidden_{index}",
            kernel_regularizer=keras.regularizers.L1L2(l1=settings.l1,
                                                       l2=settings.l2)))
        if settings.dropout_rate > 0:
            layers.append(keras.layers.Dropout(settings.dropout_rate,
                                               name=f"dropout_{index}"))
    layers.append(keras.layers.Dense(1, name="y"))
    model = keras.Sequential(layers, name="overfitting_mlp")
    model.compile(optimizer=keras.optimizers.Adam(settings.learning_rate),
                  loss="mean_squared_error", metrics=["mse"])
    return model


# --- NumPy twins -----------------------------------------------------------------


def forward(weights: list[np.ndarray], x: np.ndarray) -> np.ndarray:
    """The MLP at inference (dropout off): relu(x·W₁ + b₁) → relu(·W₂ + b₂) → ·W₃ + b₃.

    Args:
        weights: ``model.get_weights()``: kernel, bias per Dense layer.
        x: inputs, shape (n,) or (n, 1).
    """
    h = np.asarray(x, dtype=np.float64).reshape(-1, 1)
    pairs = list(zip(weights[::2], weights[1::2], strict=True))
    for kernel, bias in pairs[:-1]:
        h = np.maximum(h @ kernel + bias, 0.0)
    kernel, bias = pairs[-1]
    return (h @ kernel + bias)[:, 0]


def hidden_kernels(weights: list[np.ndarray]) -> list[np.ndarray]:
    """The kernels that carry the penalty (every Dense layer but the output)."""
    return list(weights[0:-2:2])


def penalty(weights: list[np.ndarray], l1: float, l2: float) -> float:
    """What Keras adds to the loss: Σ over hidden kernels of l1·Σ|w| + l2·Σw²."""
    return float(sum(l1 * np.abs(k).sum() + l2 * np.square(k).sum()
                     for k in hidden_kernels(weights)))


@dataclass(frozen=True)
class WeightStats:
    """The hidden kernels in numbers: how many, their norms, how many near 0."""

    values: np.ndarray
    l1_norm: float
    l2_norm: float
    num_small: int
    num_zero: int


def weight_stats(weights: list[np.ndarray]) -> WeightStats:
    """Σ|w|, ‖w‖₂, the count of |w| < ``SMALL_WEIGHT`` and of w exactly 0.0."""
    values = np.concatenate([k.ravel() for k in hidden_kernels(weights)])
    return WeightStats(values, float(np.abs(values).sum()),
                       float(np.sqrt(np.square(values.astype(float)).sum())),
                       int((np.abs(values) < SMALL_WEIGHT).sum()),
                       int((values == 0).sum()))


# --- the live run ------------------------------------------------------------------


@dataclass(frozen=True)
class EpochRecord:
    """One epoch (1-based): Keras' loss (MSE + penalty, dropout on) and val_loss
    (MSE + penalty, dropout off), and the data-only mse metrics."""

    epoch: int
    loss: float
    val_loss: float
    mse: float
    val_mse: float


@dataclass(frozen=True)
class RunSnapshot:
    status: str
    records: tuple[EpochRecord, ...]
    num_epochs: int
    weights: list[np.ndarray] | None
    details: dict[str, Any] = field(default_factory=dict)
    seconds: float | None = None
    queue_position: int = 0


class OverfitJob(QueuedJob):
    """One training of the MLP; read it with ``snapshot()`` from any thread."""

    def __init__(self, data: CurveData, settings: MLPSettings,
                 slots: TrainingSlots) -> None:
        self.data, self.settings = data, settings
        self.status = "queued"
        self.records: list[EpochRecord] = []
        self.weights: list[np.ndarray] | None = None
        self.details: dict[str, Any] = {}
        self.seconds: float | None = None
        self.model: Any = None
        self.thread: threading.Thread | None = None
        self._lock = threading.Lock()
        QueuedJob.__init__(self, slots)

    def snapshot(self) -> RunSnapshot:
        position = self._slots.position(self)  # outside our lock: never hold both
        with self._lock:
            return RunSnapshot(self.status, tuple(self.records), self.settings.epochs,
                               self.weights, dict(self.details), self.seconds,
                               position)

    def _set(self, **fields: Any) -> None:
        with self._lock:
            self.__dict__.update(fields)


def _make_recorder(keras: Any, job: OverfitJob) -> Any:
    """Records each epoch and the latest weights; stops on NaN/inf or a loss that
    grew to ``EXPLODED`` times its first value."""

    class Recorder(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            logs, weights = logs or {}, self.model.get_weights()
            val_mse = mean_squared_error(job.data.y_val, forward(weights,
                                                                 job.data.x_val))
            val_loss = val_mse + penalty(weights, job.settings.l1, job.settings.l2)
            record = EpochRecord(epoch + 1, float(logs.get("loss", math.nan)),
                                 val_loss, float(logs.get("mse", math.nan)), val_mse)
            with job._lock:
                job.records.append(record)
                first = job.records[0].loss
                if all(np.isfinite(w).all() for w in weights):
                    job.weights = weights
            if not math.isfinite(record.val_loss) or has_exploded(record.loss, first):
                job._set(status="diverged", details={"epoch": epoch + 1,
                                                     "loss": record.loss})
                self.model.stop_training = True
            elif job.stop_requested:
                self.model.stop_training = True

    return Recorder()


def start_run(data: CurveData, settings: MLPSettings,
              slots: TrainingSlots | None = None) -> OverfitJob:
    """Train a fresh MLP on ``data`` in a daemon thread; return the job at once.

    Raises:
        ValueError: settings that ``check_settings`` refuses.
    """
    check_settings(settings)
    job = OverfitJob(data, settings, slots or SLOTS)
    job.start_worker(lambda: _run(job), "overfit")
    return job


def _run(job: OverfitJob) -> None:
    keras = load_keras()
    job.model = build_seeded(keras, job.settings.seed,
                             lambda: build_mlp(keras, job.settings))
    import tensorflow as tf  # loaded by load_keras(): free here

    data = job.data
    x, y = (np.asarray(v, dtype="float32").reshape(-1, 1) for v in (
        data.x_train, data.y_train))
    # One full batch per epoch from a repeated dataset: fit's input pipeline is
    # built once (rebuilding it, and validation's, costs ~25 ms an epoch on a
    # busy 2-core server). val_loss is computed by the recorder in NumPy from
    # the epoch's weights, exactly what validation_data would report.
    batches = tf.data.Dataset.from_tensors((x, y)).repeat()
    start = time.perf_counter()
    job.model.fit(batches, epochs=job.settings.epochs, steps_per_epoch=1,
                  shuffle=False, verbose=0, callbacks=[_make_recorder(keras, job)])
    fields: dict[str, Any] = {"seconds": time.perf_counter() - start}
    if job.status != "diverged":
        fields["status"] = ("stopped" if len(job.records) < job.settings.epochs
                            else "finished")
    job._set(**fields)
