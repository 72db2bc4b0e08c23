"""Live training: ``model.fit`` in a background thread, metrics in a job object.

The page never trains in its own thread (a widget click would abort it). It calls
``start_training``, keeps the returned ``TrainingJob`` in the session, and redraws
``job.snapshot()`` every second. A Keras callback writes one record per batch and
one per epoch under a lock, turns ``job.stop()`` into ``model.stop_training`` at
the next batch end, and stops with status "diverged" when the loss is NaN or
±inf, or grows to 100 times its first value.

At most ``PLAYGROUND_MAX_TRAININGS`` (default 2) jobs train at once; the others
wait first come, first served ("queued"). A job started with ``abandon_after``
stops ("stopped", note "abandoned") once nobody has asked for a snapshot for that
many seconds: its session is gone, its slot and thread should be too.

Same seed, same curve: a job seeds Keras and builds its model under one lock, so
runs that do not overlap repeat exactly.

>>> steps_per_epoch(50_000, 32)  # the documents' CIFAR-10 arithmetic
1563
>>> str(TrainingError("bad_batch_size", value=0)).startswith("The batch size")
True
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core.keras_import import load_keras
from core.training_slots import (
    DEFAULT_MAX_TRAININGS,
    SLOTS,
    QueuedJob,
    TrainingSlots,
    _capacity_from_env,
)

__all__ = [
    "DEFAULT_MAX_TRAININGS", "SLOTS", "STATUSES", "BatchRecord", "EpochRecord",
    "TrainingError", "TrainingJob", "TrainingSlots", "TrainingSnapshot",
    "_capacity_from_env", "start_training", "steps_per_epoch",
]

EXPLODED = 100.0  # a running loss this many times the first one has diverged


def has_exploded(loss: float, first: float) -> bool:
    """NaN/inf, or ``EXPLODED`` times the first epoch's loss (floored at 1e-6, so
    a first loss of 0 does not make every later one "exploded").

    >>> [has_exploded(x, 1.0) for x in (float("nan"), 150.0, 2.0)]
    [True, True, False]
    """
    return not math.isfinite(loss) or loss > EXPLODED * max(first, 1e-6)
MESSAGES = {
    "bad_batch_size": "The batch size must be a whole number ≥ 1, got {value!r}.",
    "bad_epochs": "The number of epochs must be a whole number ≥ 1, got {value!r}.",
    "no_data": "There are no training samples. Choose a dataset with some images.",
    "length_mismatch": "The {part} set has {samples} samples but {labels} labels; "
    "each sample needs exactly one label.",
    "diverged": "The loss became {loss:.4g} at epoch {epoch}, step {step}: the "
    "learning rate is too large. Divide it by 10 and train again.",
    "out_of_memory": "The server ran out of memory. Use a smaller batch size or a "
    "smaller network. ({detail})",
    "training_failed": "Training stopped with an error: {detail}",
    "too_big_to_train": "This network has {params:,} parameters, more than the "
    "{limit:,} this server trains. Use fewer or smaller layers.",
}
STATUSES = ("queued", "running", "stopped", "finished", "diverged", "failed")


class TrainingError(ValueError):
    """Settings that cannot train: ``code`` names the reason, ``details`` the values."""

    def __init__(self, code: str, **details: object) -> None:
        self.code = code
        self.details = details
        super().__init__(MESSAGES[code].format(**details))


@dataclass(frozen=True)
class BatchRecord:
    """One step (1-based, counted across epochs); Keras' running means this epoch."""

    step: int
    epoch: int
    loss: float
    accuracy: float | None
    samples_per_second: float


@dataclass(frozen=True)
class EpochRecord:
    """One epoch, 1-based (the last one may be cut short by Stop)."""

    epoch: int
    loss: float
    accuracy: float | None
    val_loss: float | None
    val_accuracy: float | None
    seconds: float


@dataclass(frozen=True)
class TrainingSnapshot:
    """An immutable copy of a job's state, for the page to draw."""

    status: str
    batches: tuple[BatchRecord, ...]
    epochs: tuple[EpochRecord, ...]
    notes: tuple[str, ...]
    error: str | None
    error_details: dict[str, Any]
    test_loss: float | None
    test_accuracy: float | None
    num_epochs: int
    steps_per_epoch: int
    queue_position: int


