"""The playground's NumPy maths against Keras, its live job, codegen and challenges."""

import subprocess
import sys
import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.keras_import import load_keras
from core.playground import (
    CHALLENGES,
    DATASETS,
    FEATURES,
    HIDDEN_ACTIVATIONS,
    PlaygroundError,
    PlaygroundSpec,
    Scores,
    check_challenge,
    count_params,
    data_loss,
    feature_matrix,
    forward,
    grid,
    make_data,
    predict,
    score,
)
from core.playground_codegen import playground_script
from core.playground_train import (
    PlaygroundJob,
    build_playground_model,
    frame_seconds,
)
from core.training_slots import TrainingSlots

specs = st.builds(
    lambda dataset, features, hidden, act, dropout, l2, seed: PlaygroundSpec(
        dataset=dataset, features=tuple(features), hidden=tuple(hidden),
        activations=tuple(act for _ in hidden), dropout=dropout, l2=l2, seed=seed),
    st.sampled_from(DATASETS),
    st.lists(st.sampled_from(FEATURES), min_size=1, max_size=7, unique=True),
    st.lists(st.integers(1, 8), min_size=0, max_size=3),
    st.sampled_from(HIDDEN_ACTIVATIONS),
    st.sampled_from([0.0, 0.3]),
    st.sampled_from([0.0, 0.01]),
    st.integers(0, 1000),
)


@settings(max_examples=25, deadline=None)
@given(specs)
def test_forward_pass_and_parameter_count_equal_keras(spec):
    """The pictures are drawn from NumPy; they must be what Keras computes."""
    model = build_playground_model(spec)
    assert model.count_params() == count_params(spec)
    _, points = grid(13)
    features = feature_matrix(points, spec.features)
    expected = np.asarray(model(features, training=False))
    ours = forward(model.get_weights(), spec, points)[-1]
    np.testing.assert_allclose(ours, expected, rtol=1e-4, atol=1e-5)


def test_hidden_layer_outputs_equal_keras_sub_models():
    keras = load_keras()
    spec = PlaygroundSpec(hidden=(5, 3), activations=("relu", "sigmoid"),
                          features=("x1", "x2", "x1x2", "sinx1"))
    model = build_playground_model(spec)
    _, points = grid(9)
    x = feature_matrix(points, spec.features)
    ours = forward(model.get_weights(), spec, points)
    for index, name in enumerate(("hidden_1", "hidden_2"), 1):
        probe = keras.Model(model.input, model.get_layer(name).output)
        np.testing.assert_allclose(ours[index], np.asarray(probe(x)), rtol=1e-4,
                                   atol=1e-6)


@pytest.mark.parametrize("dataset", ["xor", "spiral3", "plane"])
def test_numpy_loss_equals_keras_loss(dataset):
    keras = load_keras()
    spec = PlaygroundSpec(dataset=dataset, hidden=(4,), activations=("tanh",))
    data = make_data(spec)
    model = build_playground_model(spec)
    from core.playground import loss_name
    model.compile(loss=loss_name(dataset))
    x = feature_matrix(data.x_test, spec.features)
    keras_loss = model.evaluate(x, data.y_test, verbose=0, batch_size=len(x))
    ours = data_loss(predict(model.get_weights(), spec, data.x_test), data.y_test,
                     data.task)
    assert ours == pytest.approx(keras_loss, rel=1e-4)
    del keras


def test_features_are_the_named_functions():
    X = np.array([[0.5, -0.25]], dtype=np.float32)
    got = feature_matrix(X, FEATURES)[0]
    expected = [0.5, -0.25, 0.25, 0.0625, -0.125, np.sin(np.pi * 0.5),
                np.sin(-np.pi * 0.25)]
    np.testing.assert_allclose(got, expected, rtol=1e-6)


@pytest.mark.parametrize("dataset", DATASETS)
def test_data_split_sizes_and_tasks(dataset):
    spec = PlaygroundSpec(dataset=dataset, points=200, train_percent=70)
    data = make_data(spec)
    assert len(data.x_train) == 140 and len(data.x_test) == 60
    assert np.isfinite(data.x_train).all() and np.abs(data.x_train).max() <= 1.5
    if data.task != "regression":
        assert set(np.unique(data.y_train)) == set(range(data.num_classes))
    # Same settings, same points: links reopen the exact demo.
    again = make_data(spec)
    np.testing.assert_array_equal(again.x_train, data.x_train)


