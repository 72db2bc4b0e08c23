"""A model trained once per server on first use, then shared read-only.

The first ``ensure_started`` starts the training in the background (through
``core.training``, so it queues for a slot like any other run); every session
polls ``job.snapshot()`` for a progress bar and, once the job has finished, uses
``model()``. A failed or stopped training is started again with ``restart``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


class SharedTraining:
    """One background training shared by every session.

    Args:
        start: starts the training and returns its ``TrainingJob``; called at most
            once per (re)start, under a lock.
    """

    def __init__(self, start: Callable[[], Any]) -> None:
        self._start = start
        self.job: Any = None
        self._lock = threading.Lock()

    def ensure_started(self) -> Any:
        """The training job, started on the first call (later calls return it)."""
        with self._lock:
            if self.job is None:
                self.job = self._start()
            return self.job

    def restart(self) -> Any:
        """Forget a failed or stopped training and start again (a running or
        finished one is kept)."""
        with self._lock:
            if self.job is not None and self.job.snapshot().status in (
                    "queued", "running", "finished"):
                return self.job
            self.job = None
            self._forget()
        return self.ensure_started()

    def _forget(self) -> None:
        """Drop what was derived from the old job (subclasses)."""

    def ready(self) -> bool:
        return self.job is not None and self.job.snapshot().status == "finished"

    def model(self) -> Any:
        """The trained Keras model, or None until the training has finished."""
        return self.job.model if self.ready() else None
