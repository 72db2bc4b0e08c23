"""Live training: metrics stream, Stop, NaN, seeds, the slot queue; model builders.

Keras is the oracle for the builders (``count_params``); the training tests run
tiny MLPs on two Gaussian blobs drawn as 8×8 images, so the file stays fast.
"""

import math
import threading
import time

import numpy as np
import pytest

from core import training
from core.architecture import summarize
from core.models import (
    MODEL_PRESETS,
    ModelChoice,
    build_model,
    compile_model,
    model_layers,
    one_hot,
)
from core.training import TrainingError, TrainingSlots, start_training

keras = pytest.importorskip("keras")

SHAPE = (8, 8, 1)


def blobs(num_samples=256, seed=0):
    """Two classes: images around 0.3 and around 0.7, with noise."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, num_samples)
    x = (0.3 + 0.4 * y[:, None, None, None]
         + 0.2 * rng.standard_normal((num_samples, *SHAPE))).astype("float32")
    return x, y


X, Y = blobs()


def builder(optimizer="adam", learning_rate=0.01, choice=None):
    choice = choice or ModelChoice("mlp", hidden_sizes=(16,))
    return lambda: compile_model(build_model(choice, SHAPE, 2), optimizer,
                                 learning_rate)


def wait_until(condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def long_job(**kwargs):
    return start_training(builder(), X, Y, epochs=1000, batch_size=8, seed=0,
                          **kwargs)


def test_metrics_stream_while_running_and_snapshot_is_a_copy():
    job = long_job()
    try:
        wait_until(lambda: len(job.snapshot().batches) >= 3)
        first = job.snapshot()
        wait_until(lambda: len(job.snapshot().batches) > len(first.batches) + 5)
        assert job.snapshot().status == "running"
        assert isinstance(first.batches, tuple)
        record = first.batches[0]
        assert (record.step, record.epoch) == (1, 1)
        assert math.isfinite(record.loss) and 0 <= record.accuracy <= 1
        assert record.samples_per_second > 0
        assert first.steps_per_epoch == 32  # ⌈256 / 8⌉
    finally:
        job.stop()
        assert job.wait(20)


def test_stop_is_honoured_within_one_batch_and_twice_is_fine():
    baseline = threading.active_count()
    job = long_job()
    wait_until(lambda: len(job.snapshot().batches) >= 1)
    seen = len(job.snapshot().batches)
    job.stop()
    job.stop()
    assert job.wait(20)
    snapshot = job.snapshot()
    assert snapshot.status == "stopped"
    assert len(snapshot.batches) <= seen + 2
    assert len(snapshot.epochs) == 1  # Keras closes the cut-short epoch
    assert threading.active_count() == baseline


def test_a_huge_learning_rate_diverges_and_stops():
    # Linear hidden units, so nothing saturates or dies: the weights overflow.
    linear = ModelChoice("mlp", hidden_sizes=(16,), activation="linear")
    job = start_training(builder("sgd", 1e6, linear), X, Y, epochs=50, batch_size=8,
                         seed=0)
    assert job.wait(30)
    snapshot = job.snapshot()
    assert snapshot.status == "diverged" and snapshot.error == "diverged"
    last, first = snapshot.batches[-1].loss, snapshot.batches[0].loss
    assert not math.isfinite(last) or last > 100 * first
    assert len(snapshot.batches) < 50 * 32


def test_learning_rate_10_on_a_relu_network_is_called_diverged():
    """The issue's case: relu units die rather than overflow, so the loss stays
    finite, but it jumps far above where it started — that counts as diverged."""
    job = start_training(builder("adam", 10.0), X, Y, epochs=5, batch_size=8, seed=0)
    assert job.wait(30)
    snapshot = job.snapshot()
    assert snapshot.status == "diverged", [b.loss for b in snapshot.batches[:5]]
    assert snapshot.error_details["loss"] > 100 * snapshot.batches[0].loss


def test_same_seed_gives_the_same_curve_and_another_seed_does_not():
    choice = ModelChoice("mlp", hidden_sizes=(16,), dropout_rate=0.2)

    def curve(seed):
        job = start_training(builder(choice=choice), X, Y, X[:64], Y[:64],
                             epochs=2, batch_size=32, seed=seed)
        assert job.wait(30) and job.status == "finished"
        return [(e.loss, e.val_loss) for e in job.snapshot().epochs]

    first = curve(7)
    assert len(first) == 2
    assert curve(7) == first
    assert curve(8) != first


def test_finished_job_evaluates_the_test_set_and_keeps_the_model():
    job = start_training(builder(), X, Y, epochs=2, batch_size=300, seed=0,
                         x_test=X[:50], y_test=Y[:50])
    assert job.notes == ["batch_larger_than_data"]
    assert job.wait(30)
    snapshot = job.snapshot()
    assert snapshot.status == "finished"
    assert snapshot.steps_per_epoch == 1 and len(snapshot.batches) == 2
    assert 0 <= snapshot.test_accuracy <= 1 and snapshot.test_loss > 0
    assert tuple(job.model(X[:3]).shape) == (3, 2)  # ready for predictions


def test_capacity_one_queues_the_second_job_until_the_first_stops():
    slots = TrainingSlots(1)
    first = long_job(slots=slots)
    wait_until(lambda: first.status == "running")
    second = start_training(builder(), X, Y, epochs=1, batch_size=64, slots=slots)
    third = start_training(builder(), X, Y, epochs=1, batch_size=64, slots=slots)
    wait_until(lambda: third.queue_position() == 2)
    assert (second.status, second.queue_position()) == ("queued", 1)
    third.stop()  # a queued job leaves the queue without training
    assert third.wait(10)
    assert (third.status, third.queue_position()) == ("stopped", 0)
    assert third.snapshot().batches == ()
    assert second.queue_position() == 1 and second.status == "queued"
    first.stop()
    assert first.wait(20) and second.wait(30)
    assert (second.status, slots.running) == ("finished", 0)


@pytest.mark.parametrize(("settings", "code"), [
    ({"batch_size": 0}, "bad_batch_size"),
    ({"batch_size": 2.5}, "bad_batch_size"),
    ({"epochs": 0}, "bad_epochs"),
    ({"epochs": True}, "bad_epochs"),
    ({"y_train": Y[:10]}, "length_mismatch"),
    ({"x_train": X[:0], "y_train": Y[:0]}, "no_data"),
    ({"x_val": X[:5]}, "length_mismatch"),
])
def test_invalid_settings_raise_before_any_thread_starts(settings, code):
    baseline = threading.active_count()
    arguments = {"x_train": X, "y_train": Y, "epochs": 1, "batch_size": 8,
                 **settings}
    with pytest.raises(TrainingError) as error:
        start_training(builder(), **arguments)
    assert error.value.code == code
    assert threading.active_count() == baseline


@pytest.mark.parametrize(("raw", "expected"), [("", 2), ("3", 3), ("0", 2),
                                               ("many", 2)])
def test_capacity_comes_from_the_environment(monkeypatch, raw, expected):
    monkeypatch.setenv("PLAYGROUND_MAX_TRAININGS", raw)
    if raw in ("0", "many"):
        with pytest.warns(UserWarning, match="PLAYGROUND_MAX_TRAININGS"):
            assert training._capacity_from_env() == expected
    else:
        assert training._capacity_from_env() == expected


@pytest.mark.parametrize(("name", "input_shape", "classes", "total"), [
    ("cifar_mlp", (32, 32, 3), 10, 646_260),
    ("fashion_mlp", (28, 28), 10, 266_610),
    ("full_cnn", (32, 32, 3), 10, 592_554),
    ("listing_4_3_cnn", (32, 32, 3), 10, 40_330),
    ("full_cnn", (28, 28, 1), 5, None),
])
def test_preset_parameter_counts_match_keras(name, input_shape, classes, total):
    layers = model_layers(MODEL_PRESETS[name], input_shape, classes)
    ours = summarize(input_shape, layers).total_params
    assert build_model(MODEL_PRESETS[name], input_shape, classes).count_params() == ours
    assert total is None or ours == total


@pytest.mark.parametrize("choice", [
    ModelChoice("mlp", (32, 16), "tanh", dropout_rate=0.3, batch_norm=True, l2=0.01),
    ModelChoice("cnn", conv_filters=(4, 8), kernel_size=5, batch_norm=True,
                dropout_rate=0.5, l1=0.001),
    ModelChoice("cnn", conv_filters=(4,), pool=False),
])
def test_custom_parameter_counts_match_keras_and_penalties_reach_kernels(choice):
    model = build_model(choice, (12, 12, 3), 4)
    summary = summarize((12, 12, 3), model_layers(choice, (12, 12, 3), 4))
    assert model.count_params() == summary.total_params
    kernels = [layer for layer in model.layers if hasattr(layer, "kernel")]
    has_penalty = choice.l1 > 0 or choice.l2 > 0
    assert all((layer.kernel_regularizer is not None) == has_penalty
               for layer in kernels)


@pytest.mark.parametrize(("optimizer", "kind", "momentum"), [
    ("sgd", "SGD", 0.0), ("momentum", "SGD", 0.9), ("rmsprop", "RMSprop", None),
    ("adam", "Adam", None)])
def test_optimizers_by_lesson_name(optimizer, kind, momentum):
    model = compile_model(build_model(ModelChoice("mlp", (8,)), SHAPE, 2), optimizer,
                          0.05)
    assert type(model.optimizer).__name__ == kind
    assert float(model.optimizer.learning_rate) == pytest.approx(0.05)
    if momentum is not None:
        assert float(model.optimizer.momentum) == pytest.approx(momentum)


def test_categorical_crossentropy_learns_from_one_hot_labels():
    model = compile_model(build_model(ModelChoice("mlp", (8,)), SHAPE, 2, seed=0),
                          "momentum", 0.05, "categorical_crossentropy")
    history = model.fit(X, one_hot(Y, 2), batch_size=64, epochs=3, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_bad_model_settings_raise():
    with pytest.raises(ValueError, match="channel"):
        model_layers(ModelChoice("cnn"), (28, 28), 10)
    with pytest.raises(ValueError, match="optimizer"):
        compile_model(None, "adagrad")
    with pytest.raises(ValueError, match="0..2"):
        one_hot(np.array([3]), 3)


class _Job(training.QueuedJob):
    """The smallest QueuedJob: fields kept in a dict."""

    def __init__(self, slots: TrainingSlots) -> None:
        super().__init__(slots)
        self.fields: dict = {}

    def _set(self, **fields) -> None:
        self.fields.update(fields)


def test_start_worker_reports_a_failure_and_gives_the_slot_back():
    slots = TrainingSlots(1)

    def broken() -> None:
        raise ZeroDivisionError("no data")

    job = _Job(slots)
    job.start_worker(broken, "broken")
    assert job.wait(10)
    assert job.fields == {"status": "failed",
                          "details": {"detail": "ZeroDivisionError: no data"}}
    assert slots.running == 0 and job.thread.name.startswith("broken-")


def test_start_worker_stopped_in_the_queue_never_runs():
    slots, ran = TrainingSlots(1), threading.Event()
    first, second = _Job(slots), _Job(slots)
    release = threading.Event()
    first.start_worker(release.wait, "first")
    second.start_worker(ran.set, "second")
    time.sleep(0.2)
    assert slots.position(second) == 1
    second.stop()
    assert second.wait(10) and second.fields == {"status": "stopped"}
    release.set()
    assert first.wait(10) and first.fields == {"status": "running"}
    assert not ran.is_set() and slots.running == 0