@pytest.mark.parametrize("changes, code", [
    ({"features": ()}, "no_features"),
    ({"hidden": (9,), "activations": ("tanh",)}, "bad_layers"),
    ({"hidden": (2,) * 7, "activations": ("tanh",) * 7}, "bad_layers"),
    ({"hidden": (2,), "activations": ("swish",)}, "bad_activation"),
    ({"learning_rate": 0.0}, "bad_learning_rate"),
    ({"learning_rate": float("nan")}, "bad_learning_rate"),
    ({"l2": -1.0}, "bad_regularization"),
    ({"dropout": 1.0}, "bad_dropout"),
    ({"batch_size": 0}, "bad_batch"),
    ({"train_percent": 95}, "bad_split"),
    ({"points": 1}, "bad_points"),
    ({"dataset": "mnist"}, "unknown_dataset"),
])
def test_impossible_settings_are_refused_with_a_code(changes, code):
    base = {"hidden": (), "activations": ()}
    with pytest.raises(PlaygroundError) as error:
        make_data(PlaygroundSpec(**{**base, **changes}))
    assert error.value.code == code


def test_a_training_set_of_one_class_is_refused():
    # 4 points, 2 per class, shuffled; with 10 % for training one point trains.
    for seed in range(20):
        spec = PlaygroundSpec(dataset="xor", points=4, train_percent=10, seed=seed)
        with pytest.raises(PlaygroundError) as error:
            make_data(spec)
        assert error.value.code == "one_class"


def test_job_plays_pauses_steps_and_learns_the_circle():
    spec = PlaygroundSpec(dataset="circle", hidden=(8, 8), activations=("tanh", "tanh"))
    job = PlaygroundJob(spec, make_data(spec), slots=TrainingSlots(1), pace=None)
    try:
        assert job.wait_until_ready()
        assert job.snapshot().state == "paused" and job.snapshot().epoch == 0
        job.step()
        assert job.wait_for_epoch(1)
        job.wait_for_epoch(2, timeout=1.0)
        assert job.snapshot().epoch == 1, "Step runs exactly one epoch"
        job.play()
        assert job.wait_for_epoch(150, timeout=120)
        job.pause()
        paused_at = job.snapshot().epoch
        assert not job.wait_for_epoch(paused_at + 5, timeout=1.0)
        assert job.snapshot().epoch <= paused_at + 1
        snap = job.snapshot()
        assert snap.history[-1].scores.test_accuracy >= 0.95
        assert snap.steps == snap.epoch * 25  # 250 training points, batch 10
        # The weights shown are the model's weights.
        _, points = grid(20)
        keras_out = job.model.predict(feature_matrix(points, spec.features),
                                      verbose=0)[:, 0]
        np.testing.assert_allclose(predict(list(snap.weights), spec, points), keras_out,
                                   atol=1e-5)
    finally:
        job.stop()
    assert job.wait(10)
    assert job.state == "stopped"


def test_an_exploding_learning_rate_is_caught_and_kept_readable():
    """Regression with a linear output has nothing to bound it: lr 10 overflows."""
    spec = PlaygroundSpec(dataset="plane", hidden=(8, 8), activations=("relu", "relu"),
                          learning_rate=10.0, optimizer="sgd")
    job = PlaygroundJob(spec, make_data(spec), slots=TrainingSlots(1), pace=None)
    try:
        job.wait_until_ready()
        job.play()
        assert job.wait(60)
        snap = job.snapshot()
        assert snap.state == "diverged"
        # What the student saw before the blow-up stays on screen.
        assert snap.weights is not None
        assert all(np.isfinite(w).all() for w in snap.weights)
    finally:
        job.stop()


def test_classification_at_learning_rate_10_keeps_going_with_finite_losses():
    """Sigmoid and cross-entropy are bounded: the loss jumps about but stays finite
    (the page warns before Play)."""
    spec = PlaygroundSpec(dataset="spiral", hidden=(8, 8), activations=("tanh", "tanh"),
                          learning_rate=10.0)
    job = PlaygroundJob(spec, make_data(spec), slots=TrainingSlots(1), pace=None)
    try:
        job.wait_until_ready()
        job.play()
        assert job.wait_for_epoch(40, timeout=60)
        losses = [h.scores.train_loss for h in job.snapshot().history]
        assert np.isfinite(losses).all()
    finally:
        job.stop()


