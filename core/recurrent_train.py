"""Forecasting with SimpleRNN, GRU and LSTM, trained live with Keras in a
background thread (the shared training slots), and their gradients through time
measured with ``tf.GradientTape``.

One job trains the three models one after another on the same windows, with the
same units, seed, learning rate and epochs. Every epoch it records the training
and validation loss; after each model, its forecast of the test part and the
gradient norms ‖∂a⟨T⟩/∂x⟨T−k⟩‖ before and after training. Keras is loaded only
in the job's thread.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.keras_import import load_keras
from core.recurrent import KERAS_LAYERS, KINDS
from core.series import SeriesSplit, root_mean_squared_error
from core.training import SLOTS, TrainingSlots, build_seeded, has_exploded
from core.training_slots import QueuedJob

GRADIENT_STEPS = 40  # length of the probe sequence for the gradient chart


@dataclass(frozen=True)
class ForecastSettings:
    """What every model shares: width, training length, optimizer, seed."""

    units: int = 16
    epochs: int = 30
    learning_rate: float = 0.01
    seed: int = 7
    batch_size: int = 32


def build_forecaster(keras: Any, kind: str, window: int, units: int,
                     learning_rate: float = 0.01) -> Any:
    """Input(window, 1) → SimpleRNN/GRU/LSTM(units) → Dense(1), Adam + MSE.

    Names are explicit: Streamlit's ``clear_session`` resets Keras' counters.
    """
    layer = getattr(keras.layers, KERAS_LAYERS[kind])(units, name=kind)
    model = keras.Sequential([keras.Input(shape=(window, 1), name="window"), layer,
                              keras.layers.Dense(1, name="next_value")],
                             name=f"{kind}_forecaster")
    # XLA compilation (jit_compile="auto") costs seconds for GRU and LSTM and
    # saves nothing on models this small.
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                  loss="mean_squared_error", jit_compile=False)
    return model


def probe_sequence(length: int = GRADIENT_STEPS, seed: int = 0) -> np.ndarray:
    """A seeded N(0, 1) input sequence of shape (length, 1) for gradient probes."""
    return np.random.default_rng(seed).standard_normal((length, 1))


def tape_gradient_norms(layer: Any, x: np.ndarray) -> np.ndarray:
    """‖∂a⟨T⟩/∂x⟨T−k⟩‖ (Frobenius) for k = 0 … T−1 of a recurrent ``layer``
    (its last output a⟨T⟩) with ``tf.GradientTape``."""
    import tensorflow as tf

    # One backward pass: n copies of the sequence; copy i backpropagates only
    # unit i of a⟨T⟩ (the diagonal), so row i of the gradient is ∂a_i⟨T⟩/∂x.
    num_units = int(layer.units)
    batch = np.repeat(np.asarray(x, dtype="float32")[None], num_units, axis=0)
    inputs = tf.constant(batch)
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        last = layer(inputs)  # (n, n): a⟨T⟩ of each copy (return_sequences=False)
        picked = tf.reduce_sum(tf.linalg.diag_part(last))
    rows = np.asarray(tape.gradient(picked, inputs))  # (n, T, m)
    per_step = np.sqrt(np.sum(rows ** 2, axis=(0, 2)))
    return per_step[::-1].astype(float)  # index k = steps back from T


@dataclass(frozen=True)
class ForecastSnapshot:
    """An immutable copy of a job for the page to draw."""

    status: str
    current: str | None
    history: dict[str, tuple[tuple[float, float], ...]]
    forecasts: dict[str, np.ndarray]
    rmse: dict[str, float]
    gradients: dict[str, dict[str, np.ndarray]]
    num_epochs: int
    details: dict[str, Any] = field(default_factory=dict)
    seconds: float | None = None
    queue_position: int = 0


class ForecastJob(QueuedJob):
    """One comparison of the three models; read it with ``snapshot()``."""

    def __init__(self, split: SeriesSplit, settings: ForecastSettings,
                 slots: TrainingSlots, kinds: tuple[str, ...] = KINDS) -> None:
        QueuedJob.__init__(self, slots)
        self.split, self.settings, self.kinds = split, settings, kinds
        self.status, self.current = "queued", None
        self.history: dict[str, list[tuple[float, float]]] = {k: [] for k in kinds}
        self.forecasts: dict[str, np.ndarray] = {}
        self.rmse: dict[str, float] = {}
        self.gradients: dict[str, dict[str, np.ndarray]] = {}
        self.details: dict[str, Any] = {}
        self.seconds: float | None = None
        self.models: dict[str, Any] = {}
        self._lock = threading.Lock()

    def snapshot(self) -> ForecastSnapshot:
        position = self._slots.position(self)  # outside our lock: never hold both
        with self._lock:
            return ForecastSnapshot(
                self.status, self.current,
                {k: tuple(v) for k, v in self.history.items()}, dict(self.forecasts),
                dict(self.rmse), {k: dict(v) for k, v in self.gradients.items()},
                self.settings.epochs, dict(self.details), self.seconds, position)

    def _set(self, **fields: Any) -> None:
        with self._lock:
            self.__dict__.update(fields)


def _make_recorder(keras: Any, job: ForecastJob, kind: str) -> Any:
    """Record (loss, val_loss) each epoch; stop on request or divergence."""

    class Recorder(keras.callbacks.Callback):
        first: float | None = None  # the first batch's loss: the start

        def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
            if self.first is None:
                self.first = float((logs or {}).get("loss", math.nan))
            if job.stop_requested:
                self.model.stop_training = True

        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            loss = float((logs or {}).get("loss", math.nan))
            val = _mse(self.model, job.split.x_validation, job.split.y_validation)
            with job._lock:
                job.history[kind].append((loss, val))
            first = self.first if self.first is not None else loss
            # The loss grew far past where it started (or became NaN/inf): the
            # steps overshoot. Stop and keep what happened.
            if not math.isfinite(first) or has_exploded(loss, first):
                job._set(status="diverged", details={"model": kind,
                                                     "epoch": epoch + 1,
                                                     "loss": loss})
                self.model.stop_training = True

    return Recorder()


def start_forecast(split: SeriesSplit, settings: ForecastSettings,
                   slots: TrainingSlots | None = None,
                   kinds: tuple[str, ...] = KINDS) -> ForecastJob:
    """Train ``kinds`` on ``split`` one after another in a daemon thread.

    Raises:
        ValueError: epochs or units < 1, or a learning rate that is not > 0.
    """
    if settings.epochs < 1 or settings.units < 1 or not settings.learning_rate > 0:
        raise ValueError("epochs and units must be ≥ 1 and the learning rate > 0.")
    job = ForecastJob(split, settings, slots or SLOTS, kinds)
    job.start_worker(lambda: _run(job), "recurrent-fit")
    return job


def _batches(x: np.ndarray, y: np.ndarray, batch_size: int,
             seed: int | None = None) -> Any:
    """A tf.data pipeline: its batch axis is unknown (None), so Keras traces one
    training step for full and partial batches alike (arrays trace twice when
    the last batch is smaller, seconds on a busy 2-core server)."""
    import tensorflow as tf

    data = tf.data.Dataset.from_tensor_slices((x.astype("float32"),
                                               y.astype("float32")))
    if seed is not None:  # reshuffled every epoch, the same way for every model
        data = data.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    return data.batch(batch_size)


def _predict(model: Any, x: np.ndarray) -> np.ndarray:
    """One eager call on all windows: the same numbers as ``predict`` without
    tracing a predict function (seconds per model on a busy server)."""
    return np.asarray(model(x.astype("float32"), training=False))[:, 0]


def _mse(model: Any, x: np.ndarray, y: np.ndarray) -> float:
    """The validation loss (MSE on scaled values) after an epoch, computed eagerly
    for the same reason (``validation_data`` would trace a test function)."""
    return float(np.mean((_predict(model, x) - y) ** 2))


def _train_one(keras: Any, job: ForecastJob, kind: str, probe: np.ndarray) -> None:
    split, settings = job.split, job.settings
    model = build_seeded(keras, settings.seed, lambda: build_forecaster(
        keras, kind, split.window, settings.units, settings.learning_rate))
    job.models[kind] = model
    before = tape_gradient_norms(model.get_layer(kind), probe)
    job._set(current=kind)
    model.fit(_batches(split.x_train, split.y_train, settings.batch_size,
                       settings.seed),
              epochs=settings.epochs, shuffle=False, verbose=0,  # shuffled above
              callbacks=[_make_recorder(keras, job, kind)])
    gradients = {"init": before}
    if job.status == "diverged":
        with job._lock:
            job.gradients[kind] = gradients
        return
    gradients["trained"] = tape_gradient_norms(model.get_layer(kind), probe)
    forecast = split.unscale(_predict(model, split.x_test))
    truth = split.unscale(split.y_test)
    with job._lock:
        job.gradients[kind] = gradients
        job.forecasts[kind] = forecast
        job.rmse[kind] = root_mean_squared_error(truth, forecast)


def _run(job: ForecastJob) -> None:
    keras = load_keras()
    probe = probe_sequence(seed=job.settings.seed)
    start = time.perf_counter()
    for kind in job.kinds:
        if job.stop_requested or job.status == "diverged":
            break
        _train_one(keras, job, kind, probe)
    fields: dict[str, Any] = {"seconds": time.perf_counter() - start,
                              "current": None}
    if job.status != "diverged":
        fields["status"] = "stopped" if job.stop_requested else "finished"
    job._set(**fields)
