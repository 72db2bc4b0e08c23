"""The session's training runs: start one, stop it, keep the last few to compare.

A run's job trains in a background thread (core.training); this module only
starts it and keeps it in ``st.session_state``, so leaving the page and coming
back finds the run still going, or its results.

A session that ends (browser closed) must not keep training: its jobs stop when
Streamlit drops the session's state (a finalizer on a guard object kept there),
and in any case once nobody has polled them for ``ABANDON_SECONDS``
(``PLAYGROUND_ABANDON_SECONDS``, default 600).
"""

from __future__ import annotations

import os
import weakref
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import streamlit as st

from core.architecture import Summary
from core.datasets import ImageDataset, to_model_input
from core.models import ModelChoice, build_model, compile_model, one_hot
from core.training import TrainingError, TrainingJob, start_training
from core.training_slots import _seconds_from_env

RUNS_KEY = "train_runs"
KEEP_RUNS = 5
MAX_TRAIN_PARAMS = int(os.environ.get("PLAYGROUND_MAX_TRAIN_PARAMS", "") or 5_000_000)
ABANDON_SECONDS = _seconds_from_env("PLAYGROUND_ABANDON_SECONDS", 600.0)
GUARD_KEY = "train_session_jobs"


class SessionJobs:
    """Kept in ``st.session_state``: when the session ends and its state is
    garbage-collected, every job it started is stopped (slot and thread freed)."""

    def __init__(self) -> None:
        self.jobs: weakref.WeakSet[TrainingJob] = weakref.WeakSet()
        weakref.finalize(self, _stop_all, self.jobs)


def _stop_all(jobs: weakref.WeakSet) -> None:
    for job in list(jobs):
        job.stop()


def _track(job: TrainingJob) -> None:
    guard = st.session_state.get(GUARD_KEY)
    if not isinstance(guard, SessionJobs):
        guard = st.session_state[GUARD_KEY] = SessionJobs()
    guard.jobs.add(job)


@dataclass
class Run:
    """One training run and what is needed to show its results."""

    number: int
    label: str
    dataset: ImageDataset
    choice: ModelChoice
    input_shape: tuple
    settings: dict
    summary: Summary
    job: TrainingJob
    x_test: np.ndarray
    results: dict[str, Any] = field(default_factory=dict)


def runs() -> list[Run]:
    return st.session_state.setdefault(RUNS_KEY, [])


def current_run() -> Run | None:
    return runs()[-1] if runs() else None


def is_active(run: Run | None) -> bool:
    return run is not None and run.job.snapshot().status in ("queued", "running")


def _label(number: int, data: ImageDataset, choice: ModelChoice, settings: dict,
           model_name: str) -> str:
    return (f"#{number} {model_name} · {data.name} · {settings['optimizer']} "
            f"{settings['learning_rate']:g}")


def _split(x: np.ndarray, y: np.ndarray, fraction: float) -> tuple:
    """The last ``fraction`` of the training set validates (as Keras'
    validation_split does); the data was already shuffled, stratified."""
    count = int(len(x) * fraction)
    if count == 0 or count >= len(x):
        return x, y, None, None
    return x[:-count], y[:-count], x[-count:], y[-count:]


def start_run(data: ImageDataset, choice: ModelChoice, input_shape: tuple,
              summary: Summary, settings: dict, model_name: str) -> Run:
    """Start training in the background and remember the run in this session.

    Raises:
        TrainingError: settings that cannot train, or a network too large
            ("too_big_to_train", refused before anything is built).
    """
    if summary.total_params > MAX_TRAIN_PARAMS:
        raise TrainingError("too_big_to_train", params=summary.total_params,
                            limit=MAX_TRAIN_PARAMS)
    x = to_model_input(data.x_train, "unit", channels=True)
    x_test = to_model_input(data.x_test, "unit", channels=True)
    categorical = settings["loss"] == "categorical_crossentropy"

    def labels(y: np.ndarray | None) -> np.ndarray | None:
        if y is None:
            return None
        return one_hot(y, data.num_classes) if categorical else y

    x_train, y_train, x_val, y_val = _split(x, data.y_train,
                                            settings["validation_split"])

    def build() -> Any:
        model = build_model(choice, input_shape, data.num_classes)
        return compile_model(model, settings["optimizer"], settings["learning_rate"],
                             settings["loss"])

    job = start_training(build, x_train, labels(y_train), x_val, labels(y_val),
                         epochs=settings["epochs"], batch_size=settings["batch_size"],
                         seed=settings["seed"], x_test=x_test,
                         y_test=labels(data.y_test), abandon_after=ABANDON_SECONDS)
    _track(job)
    number = (runs()[-1].number + 1) if runs() else 1
    run = Run(number, _label(number, data, choice, settings, model_name), data,
              choice, input_shape, dict(settings), summary, job, x_test)
    runs().append(run)
    while len(runs()) > KEEP_RUNS:  # the oldest run goes; its thread ends
        runs().pop(0).job.stop()
    return run


def results(run: Run) -> dict[str, Any] | None:
    """The test set's predictions, once the worker has scored the model."""
    probabilities = run.job.test_probabilities
    if probabilities is None or run.job.snapshot().status in ("queued", "running"):
        return None
    if not run.results:
        run.results = {"probabilities": probabilities,
                       "predicted": np.argmax(probabilities, axis=1)}
    return run.results