def test_stopped_jobs_leave_no_threads():
    spec = PlaygroundSpec(hidden=(2,), activations=("tanh",))
    jobs = [PlaygroundJob(spec, make_data(spec), slots=TrainingSlots(1), pace=None)
            for _ in range(3)]
    for job in jobs:
        job.wait_until_ready()
    jobs[0].play()
    for job in jobs:
        job.stop()
    assert all(job.wait(10) for job in jobs)
    names = {thread.name for thread in threading.enumerate()}
    assert not any(f"playground-{id(job):x}" in names for job in jobs)


def test_slots_take_turns():
    """Two playing jobs and one slot: both advance (slices rotate first come,
    first served)."""
    spec = PlaygroundSpec(hidden=(2,), activations=("tanh",))
    slots = TrainingSlots(1)
    jobs = [PlaygroundJob(spec, make_data(spec), slots=slots, pace=None)
            for _ in range(2)]
    try:
        for job in jobs:
            job.wait_until_ready()
            job.play()
        assert all(job.wait_for_epoch(30, timeout=60) for job in jobs)
    finally:
        for job in jobs:
            job.stop()


def test_frame_interval_grows_with_the_class():
    assert frame_seconds(0) == frame_seconds(2) == 0.04
    assert frame_seconds(30) == 0.6
    assert frame_seconds(100) == 1.0


def test_challenges_are_achievable():
    """Every challenge has a known solution that the checker accepts."""
    solutions = {
        "circle_no_hidden": PlaygroundSpec(dataset="circle", hidden=(), activations=(),
                                           features=("x1sq", "x2sq"),
                                           learning_rate=0.3),
        "xor_small": PlaygroundSpec(dataset="xor", hidden=(4,), activations=("tanh",),
                                    learning_rate=0.1),
        "spiral_small": PlaygroundSpec(dataset="spiral", hidden=(6,),
                                       activations=("tanh",), optimizer="adam",
                                       learning_rate=0.03,
                                       features=("x1", "x2", "sinx1", "sinx2"),
                                       noise=0.0),
        "spiral_raw": PlaygroundSpec(dataset="spiral", hidden=(8, 8, 8),
                                     activations=("relu",) * 3, optimizer="adam",
                                     learning_rate=0.01),
    }
    assert set(solutions) == {c.key for c in CHALLENGES}
    for challenge in CHALLENGES:
        spec = solutions[challenge.key]
        data = make_data(spec)
        job = PlaygroundJob(spec, data, slots=TrainingSlots(1), pace=None)
        try:
            job.wait_until_ready()
            job.play()
            met = False
            for epoch in range(100, 2001, 100):
                if not job.wait_for_epoch(epoch, timeout=120):
                    break
                if check_challenge(challenge, spec, score(list(job.snapshot().weights),
                                                          spec, data)).met:
                    met = True
                    break
            assert met, (challenge.key, job.snapshot().history[-1])
        finally:
            job.stop()


def test_challenge_conditions_report_each_limit():
    challenge = next(c for c in CHALLENGES if c.key == "spiral_small")
    spec = PlaygroundSpec(dataset="spiral", hidden=(8, 8), activations=("tanh", "tanh"))
    check = check_challenge(challenge, spec, Scores(0.05, 0.05, 1.0, 1.0))
    assert not check.met
    assert dict((n, ok) for n, ok, _ in check.conditions) == {
        "dataset": True, "max_params": False, "test_loss": True}
    assert check_challenge(challenge, spec, None).conditions[-1][1] is False


@pytest.mark.parametrize("spec", [
    PlaygroundSpec(dataset="spiral", features=("x1", "x2", "sinx1"), l2=0.001,
                   dropout=0.1, optimizer="adam"),
    PlaygroundSpec(dataset="plane", hidden=(), activations=(), optimizer="momentum"),
    PlaygroundSpec(dataset="blobs3", hidden=(3,), activations=("relu",), l1=0.01,
                   optimizer="rmsprop"),
])
def test_generated_script_runs_on_the_same_points(spec, tmp_path):
    script = playground_script(spec, epochs=2)
    data = make_data(spec)
    probe = script + (
        "\nimport json\n"
        "print('DATA', json.dumps([float(X[:5].sum()), int(len(x_train)), "
        "int(model.count_params())]))\n")
    path = tmp_path / "playground.py"
    path.write_text(probe, "utf-8")
    result = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                            timeout=180, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(x for x in result.stdout.splitlines() if x.startswith("DATA"))
    total, n_train, params = eval(line[5:])  # noqa: S307 - our own output
    assert n_train == len(data.x_train)
    assert params == count_params(spec)
    first = np.concatenate([data.x_train, data.x_test])[:5]
    assert total == pytest.approx(float(first.sum()), abs=1e-5)
