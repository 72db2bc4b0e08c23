"""The server-wide cap on concurrent trainings, with a first-come-first-served queue.

At most ``PLAYGROUND_MAX_TRAININGS`` (default 2) jobs train at once; the others wait
in FIFO order. ``core.training`` re-exports everything here.

A job can be *abandoned*: with ``abandon_after`` set, a job whose page has not
asked about it (``touch``) for that many seconds stops itself, queued or running,
so a closed browser tab never keeps a slot (``PLAYGROUND_ABANDON_SECONDS``).
"""

from __future__ import annotations

import math
import os
import threading
import time
import warnings
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.training import TrainingJob

DEFAULT_MAX_TRAININGS = 2


def _capacity_from_env(default: int = DEFAULT_MAX_TRAININGS,
                       name: str = "PLAYGROUND_MAX_TRAININGS") -> int:
    """Concurrent jobs allowed: environment variable ``name``, else ``default``."""
    raw = os.environ.get(name, "").strip() or str(default)
    capacity = int(raw) if raw.isdigit() else 0
    if capacity < 1:
        warnings.warn(f"{name}={raw!r} is not a whole number ≥ 1; "
                      f"using {default}.", stacklevel=2)
        return default
    return capacity


def _seconds_from_env(name: str, default: float) -> float:
    """Seconds from environment variable ``name`` (a number > 0), else ``default``.

    >>> _seconds_from_env("PLAYGROUND_UNSET_FOR_DOCTEST", 600.0)
    600.0
    """
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        seconds = float(raw)
    except ValueError:
        seconds = math.nan
    if not seconds > 0 or math.isinf(seconds):
        warnings.warn(f"{name}={raw!r} is not a number of seconds > 0; "
                      f"using {default:g}.", stacklevel=2)
        return default
    return seconds


class TrainingSlots:
    """At most ``capacity`` trainings at once; the rest wait first come, first served.

    >>> slots = TrainingSlots(1)
    >>> slots.capacity, slots.running
    (1, 0)
    """

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be ≥ 1, got {capacity}.")
        self.capacity = capacity
        self.running = 0
        self._condition = threading.Condition()
        self._queue: deque[TrainingJob] = deque()

    def acquire(self, job: TrainingJob) -> bool:
        """Wait for a slot; False if the job was stopped while it waited."""
        with self._condition:
            self._queue.append(job)
            try:
                while not job.stop_requested:
                    if self._queue[0] is job and self.running < self.capacity:
                        self.running += 1
                        return True
                    self._condition.wait(1.0)  # re-check: abandoned jobs leave
                return False
            finally:
                self._queue.remove(job)
                self._condition.notify_all()

    def release(self) -> None:
        with self._condition:
            self.running -= 1
            self._condition.notify_all()

    def wake(self) -> None:
        """Let waiting jobs re-check (one of them was stopped)."""
        with self._condition:
            self._condition.notify_all()

    def position(self, job: TrainingJob) -> int:
        """1-based place in the queue, or 0 when the job is not waiting."""
        with self._condition:
            return self._queue.index(job) + 1 if job in self._queue else 0


SLOTS = TrainingSlots(_capacity_from_env())


class QueuedJob:
    """What a job needs to wait in ``TrainingSlots``: a stop flag, its slots and
    its thread (set by the subclass), with ``stop`` and ``wait``.

    ``abandon_after`` (seconds, None: never) turns "nobody asked" into a stop:
    the page calls ``touch`` whenever it looks at the job.
    """

    thread: threading.Thread | None = None

    def __init__(self, slots: TrainingSlots,
                 abandon_after: float | None = None) -> None:
        self._slots = slots
        self._stop_event = threading.Event()
        self.abandon_after = abandon_after
        self.abandoned = False
        self._seen = time.monotonic()

    def touch(self) -> None:
        """Someone is still looking at this job (its page polled it)."""
        self._seen = time.monotonic()

    @property
    def stop_requested(self) -> bool:
        """Stop was pressed, or the job was abandoned (which also sets the flag)."""
        if not self._stop_event.is_set() and self.abandon_after is not None \
                and time.monotonic() - self._seen > self.abandon_after:
            self.abandoned = True
            self._stop_event.set()
        return self._stop_event.is_set()

    def stop(self) -> None:
        """Stop at the next step or epoch end, or leave the queue. Safe twice."""
        self._stop_event.set()
        self._slots.wake()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the thread ends (True) or ``timeout`` seconds pass (False)."""
        if self.thread is not None:
            self.thread.join(timeout)
        return self.thread is None or not self.thread.is_alive()

    def _set(self, **fields: Any) -> None:
        """Store fields (status, …) under the job's lock; subclasses define it."""
        raise NotImplementedError

    def _failed(self, text: str) -> None:
        """Record an error the page shows as a message (its ``detail``)."""
        self._set(status="failed", details={"detail": text})

    def start_worker(self, work: Callable[[], None], name: str) -> None:
        """Run ``work`` in a daemon thread once a slot is free.

        Stopped while queued → status "stopped" and ``work`` never runs; status
        "running" while it works; an exception becomes ``_failed`` (a message for
        the student, not a crash); the slot is given back in every case.
        """
        def run() -> None:
            if not self._slots.acquire(self):
                self._set(status="stopped")
                return
            try:
                self._set(status="running")
                work()
            except Exception as error:  # shown to the student, not a crash
                self._failed(f"{type(error).__name__}: {error}")
            finally:
                self._slots.release()

        self.thread = threading.Thread(target=run, daemon=True,
                                       name=f"{name}-{id(self):x}")
        self.thread.start()
