"""The race with real Keras: ``keras.optimizers`` stepping a ``keras.Variable``,
gradients from ``tf.GradientTape`` on the same landscape function, in a
background thread that waits for one of the server's training slots.

Also "show me the code": a standalone script that runs the same race.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.keras_import import load_keras
from core.landscapes import Landscape
from core.models import MOMENTUM, make_optimizer
from core.optimizers import HUGE, RacePath
from core.training_slots import SLOTS, QueuedJob, TrainingSlots

SCRIPT_FILE_NAME = "optimizer_race.py"


def keras_path(landscape: Landscape, name: str, learning_rate: float,
               num_steps: int, start: tuple[float, float],
               should_stop: Callable[[], bool] = lambda: False,
               on_step: Callable[[int], None] = lambda step: None) -> RacePath:
    """Run one real Keras optimizer from ``start``; stop early on divergence.

    Raises:
        ValueError: an unknown optimizer or a learning rate that is not > 0.
    """
    keras = load_keras()
    import tensorflow as tf  # loaded by load_keras(): free here

    optimizer = make_optimizer(name, learning_rate)
    theta = keras.Variable(np.array(start, dtype="float32"), name="theta")
    optimizer.build([theta])  # its slots exist before tf.function traces

    @tf.function  # one traced graph: ~10× faster than eager steps, same numbers
    def train_step() -> Any:
        with tf.GradientTape() as tape:
            loss = landscape.fn(theta[0], theta[1])
        gradient = tape.gradient(loss, theta)
        optimizer.apply_gradients([(gradient, theta)])
        return theta.value

    positions, diverged_at = [theta.numpy().copy()], None
    for step in range(num_steps):
        if should_stop():
            break
        value = train_step().numpy().copy()
        if not np.all(np.isfinite(value)) or float(np.max(np.abs(value))) > HUGE:
            diverged_at = step + 1
            break
        positions.append(value)
        on_step(step + 1)
    points = np.array(positions, dtype=np.float64)
    with np.errstate(all="ignore"):
        losses = landscape.fn(points[:, 0], points[:, 1])
    return RacePath(name, points, losses, num_steps, diverged_at)


@dataclass(frozen=True)
class RaceSettings:
    """Everything that fixes a race (the job is only shown for the same race)."""

    landscape: str
    names: tuple[str, ...]
    learning_rate: float
    num_steps: int
    start: tuple[float, float]


@dataclass(frozen=True)
class RaceSnapshot:
    status: str  # queued, running, finished, stopped, failed
    steps_done: int
    steps_total: int
    paths: dict[str, RacePath] = field(default_factory=dict)
    detail: str = ""
    seconds: float | None = None
    queue_position: int = 0


class RaceJob(QueuedJob):
    """One real-Keras race; read it with ``snapshot()``."""

    def __init__(self, settings: RaceSettings, landscape: Landscape,
                 slots: TrainingSlots) -> None:
        QueuedJob.__init__(self, slots)
        self.settings, self.landscape = settings, landscape
        self.status, self.detail, self.seconds = "queued", "", None
        self.steps_done = 0
        self.paths: dict[str, RacePath] = {}
        self._lock = threading.Lock()

    def snapshot(self) -> RaceSnapshot:
        position = self._slots.position(self)  # outside our lock: never hold both
        with self._lock:
            total = self.settings.num_steps * len(self.settings.names)
            return RaceSnapshot(self.status, self.steps_done, total, dict(self.paths),
                                self.detail, self.seconds, position)

    def _failed(self, text: str) -> None:
        self._set(status="failed", detail=text)

    def _set(self, **fields: Any) -> None:
        with self._lock:
            self.__dict__.update(fields)


def start_keras_race(settings: RaceSettings, landscape: Landscape,
                     slots: TrainingSlots | None = None) -> RaceJob:
    """Run the race with real Keras in a daemon thread; return at once.

    Raises:
        ValueError: a learning rate that is not > 0 or fewer than 1 step.
    """
    if not settings.learning_rate > 0 or settings.num_steps < 1:
        raise ValueError("The learning rate must be > 0 and steps ≥ 1.")
    job = RaceJob(settings, landscape, slots or SLOTS)
    job.start_worker(lambda: _run_race(job), "optimizer-race")
    return job


def _run_race(job: RaceJob) -> None:
    settings, start_time = job.settings, time.perf_counter()
    for index, name in enumerate(settings.names):
        done_before = index * settings.num_steps

        def progress(step: int, done_before: int = done_before) -> None:
            job._set(steps_done=done_before + step)

        path = keras_path(job.landscape, name, settings.learning_rate,
                          settings.num_steps, settings.start,
                          lambda: job.stop_requested, progress)
        with job._lock:
            job.paths[name] = path
        if job.stop_requested:
            break
    job._set(status="stopped" if job.stop_requested else "finished",
             seconds=time.perf_counter() - start_time)


def largest_difference(numpy_paths: dict[str, RacePath],
                       keras_paths: dict[str, RacePath]) -> float:
    """The largest |NumPy − Keras| coordinate over the steps both runs made."""
    largest = 0.0
    for name, keras_run in keras_paths.items():
        mirror = numpy_paths[name].positions
        count = min(len(mirror), len(keras_run.positions))
        if count:
            gap = np.abs(mirror[:count] - keras_run.positions[:count])
            largest = max(largest, float(np.max(gap)))
    return largest


_MAKERS = {
    "sgd": "keras.optimizers.SGD(learning_rate=LEARNING_RATE)",
    "momentum": f"keras.optimizers.SGD(learning_rate=LEARNING_RATE, "
                f"momentum={MOMENTUM})",
    "rmsprop": "keras.optimizers.RMSprop(learning_rate=LEARNING_RATE)",
    "adam": "keras.optimizers.Adam(learning_rate=LEARNING_RATE)",
}


def race_script(landscape: Landscape, names: tuple[str, ...], learning_rate: float,
                num_steps: int, start: tuple[float, float]) -> str:
    """A runnable script: the same race with keras.optimizers and GradientTape.

    >>> from core.landscapes import LANDSCAPES
    >>> code = race_script(LANDSCAPES["bowl"], ("sgd",), 0.1, 5, (1.0, 1.0))
    >>> compile(code, SCRIPT_FILE_NAME, "exec") is not None
    True
    """
    makers = ",\n".join(f'    "{name}": lambda: {_MAKERS[name]}' for name in names)
    return f'''"""Optimizer race on the {landscape.key} function — Neural Playground.

Each optimizer starts at the same point and takes {num_steps} steps downhill;
TensorFlow's GradientTape computes the gradient. Run: python {SCRIPT_FILE_NAME}
"""
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import keras
import numpy as np
import tensorflow as tf


def f(x, y):
    return {landscape.source}


START = ({start[0]!r}, {start[1]!r})
LEARNING_RATE = {learning_rate!r}
STEPS = {num_steps}
OPTIMIZERS = {{
{makers},
}}

for name, make in OPTIMIZERS.items():
    optimizer = make()
    theta = keras.Variable(np.array(START, dtype="float32"))  # the point (x, y)
    for step in range(1, STEPS + 1):
        with tf.GradientTape() as tape:
            loss = f(theta[0], theta[1])
        gradient = tape.gradient(loss, theta)
        optimizer.apply_gradients([(gradient, theta)])
        value = theta.numpy()
        if not np.all(np.isfinite(value)) or np.abs(value).max() > {HUGE:g}:
            print(f"{{name:>8}}: diverged at step {{step}}")
            break
    else:
        x, y = value if STEPS else START
        print(f"{{name:>8}}: x = {{x:.6f}}, y = {{y:.6f}}, loss = {{f(x, y):.6g}}")
'''
