"""The playground's live training: a real Keras model in a background thread that
plays, pauses, steps one epoch at a time and reports every epoch (神经网络游乐场).

One epoch is a ``tf.function`` over shuffled mini-batches: the Keras model's own
forward pass, the Keras loss (plus its L1/L2 penalties) and a Keras optimizer — what
``model.fit`` does, without its ~100 ms of per-call set-up, so a small network
trains at about a hundred epochs a second and Pause/Step answer at once.

Playing jobs share ``LIVE_SLOTS`` (``PLAYGROUND_MAX_LIVE_NETWORKS``, default 6) and
give their slot back after every ``SLICE_SECONDS`` of training, so with thirty
students playing, everyone's network keeps moving (first come, first served).
A job nobody has looked at for ``IDLE_PAUSE_SECONDS`` pauses itself.
"""

from __future__ import annotations

import math
import threading
import time
import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.playground import (
    PlaygroundData,
    PlaygroundSpec,
    Scores,
    check_spec,
    feature_matrix,
    loss_name,
    num_outputs,
    output_activation,
    score,
)
from core.training_slots import TrainingSlots, _capacity_from_env

MAX_EPOCHS = 5000
EPOCHS_PER_SECOND = 60  # the pace of Play: the boundary forms slowly enough to watch
SLICE_SECONDS = 0.25
IDLE_PAUSE_SECONDS = 60.0
ABANDON_SECONDS = 600.0  # a network nobody has looked at for this long is put away

LIVE_SLOTS = TrainingSlots(_capacity_from_env(6, "PLAYGROUND_MAX_LIVE_NETWORKS"))


_JOBS: weakref.WeakSet = weakref.WeakSet()


def active_jobs() -> int:
    """How many playground networks on this server are loading or training now."""
    return sum(1 for job in list(_JOBS) if job.active)


def frame_seconds(active: int, fastest: float = 0.04, slowest: float = 1.0) -> float:
    """The pause between two redraws of a training network.

    Streamlit's browser side waits this long after a frame has arrived and been
    drawn before asking for the next, so the pause is shorter than the 0.1 s
    that ten frames a second suggest. It grows with the number of networks
    training on the server (one more second of pause per 50 of them), so a class
    of thirty shares two cores without the training itself stalling.

    >>> frame_seconds(1), frame_seconds(2), frame_seconds(10), frame_seconds(60)
    (0.04, 0.04, 0.2, 1.0)
    """
    return min(slowest, max(fastest, active / 50))


@dataclass(frozen=True)
class EpochScores:
    epoch: int
    scores: Scores


@dataclass(frozen=True)
class PlaygroundSnapshot:
    """What the page draws: the state, the latest weights and every epoch's scores."""

    state: str
    epoch: int
    weights: tuple[np.ndarray, ...] | None
    history: tuple[EpochScores, ...]
    error: str | None
    steps: int  # optimizer steps taken so far


def build_playground_model(spec: PlaygroundSpec) -> Any:
    """The spec's network in Keras: Dense layers named hidden_1…, optional
    Dropout after each hidden layer, and the output layer; seeded initialisers.

    Not compiled: ``PlaygroundJob`` trains it with its own optimizer.
    """
    from core.keras_import import load_keras

    keras = load_keras()
    penalty = (keras.regularizers.L1L2(l1=spec.l1, l2=spec.l2)
               if spec.l1 or spec.l2 else None)
    inputs = keras.Input((len(spec.features),), name="features")
    h = inputs
    layers = zip(spec.hidden, spec.activations, strict=True)
    for index, (units, activation) in enumerate(layers, 1):
        h = keras.layers.Dense(
            units, activation=activation, kernel_regularizer=penalty,
            kernel_initializer=keras.initializers.GlorotUniform(seed=spec.seed + index),
            name=f"hidden_{index}")(h)
        if spec.dropout:
            h = keras.layers.Dropout(spec.dropout, seed=spec.seed + 100 + index,
                                     name=f"dropout_{index}")(h)
    outputs = keras.layers.Dense(
        num_outputs(spec.dataset), activation=output_activation(spec.dataset),
        kernel_regularizer=penalty,
        kernel_initializer=keras.initializers.GlorotUniform(seed=spec.seed),
        name="output")(h)
    return keras.Model(inputs, outputs, name="playground")