def steps_per_epoch(num_samples: int, batch_size: int) -> int:
    """Batches per epoch: ⌈num_samples / batch_size⌉ (the last batch may be short)."""
    return math.ceil(num_samples / batch_size)


_SEED_LOCK = threading.Lock()  # seeding is process-wide: seed and build as one step


def build_seeded(keras: Any, seed: int, build: Callable[[], Any]) -> Any:
    """``build()`` right after ``keras.utils.set_random_seed(seed)``, as one step:
    seeding is process-wide, so two training threads must not interleave here."""
    with _SEED_LOCK:
        keras.utils.set_random_seed(seed)
        return build()


class TrainingJob(QueuedJob):
    """One run's settings, status (``STATUSES``), error code and metrics.

    Safe to read from any thread through ``snapshot()``; ``model`` is the Keras
    model once training has started (for predictions).
    """

    def __init__(self, num_samples: int, epochs: int, batch_size: int, seed: int,
                 slots: TrainingSlots, abandon_after: float | None = None) -> None:
        self.num_samples, self.epochs = num_samples, epochs
        self.batch_size, self.seed = batch_size, seed
        self.steps_per_epoch = steps_per_epoch(num_samples, batch_size)
        self.status, self.error = "queued", None
        self.error_details: dict[str, Any] = {}
        self.notes: list[str] = []
        self.batches: list[BatchRecord] = []
        self.epoch_records: list[EpochRecord] = []
        self.test_loss: float | None = None
        self.test_accuracy: float | None = None
        self.test_probabilities: Any = None  # (n_test, classes) after scoring
        self.model: Any = None
        self.thread: threading.Thread | None = None
        self._lock = threading.Lock()
        QueuedJob.__init__(self, slots, abandon_after)

    def queue_position(self) -> int:
        """1-based place among the waiting jobs; 0 once started or stopped."""
        return self._slots.position(self)

    def snapshot(self) -> TrainingSnapshot:
        self.touch()  # the page is still watching
        position = self.queue_position()  # outside our lock: never hold both
        with self._lock:
            return TrainingSnapshot(
                self.status, tuple(self.batches), tuple(self.epoch_records),
                tuple(self.notes), self.error, dict(self.error_details),
                self.test_loss, self.test_accuracy, self.epochs,
                self.steps_per_epoch, position)

    def _set(self, **fields: Any) -> None:
        with self._lock:
            self.__dict__.update(fields)

    def _append(self, records: list, record: Any) -> None:
        with self._lock:
            records.append(record)


def _optional(logs: dict, key: str) -> float | None:
    return float(logs[key]) if key in logs else None