class PlaygroundJob:
    """A network that trains while playing; safe to control from any thread.

    Starts paused at epoch 0 once Keras has loaded and the model is built.
    """

    def __init__(self, spec: PlaygroundSpec, data: PlaygroundData,
                 slots: TrainingSlots | None = None,
                 pace: float | None = EPOCHS_PER_SECOND) -> None:
        """``pace``: at most this many epochs per second while playing (None: as
        fast as the machine goes, for benchmarks and tests)."""
        check_spec(spec)
        self.pace = pace
        self.spec, self.data = spec, data
        self.state, self.error = "loading", None
        self.epoch, self.steps = 0, 0
        self.weights: tuple[np.ndarray, ...] | None = None
        self.history: list[EpochScores] = []
        self.model: Any = None
        self._slots = slots or LIVE_SLOTS
        self._cond = threading.Condition()
        self._budget = 0  # epochs still to run: 0 paused, 1 one step, big: playing
        self._stop = threading.Event()
        self._seen = time.monotonic()
        _JOBS.add(self)
        self.thread = threading.Thread(target=self._run, daemon=True,
                                       name=f"playground-{id(self):x}")
        self.thread.start()

    stop_requested = property(lambda self: self._stop.is_set())

    @property
    def can_train(self) -> bool:
        """Whether Play and Step make sense: settled in "paused", nothing asked."""
        with self._cond:
            return self._budget == 0 and self.state == "paused"

    @property
    def active(self) -> bool:
        """Loading, asked to train, or still finishing an epoch after Pause or
        Step (the worker is "playing" until it has recorded it and settled into
        "paused"): the page should keep polling, or its last frame is stale."""
        with self._cond:
            return self.state in ("loading", "playing", "waiting") or (
                self._budget > 0 and self.state == "paused")

    # --- control (any thread) ---
    def play(self) -> None:
        self._command(MAX_EPOCHS)

    def step(self) -> None:
        self._command(1)

    def pause(self) -> None:
        self._command(0)

    def stop(self) -> None:
        """End the job (its thread exits at the next epoch end). Safe twice."""
        self._stop.set()
        self._command(0)
        self._slots.wake()

    def _command(self, budget: int) -> None:
        with self._cond:
            self._budget = budget
            self._seen = time.monotonic()
            self._cond.notify_all()

    def wait(self, timeout: float | None = None) -> bool:
        self.thread.join(timeout)
        return not self.thread.is_alive()

    def wait_for_epoch(self, epoch: int, timeout: float = 60.0) -> bool:
        """Block until ``epoch`` epochs are done or the job stops moving."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self.epoch < epoch and self.state in ("loading", "playing",
                                                        "waiting", "paused"):
                if self.state == "paused" and self._budget == 0:
                    return False
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.2))
            return self.epoch >= epoch

    def wait_until_ready(self, timeout: float = 120.0) -> bool:
        deadline = time.monotonic() + timeout
        with self._cond:
            while self.state == "loading":
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.2))
        return self.weights is not None

    def snapshot(self) -> PlaygroundSnapshot:
        with self._cond:
            self._seen = time.monotonic()
            return PlaygroundSnapshot(self.state, self.epoch, self.weights,
                                      tuple(self.history), self.error, self.steps)

    # --- worker thread ---
    def _set_state(self, state: str, error: str | None = None) -> None:
        with self._cond:
            self.state, self.error = state, error
            self._cond.notify_all()

    def _record(self, weights: list[np.ndarray], steps: int) -> bool:
        """Keep this epoch's weights and scores; False when they blew up."""
        finite = all(np.isfinite(w).all() for w in weights)
        scores = score(weights, self.spec, self.data) if finite else None
        with self._cond:
            self.steps += steps
            if scores is None or not math.isfinite(scores.train_loss):
                return False
            self.weights = tuple(weights)
            self.history.append(EpochScores(self.epoch, scores))
            self._cond.notify_all()
            return True

    def _run(self) -> None:
        try:
            epoch_fn, model = self._prepare()
        except Exception as error:  # noqa: BLE001 - shown to the user, not raised
            self._set_state("failed", f"{type(error).__name__}: {error}")
            return
        self.model = model
        self._record(model.get_weights(), 0)
        self._set_state("paused")
        rng = np.random.default_rng(self.spec.seed)
        x = feature_matrix(self.data.x_train, self.spec.features)
        y = self.data.y_train.astype(np.float32 if self.data.task != "multiclass"
                                     else np.int32)
        while not self._stop.is_set():
            if not self._wait_for_work():
                break
            if not self._slots.acquire(self):
                break
            try:
                self._set_state("playing")
                self._train_slice(epoch_fn, model, rng, x, y)
            finally:
                self._slots.release()
        if self.state not in ("diverged", "finished", "failed"):
            self._set_state("stopped")
        self.model = None  # a stopped job keeps its weights and scores, not Keras

    def _wait_for_work(self) -> bool:
        """Wait for Play or Step; False when stopped, or abandoned (nobody asked
        for a snapshot for ABANDON_SECONDS: the session is gone, so the thread
        and the model go too)."""
        with self._cond:
            while self._budget == 0 and not self._stop.is_set():
                if self.state not in ("paused", "diverged", "finished"):
                    self.state = "paused"
                    self._cond.notify_all()
                if time.monotonic() - self._seen > ABANDON_SECONDS:
                    self._stop.set()
                    break
                self._cond.wait(1.0)
            if self._stop.is_set():
                return False
            self.state = "waiting"
            self._cond.notify_all()
            return True

    def _train_slice(self, epoch_fn, model, rng, x, y) -> None:
        """Run epochs for up to SLICE_SECONDS (or until paused), then yield."""
        end = time.monotonic() + SLICE_SECONDS
        batch = min(self.spec.batch_size, len(x))
        steps = math.ceil(len(x) / batch)
        while time.monotonic() < end and not self._stop.is_set():
            with self._cond:
                if self._budget == 0:
                    return
                if time.monotonic() - self._seen > IDLE_PAUSE_SECONDS:
                    self._budget = 0  # nobody is watching: pause
                    return
                self._budget -= 1
            began = time.monotonic()
            order = rng.permutation(len(x))
            epoch_fn(x[order], y[order], batch)
            with self._cond:
                self.epoch += 1
            if not self._record(model.get_weights(), steps):
                with self._cond:
                    self._budget = 0
                self._set_state("diverged")
                self._stop.set()
                return
            if self.epoch >= MAX_EPOCHS:
                with self._cond:
                    self._budget = 0
                self._set_state("finished")
                self._stop.set()
                return
            if self.pace:  # a wait that Pause, Step or Stop cut short
                with self._cond:
                    left = 1 / self.pace - (time.monotonic() - began)
                    if left > 0 and self._budget > 0:
                        self._cond.wait(left)

    def _prepare(self) -> tuple[Any, Any]:
        from core.keras_import import load_keras

        keras = load_keras()
        import tensorflow as tf

        model = build_playground_model(self.spec)
        from core.models import make_optimizer

        optimizer = make_optimizer(self.spec.optimizer, self.spec.learning_rate)
        loss_fn = keras.losses.get(loss_name(self.spec.dataset))
        variables = model.trainable_variables
        optimizer.build(variables)
        column = self.data.task != "multiclass"

        @tf.function(reduce_retracing=True)
        def epoch_fn(xs, ys, batch):
            n = tf.shape(xs)[0]
            for start in tf.range(0, n, batch):
                xb, yb = xs[start:start + batch], ys[start:start + batch]
                with tf.GradientTape() as tape:
                    out = model(xb, training=True)
                    target = tf.reshape(yb, (-1, 1)) if column else yb
                    loss = tf.reduce_mean(loss_fn(target, out))
                    if model.losses:
                        loss = loss + tf.add_n(model.losses)
                grads = tape.gradient(loss, variables)
                optimizer.apply_gradients(zip(grads, variables, strict=True))
            return n

        return epoch_fn, model