def _make_recorder(keras: Any, job: TrainingJob) -> Any:
    """A Keras callback writing into ``job`` (defined here: Keras loads lazily)."""

    class Recorder(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
            self.epoch, self.epoch_start = epoch + 1, time.perf_counter()
            self.last_time = self.epoch_start

        def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
            logs, now = logs or {}, time.perf_counter()
            size = min(job.batch_size, job.num_samples - batch * job.batch_size)
            loss = float(logs.get("loss", math.nan))
            job._append(job.batches, BatchRecord(
                len(job.batches) + 1, self.epoch, loss, _optional(logs, "accuracy"),
                size / max(now - self.last_time, 1e-9)))
            self.last_time = now
            first = job.batches[0].loss
            # NaN/inf, or a loss 100× its start: the steps overshoot (too large a
            # learning rate); training on would only kill the units (ReLUs at 0).
            if not math.isfinite(loss) or (math.isfinite(first) and first > 0
                                           and loss > EXPLODED * first):
                job._set(status="diverged", error="diverged", error_details={
                    "loss": loss, "epoch": self.epoch, "step": batch + 1})
                self.model.stop_training = True
            elif job.stop_requested:
                self.model.stop_training = True

        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            logs = logs or {}
            job._append(job.epoch_records, EpochRecord(
                epoch + 1, float(logs.get("loss", math.nan)),
                _optional(logs, "accuracy"), _optional(logs, "val_loss"),
                _optional(logs, "val_accuracy"),
                time.perf_counter() - self.epoch_start))

    return Recorder()


def _check_settings(x_train: Any, y_train: Any, x_val: Any, y_val: Any,
                    epochs: Any, batch_size: Any) -> None:
    for code, value in (("bad_batch_size", batch_size), ("bad_epochs", epochs)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise TrainingError(code, value=value)
    if len(x_train) == 0:
        raise TrainingError("no_data")
    for part, x, y in (("training", x_train, y_train), ("validation", x_val, y_val)):
        if (x is None) != (y is None) or (x is not None and len(x) != len(y)):
            raise TrainingError("length_mismatch", part=part,
                                samples=None if x is None else len(x),
                                labels=None if y is None else len(y))


def start_training(build_fn: Callable[[], Any], x_train: Any, y_train: Any,
                   x_val: Any = None, y_val: Any = None, epochs: int = 10,
                   batch_size: int = 32, seed: int = 0, x_test: Any = None,
                   y_test: Any = None, slots: TrainingSlots | None = None,
                   abandon_after: float | None = None) -> TrainingJob:
    """Train ``build_fn()``'s compiled model in a daemon thread; return at once.

    Args:
        build_fn: makes a fresh compiled ``keras.Model``; called in the worker
            thread right after ``keras.utils.set_random_seed(seed)``.
        x_val, y_val: optional validation set (val_loss, val_accuracy per epoch).
        epochs, batch_size: whole numbers ≥ 1; a batch larger than the data is
            one batch of everything (noted as "batch_larger_than_data").
        x_test, y_test: optional test set, evaluated once after a full run.
        slots: where to queue (default: the server's ``SLOTS``).
        abandon_after: stop once no snapshot was asked for this many seconds
            (a session's run); None (shared models, benchmarks): never.

    Returns:
        The TrainingJob, "queued" until a slot is free.

    Raises:
        TrainingError: bad batch size or epochs, no data, samples ≠ labels.
    """
    _check_settings(x_train, y_train, x_val, y_val, epochs, batch_size)
    job = TrainingJob(len(x_train), epochs, batch_size, seed, slots or SLOTS,
                      abandon_after)
    if batch_size > len(x_train):
        job.notes.append("batch_larger_than_data")
    validation = None if x_val is None else (x_val, y_val)
    test = None if x_test is None else (x_test, y_test)
    job.thread = threading.Thread(
        target=_run, args=(job, build_fn, (x_train, y_train), validation, test),
        name=f"training-{id(job):x}", daemon=True)
    job.thread.start()
    return job


def _score(job: TrainingJob, test: tuple) -> None:
    """Test loss and accuracy (``evaluate``) and every test sample's probabilities."""
    scores = job.model.evaluate(*test, batch_size=max(job.batch_size, 256), verbose=0,
                                return_dict=True)
    probabilities = job.model.predict(test[0], batch_size=256, verbose=0)
    job._set(test_loss=float(scores["loss"]),
             test_accuracy=_optional(scores, "accuracy"),
             test_probabilities=probabilities)


def _stopped(job: TrainingJob) -> None:
    job._set(status="stopped",
             notes=job.notes + ["abandoned"] if job.abandoned else job.notes)


def _run(job: TrainingJob, build_fn: Callable[[], Any], train: tuple,
         validation: tuple | None, test: tuple | None) -> None:
    if not job._slots.acquire(job):
        _stopped(job)
        return
    try:
        job._set(status="running")
        keras = load_keras()  # one import at a time, whichever thread asks first
        job.model = build_seeded(keras, job.seed, build_fn)
        job.model.fit(*train, batch_size=job.batch_size, epochs=job.epochs,
                      validation_data=validation, shuffle=True, verbose=0,
                      callbacks=[_make_recorder(keras, job)])
        if job.status == "diverged":
            return
        # Cut short by Stop (a Stop after the last batch is moot): the partly
        # trained model is still scored, so the student sees where it got to.
        cut_short = job.stop_requested and \
            len(job.batches) < job.epochs * job.steps_per_epoch
        if test is not None and job.batches:
            _score(job, test)
        if cut_short:
            _stopped(job)
        else:
            job._set(status="finished")
    except Exception as error:  # shown to the student as a message, not a crash
        code = ("out_of_memory" if isinstance(error, MemoryError)
                or "ResourceExhausted" in type(error).__name__ else "training_failed")
        job._set(status="failed", error=code,
                 error_details={"detail": f"{type(error).__name__}: {error}"})
    finally:
        job._slots.release()
