"""Classify your own picture: preparation per training data, top-k, occlusion, the
shared models, and the real digit CNN the page trains on first use.

Oracles: hand-built pictures whose preparation is known (a digit and its negative,
flat colours, a centre square), sorting for top-k, "models" whose answer is a
known function of the pixels for occlusion, and Keras itself (``model.predict``,
``evaluate``) for the trained CNN. The key test trains the shared digit CNN once
on the 4,000 offline MNIST digits and asks the issue's ≥ 95 % on the 1,000 held
out, then classifies digits drawn with Pillow as a student would draw them.
"""

from __future__ import annotations

import json
import threading
import time
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw, ImageOps

from core import classifiers
from core.classifiers import (
    CLASS_INDEX,
    MOBILENET_WEIGHTS,
    SHARED_CHOICES,
    imagenet_class_names,
    keras_models_dir,
    mobilenet_available,
    mobilenet_files,
    predict_probabilities,
    shared_input_shape,
    start_classifier_training,
)
from core.classify import (
    LOOKS,
    MAX_TOP_K,
    WORKING_SIDE,
    PredictionError,
    occlusion_map,
    prepare_image,
    top_k,
)
from core.datasets import load_image_dataset
from core.shared_training import SharedTraining
from tests.drawings import draw_digit

SHAPES = {"mnist": (28, 28, 1), "digits": (8, 8, 1), "fashion_mnist": (28, 28, 1),
          "cifar10": (32, 32, 3), "imagenet": (224, 224, 3)}
STEPS = {"mnist": ["gray", "ink", "centred"],
         "digits": ["gray", "ink", "centred", "resized"],
         "fashion_mnist": ["gray", "inverted", "square", "resized"],  # light paper
         "cifar10": ["rgb", "square", "resized"],
         "imagenet": ["rgb", "square", "resized"]}
CANVAS = 280  # the page's drawing canvas: 280 × 280, black ink on white


# ---------------------------------------------------------------- pictures


def paper(size: int = CANVAS) -> Image.Image:
    return Image.new("L", (size, size), 255)


def shirt_on_white() -> Image.Image:
    """A grey T-shirt silhouette on white paper, 200 wide × 150 high."""
    picture = Image.new("L", (200, 150), 255)
    ImageDraw.Draw(picture).polygon(
        [(60, 20), (140, 20), (180, 50), (160, 70), (145, 60), (145, 130),
         (55, 130), (55, 60), (40, 70), (20, 50)], fill=90)
    return picture


def gradient_photo(width: int = 60, height: int = 40) -> Image.Image:
    x = np.linspace(0, 255, width)
    y = np.linspace(0, 255, height)
    rgb = np.stack(np.broadcast_arrays(x[None, :], y[:, None], 100.0), axis=-1)
    return Image.fromarray(rgb.round().astype(np.uint8))


# ------------------------------------------------------------- prepare_image


@pytest.mark.parametrize("dataset", list(SHAPES))
def test_prepare_image_steps_shapes_dtype_and_range(dataset):
    shape = SHAPES[dataset]
    picture = {"digit": draw_digit("7"), "object": shirt_on_white(),
               "photo": gradient_photo()}[LOOKS[dataset]]
    prepared = prepare_image(picture, dataset, shape)
    assert [step for step, _ in prepared.steps] == STEPS[dataset]
    for _, pixels in prepared.steps:
        assert pixels.dtype == np.uint8 and pixels.ndim in (2, 3)
    assert prepared.image is prepared.steps[-1][1]
    assert prepared.image.shape == (shape[:2] if shape[2] == 1 else shape)
    assert prepared.x.shape == (1, *shape) and prepared.x.dtype == np.float32
    assert np.isfinite(prepared.x).all()
    values = prepared.image.astype(np.float32).reshape(shape)
    if dataset == "imagenet":  # keras.applications.mobilenet_v2.preprocess_input
        np.testing.assert_allclose(prepared.x[0], values / 127.5 - 1, atol=1e-6)
        assert -1 <= prepared.x.min() and prepared.x.max() <= 1
        assert prepared.fill == 0.0  # mid-grey in [-1, 1]
    else:
        np.testing.assert_allclose(prepared.x[0], values / 255, atol=1e-7)
        assert 0 <= prepared.x.min() and prepared.x.max() <= 1
        assert prepared.fill == (0.5 if dataset == "cifar10" else 0.0)
    assert prepared.x.max() > prepared.x.min()  # something is on it


def test_digit_steps_show_the_canvas_then_mnist_s_28_by_28():
    prepared = prepare_image(draw_digit("1"), "mnist", (28, 28, 1))
    (_, gray), (_, ink), (_, centred) = prepared.steps
    assert gray.shape == ink.shape == (CANVAS, CANVAS)
    assert gray[0, 0] == 255 and ink[0, 0] == 0  # white paper → black
    assert ink[140, 140] == 255  # black ink → bright
    assert centred.shape == (28, 28)
    rows, cols = np.nonzero(centred)
    assert rows.max() - rows.min() + 1 == 20  # fitted in 20 × 20 (a tall "1")
    weights = centred.astype(np.float64)
    centre = [float((np.indices(centred.shape)[axis] * weights).sum()
                    / weights.sum()) for axis in (0, 1)]
    assert np.allclose(centre, 14, atol=0.5)  # centre of mass at MNIST's (14, 14)


@pytest.mark.parametrize("digit", ["1", "0", "7", "4"])
@pytest.mark.parametrize("dataset", ["mnist", "digits"])
def test_black_on_white_and_white_on_black_give_the_same_digit(digit, dataset):
    drawn = draw_digit(digit)
    negative = ImageOps.invert(drawn)
    ink_first = prepare_image(drawn, dataset, SHAPES[dataset])
    light_first = prepare_image(negative, dataset, SHAPES[dataset])
    assert np.abs(ink_first.image.astype(int) - light_first.image).max() <= 1
    assert ink_first.image.max() > 200  # bright ink…
    if dataset == "mnist":
        assert ink_first.image.max() == 255 and ink_first.image[0, 0] == 0  # …on black


def test_canvas_rgba_with_transparent_paper_is_the_same_digit():
    """streamlit-drawable-canvas returns RGBA; paper may be transparent."""
    drawn = np.asarray(draw_digit("7"))
    opaque = np.dstack([drawn] * 3 + [np.full_like(drawn, 255)])
    transparent = opaque.copy()
    transparent[..., 3] = np.where(drawn < 255, 255, 0)  # only the ink is opaque
    transparent[drawn == 255, :3] = 0  # transparent black, as browsers clear
    expected = prepare_image(draw_digit("7"), "mnist", (28, 28, 1)).image
    for rgba in (opaque, transparent):
        prepared = prepare_image(Image.fromarray(rgba), "mnist", (28, 28, 1))
        assert np.array_equal(prepared.image, expected)


@pytest.mark.parametrize("colour", [(0, 0, 0), (255, 255, 255), (128, 128, 128),
                                    (60, 60, 60), (200, 30, 30), (127, 127, 127)])
@pytest.mark.parametrize("dataset", ["mnist", "digits", "fashion_mnist"])
def test_flat_colour_is_blank_for_digits_and_objects(colour, dataset):
    with pytest.raises(PredictionError) as caught:
        prepare_image(Image.new("RGB", (50, 40), colour), dataset, SHAPES[dataset])
    assert caught.value.code == "blank"
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("dataset", ["cifar10", "imagenet"])
def test_flat_colour_is_still_a_photo(dataset):
    prepared = prepare_image(Image.new("RGB", (50, 40), (200, 30, 30)), dataset,
                             SHAPES[dataset])
    assert np.all(prepared.image == np.array([200, 30, 30], np.uint8))


def test_a_faint_but_real_digit_is_not_blank():
    picture = paper()
    ImageDraw.Draw(picture).line((140, 40, 140, 240), fill=200, width=20)
    assert prepare_image(picture, "mnist", (28, 28, 1)).image.max() == 255


def test_photo_takes_the_centre_square():
    photo = gradient_photo(60, 40)
    prepared = prepare_image(photo, "cifar10", (32, 32, 3))
    rgb, square = prepared.steps[0][1], prepared.steps[1][1]
    assert rgb.shape == (40, 60, 3) and square.shape == (40, 40, 3)
    assert np.array_equal(square, np.asarray(photo)[:, 10:50])
    tall = prepare_image(photo.rotate(90, expand=True), "imagenet", (224, 224, 3))
    assert tall.steps[1][1].shape == (40, 40, 3)


def test_object_is_inverted_cropped_and_padded_square():
    prepared = prepare_image(shirt_on_white(), "fashion_mnist", (28, 28, 1))
    steps = dict(prepared.steps)
    assert steps["inverted"][0, 0] == 0 and steps["inverted"][75, 100] == 255 - 90
    side = round(160 * 1.16)  # the shirt is 161 wide × 111 high: longer side + 8 %
    assert abs(steps["square"].shape[0] - side) <= 2
    assert steps["square"].shape[0] == steps["square"].shape[1]
    assert prepared.image[0, 0] == 0 and prepared.image[14, 14] > 100
    dark = prepare_image(ImageOps.invert(shirt_on_white()), "fashion_mnist",
                         (28, 28, 1))
    assert [step for step, _ in dark.steps] == ["gray", "square", "resized"]


def test_other_input_shapes_and_channel_counts():
    digit = draw_digit("4")
    flat = prepare_image(digit, "mnist", (28, 28))
    assert flat.x.shape == (1, 28, 28)
    three = prepare_image(digit, "mnist", (28, 28, 3))
    assert three.x.shape == (1, 28, 28, 3)
    assert np.array_equal(three.x[..., 0], three.x[..., 2])
    gray_photo = prepare_image(gradient_photo(), "cifar10", (32, 32, 1))
    assert gray_photo.x.shape == (1, 32, 32, 1) and gray_photo.image.ndim == 2
    small = prepare_image(digit, "digits", (8, 8, 1))
    assert small.image.shape == (8, 8) and small.image.max() > 200


@pytest.mark.parametrize("dataset, shape", [
    ("bogus", (28, 28, 1)), ("MNIST", (28, 28, 1)), ("mnist", (28, 32, 1)),
    ("mnist", (28,)), ("mnist", (1, 28, 28, 1)), ("cifar10", (32, 16, 3))])
def test_unknown_dataset_or_non_square_shape_is_a_value_error(dataset, shape):
    with pytest.raises(ValueError) as caught:
        prepare_image(draw_digit("1"), dataset, shape)
    assert not isinstance(caught.value, PredictionError)


def test_a_huge_picture_is_shrunk_first_and_left_untouched():
    big = Image.new("L", (3000, 2000), 255)
    ImageDraw.Draw(big).line((1500, 300, 1500, 1700), fill=0, width=150)
    prepared = prepare_image(big, "mnist", (28, 28, 1))
    assert big.size == (3000, 2000)  # the caller's picture is not changed
    assert max(prepared.steps[0][1].shape) <= WORKING_SIDE
    reference = prepare_image(draw_digit("1"), "mnist", (28, 28, 1)).image
    assert np.corrcoef(prepared.image.ravel(), reference.ravel())[0, 1] > 0.8


# --------------------------------------------------------------------- top_k


def test_top_k_orders_and_rounds():
    probabilities = np.array([0.05, 0.5, 0.1, 0.3, 0.05])
    assert top_k(probabilities, 3) == [(1, 0.5), (3, 0.3), (2, 0.1)]
    assert top_k(np.array([[0.2, 0.8]]), 5) == [(1, 0.8), (0, 0.2)]  # (1, n) rows
    assert top_k(np.array([1 / 3, 2 / 3])) == [(1, 0.666667), (0, 0.333333)]
    assert all(isinstance(i, int) and isinstance(p, float)
               for i, p in top_k(np.float32([0.25, 0.75])))


@pytest.mark.parametrize("k, expected", [(0, 1), (-3, 1), (1, 1), (4, 4), (10, 10),
                                         (11, 10), (99, 10)])
def test_top_k_clips_k_to_1_and_10(k, expected):
    assert len(top_k(np.linspace(0, 1, 1000), k)) == expected == min(
        max(k, 1), MAX_TOP_K)


def test_top_k_never_gives_more_than_there_are_classes():
    assert len(top_k(np.array([0.4, 0.6]), 5)) == 2
    assert top_k(np.array([1.0]), 10) == [(0, 1.0)]


def test_top_k_ties_keep_the_class_order():
    assert top_k(np.full(10, 0.1), 10) == [(i, 0.1) for i in range(10)]
    assert [i for i, _ in top_k(np.array([0.2, 0.3, 0.2, 0.3]), 4)] == [1, 3, 0, 2]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([0.0, 0.01, 0.1, 0.25, 0.5, 0.9, 1 / 3]) | st.floats(
    0, 1, allow_nan=False), min_size=1, max_size=30), st.integers(-5, 40))
def test_top_k_matches_sorting(values, k):
    array = np.array(values)
    oracle = sorted(range(len(values)), key=lambda i: (-values[i], i))
    expected = oracle[:max(1, min(k, len(values), MAX_TOP_K))]
    result = top_k(array, k)
    assert [i for i, _ in result] == expected
    assert [p for _, p in result] == [round(values[i], 6) for i in expected]


# ------------------------------------------------------------- occlusion_map


def region_model(region: tuple[slice, slice]):
    """A "model" whose class 0 is the mean of the input over ``region`` (and
    class 1 the rest); it records the batch sizes it is called with."""
    calls: list[int] = []

    def predict(batch: np.ndarray) -> np.ndarray:
        calls.append(len(batch))
        batch = batch.reshape(batch.shape[:3] + (-1,))
        score = batch[:, region[0], region[1]].mean(axis=(1, 2, 3))
        return np.stack([score, 1 - score], axis=1)

    predict.calls = calls
    return predict


def test_occlusion_of_single_pixels_is_positive_exactly_on_the_region():
    region = (slice(3, 6), slice(2, 7))  # 3 × 5 = 15 pixels
    drop = occlusion_map(region_model(region), np.ones((1, 9, 10)), 0, 1, 1, 0.0)
    expected = np.zeros((9, 10))
    expected[region] = 1 / 15
    np.testing.assert_allclose(drop, expected, atol=1e-7)
    assert drop.dtype == np.float64 and drop.shape == (9, 10)


def test_occlusion_with_tiles_is_positive_exactly_on_the_tiles_of_the_region():
    """Patch 4, stride 4 on 12 × 12: nine tiles. The region is the two tiles of
    the middle row's right half: each one hides half of it."""
    region = (slice(4, 8), slice(4, 12))
    drop = occlusion_map(region_model(region), np.ones((1, 12, 12, 1)), 0, 4, 4, 0.0)
    expected = np.zeros((12, 12))
    expected[region] = 0.5
    np.testing.assert_allclose(drop, expected, atol=1e-7)
    # The other class rose by exactly as much: its map is the negative.
    other = occlusion_map(region_model(region), np.ones((1, 12, 12, 1)), 1, 4, 4, 0.0)
    np.testing.assert_allclose(other, -expected, atol=1e-7)


def test_occlusion_of_overlapping_patches_matches_a_per_pixel_oracle():
    """Patch 4, stride 3 on 10 × 13: the last positions are added at the far
    edges (tops 0, 3, 6; lefts 0, 3, 6, 9). Each pixel's value is the mean, over
    the patches covering it, of the share of the region that patch hid."""
    height, width, patch = 10, 13, 4
    region = (slice(2, 5), slice(6, 11))
    tops, lefts = [0, 3, 6], [0, 3, 6, 9]
    inside = np.zeros((height, width), bool)
    inside[region] = True
    expected = np.zeros((height, width))
    for row in range(height):
        for col in range(width):
            hidden = [inside[t:t + patch, left:left + patch].sum() / inside.sum()
                      for t in tops for left in lefts
                      if t <= row < t + patch and left <= col < left + patch]
            expected[row, col] = np.mean(hidden)
    drop = occlusion_map(region_model(region), np.ones((1, height, width)), 0,
                         patch, 3, 0.0)
    np.testing.assert_allclose(drop, expected, atol=1e-7)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 17), st.integers(1, 17), st.data())
def test_occlusion_covers_every_pixel(height, width, data):
    """A model that is the whole picture's mean: every patch hides patch² pixels,
    so every covered pixel shows exactly patch² / (H·W); a pixel no patch
    covered would show 0."""
    patch = data.draw(st.integers(1, min(height, width)), label="patch")
    stride = data.draw(st.integers(1, patch), label="stride")
    everything = (slice(None), slice(None))
    drop = occlusion_map(region_model(everything), np.ones((1, height, width)), 0,
                         patch, stride, 0.0)
    np.testing.assert_allclose(drop, patch * patch / (height * width), rtol=1e-5)


@pytest.mark.parametrize("batch_size", [1, 3, 7, 64, 1000])
def test_occlusion_batch_size_changes_only_the_calls(batch_size):
    rng = np.random.default_rng(1)
    x = rng.random((1, 11, 11, 3)).astype(np.float32)
    weights = rng.normal(size=(11 * 11 * 3, 4))

    def softmax_model(batch):
        logits = batch.reshape(len(batch), -1) @ weights
        exp = np.exp(logits - logits.max(axis=1, keepdims=True))
        return exp / exp.sum(axis=1, keepdims=True)

    calls = []

    def counted(batch):
        calls.append(len(batch))
        return softmax_model(batch)

    reference = occlusion_map(softmax_model, x, 2, 3, 2, 0.5, batch_size=10_000)
    drop = occlusion_map(counted, x, 2, 3, 2, 0.5, batch_size=batch_size)
    np.testing.assert_allclose(drop, reference, atol=1e-12)
    places = 5 * 5  # tops/lefts 0, 2, 4, 6, 8 (8 = 11 − 3: already on the edge)
    assert calls[0] == 1 and sum(calls[1:]) == places
    assert max(calls[1:]) <= batch_size


def test_occlusion_paints_the_fill_on_every_channel_and_leaves_x_alone():
    x = np.full((1, 4, 4, 3), 0.25, np.float32)
    seen = []

    def spy(batch):
        seen.append(batch.copy())
        return np.ones((len(batch), 2)) / 2

    occlusion_map(spy, x, 0, 2, 2, 0.9)
    patched = seen[1]
    assert patched.shape == (4, 4, 4, 3)
    assert np.all(patched[0, :2, :2] == np.float32(0.9))
    assert np.all(patched[0, 2:, :] == np.float32(0.25))
    assert np.all(x == np.float32(0.25))


@pytest.mark.parametrize("patch, stride", [(0, 0), (3, 0), (2, 3), (11, 1), (-1, 1)])
def test_occlusion_refuses_bad_patch_or_stride(patch, stride):
    with pytest.raises(ValueError, match="stride"):
        occlusion_map(region_model((slice(0, 2), slice(0, 2))), np.ones((1, 10, 12)),
                      0, patch, stride, 0.0)


def test_occlusion_patch_as_large_as_the_picture_is_one_place():
    predict = region_model((slice(0, 2), slice(0, 2)))
    drop = occlusion_map(predict, np.ones((1, 5, 5)), 0, 5, 5, 0.0)
    np.testing.assert_allclose(drop, 1.0)
    assert predict.calls == [1, 1]


# ------------------------------------------------------------ SharedTraining


class FakeJob:
    def __init__(self, number: int, status: str = "running") -> None:
        self.number, self.status, self.model = number, status, f"model {number}"

    def snapshot(self):
        return SimpleNamespace(status=self.status)


class Starter:
    """A start function that counts its calls (optionally slowly)."""

    def __init__(self, delay: float = 0.0) -> None:
        self.jobs: list[FakeJob] = []
        self.delay = delay

    def __call__(self) -> FakeJob:
        time.sleep(self.delay)
        self.jobs.append(FakeJob(len(self.jobs) + 1))
        return self.jobs[-1]


def test_shared_training_starts_once_and_shares_the_job():
    start = Starter()
    holder = SharedTraining(start)
    assert holder.job is None and not holder.ready() and holder.model() is None
    first = holder.ensure_started()
    assert holder.ensure_started() is first and holder.job is first
    assert len(start.jobs) == 1


def test_shared_training_starts_once_under_many_threads():
    start = Starter(delay=0.05)
    holder = SharedTraining(start)
    barrier = threading.Barrier(8)
    jobs = []

    def visit():
        barrier.wait()
        jobs.append(holder.ensure_started())

    threads = [threading.Thread(target=visit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert len(start.jobs) == 1 and len(jobs) == 8
    assert all(job is start.jobs[0] for job in jobs)


@pytest.mark.parametrize("status", ["queued", "running"])
def test_model_is_none_until_the_job_has_finished(status):
    holder = SharedTraining(Starter())
    job = holder.ensure_started()
    job.status = status
    assert not holder.ready() and holder.model() is None
    job.status = "finished"
    assert holder.ready() and holder.model() == "model 1"


@pytest.mark.parametrize("status", ["failed", "stopped", "diverged"])
def test_restart_after_a_failed_or_stopped_job_starts_a_new_one(status):
    forgotten = []

    class Holder(SharedTraining):
        def _forget(self) -> None:
            forgotten.append(self.job)

    start = Starter()
    holder = Holder(start)
    holder.ensure_started().status = status
    assert holder.model() is None
    new = holder.restart()
    assert len(start.jobs) == 2 and new is start.jobs[1] is holder.job
    assert forgotten == [None]  # called after the old job was dropped
    assert holder.restart() is new  # running now: kept


@pytest.mark.parametrize("status", ["queued", "running", "finished"])
def test_restart_keeps_a_running_or_finished_job(status):
    start = Starter()
    holder = SharedTraining(start)
    job = holder.ensure_started()
    job.status = status
    assert holder.restart() is job and len(start.jobs) == 1


def test_restart_before_any_start_starts():
    start = Starter()
    holder = SharedTraining(start)
    assert holder.restart() is start.jobs[0]


# ------------------------------------------------------------- MobileNetV2


@pytest.fixture
def keras_home(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    return tmp_path


def test_mobilenet_files_live_in_keras_home_models(keras_home):
    files = mobilenet_files()
    assert keras_models_dir() == keras_home.resolve() / "models"
    assert files == {"weights": keras_home.resolve() / "models" / MOBILENET_WEIGHTS,
                     "classes": keras_home.resolve() / "models" / CLASS_INDEX}
    assert files["weights"].name.endswith("_1.0_224.h5")
    assert files["classes"].name == "imagenet_class_index.json"


def test_mobilenet_available_needs_both_files(keras_home):
    assert mobilenet_available() is False  # the folder does not even exist
    models = keras_home / "models"
    models.mkdir()
    (models / MOBILENET_WEIGHTS).write_bytes(b"not really weights")
    assert mobilenet_available() is False
    (models / MOBILENET_WEIGHTS).unlink()
    (models / CLASS_INDEX).write_text("{}")
    assert mobilenet_available() is False
    (models / MOBILENET_WEIGHTS).write_bytes(b"not really weights")
    assert mobilenet_available() is True
    (models / MOBILENET_WEIGHTS).unlink()
    (models / MOBILENET_WEIGHTS).mkdir()  # a folder of that name is no file
    assert mobilenet_available() is False


def test_imagenet_class_names_read_keras_file_in_index_order(keras_home):
    models = keras_home / "models"
    models.mkdir()
    table = {"2": ["n01484850", "great_white_shark"], "0": ["n01440764", "tench"],
             "1": ["n01443537", "goldfish"]}  # Keras' file: keys as strings
    (models / CLASS_INDEX).write_text(json.dumps(table), "utf-8")
    assert imagenet_class_names() == ("tench", "goldfish", "great white shark")


def test_shared_input_shape_and_choices():
    assert shared_input_shape((28, 28)) == (28, 28, 1)
    assert shared_input_shape((32, 32, 3)) == (32, 32, 3)
    assert set(SHARED_CHOICES) == {"mnist", "fashion_mnist", "cifar10"}
    assert set(SHARED_CHOICES) < set(LOOKS)


def test_no_shared_model_for_scikit_learn_digits():
    with pytest.raises(ValueError, match="digits"):
        start_classifier_training(SimpleNamespace(name="digits"))


# ---------------------------------------------- the real digit CNN (Keras)


@pytest.fixture(scope="module")
def mnist():
    return load_image_dataset("mnist", allow_download=False)


@pytest.fixture(scope="module")
def digit_job(mnist):
    """The page's shared digit CNN, trained once for this module (≈ 30 s)."""
    pytest.importorskip("keras")
    assert len(mnist.x_train) == 4_000 and len(mnist.x_test) == 1_000
    job = start_classifier_training(mnist)
    finished = job.wait(300)
    if not finished:
        job.stop()
        job.wait(30)
    assert finished, f"the digit CNN did not finish in 300 s: {job.snapshot()}"
    return job


@pytest.fixture(scope="module")
def test_inputs(mnist):
    return (mnist.x_test[..., None] / 255).astype(np.float32)


def test_digit_cnn_scores_at_least_95_percent_on_held_out_digits(
        digit_job, mnist, test_inputs, capsys):
    snapshot = digit_job.snapshot()
    assert snapshot.status == "finished", snapshot
    assert len(snapshot.epochs) == classifiers.SHARED_EPOCHS["mnist"] == 10
    probabilities = predict_probabilities(digit_job.model, test_inputs)
    assert probabilities.shape == (1_000, 10) and probabilities.dtype == np.float32
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, atol=1e-5)
    ours = float((probabilities.argmax(axis=1) == mnist.y_test).mean())
    with capsys.disabled():
        print(f"\ndigit CNN: test accuracy {snapshot.test_accuracy:.4f} (Keras "
              f"evaluate), {ours:.4f} (predict_probabilities) on 1,000 digits")
    assert abs(ours - snapshot.test_accuracy) <= 1e-3 + 1e-9  # one digit at most
    assert snapshot.test_accuracy >= 0.95 and ours >= 0.95
    np.testing.assert_allclose(digit_job.test_probabilities, probabilities,
                               atol=1e-5)


def test_predict_probabilities_equals_keras_predict(digit_job, test_inputs):
    batch = test_inputs[:64]
    expected = digit_job.model.predict(batch, verbose=0)
    np.testing.assert_allclose(predict_probabilities(digit_job.model, batch),
                               expected, atol=1e-5)
    single = predict_probabilities(digit_job.model, batch[:1].astype(np.float64))
    assert single.dtype == np.float32  # float64 in, the model's float32 out
    np.testing.assert_allclose(single, expected[:1], atol=1e-5)


@pytest.mark.parametrize("digit", ["1", "0", "7", "4", "2", "3"])
@pytest.mark.parametrize("pen", [14, 24])
def test_digits_drawn_on_the_canvas_are_recognised(digit_job, digit, pen):
    prepared = prepare_image(draw_digit(digit, pen), "mnist", (28, 28, 1))
    probabilities = predict_probabilities(digit_job.model, prepared.x)[0]
    best = top_k(probabilities, 3)
    assert best[0][0] == int(digit), best
    assert best[0][1] > 0.5, best


def test_the_negative_drawing_gets_the_same_answer(digit_job):
    drawn = draw_digit("7")
    answers = [predict_probabilities(digit_job.model, prepare_image(
        picture, "mnist", (28, 28, 1)).x)[0] for picture in (drawn,
                                                             ImageOps.invert(drawn))]
    np.testing.assert_allclose(answers[0], answers[1], atol=1e-3)


def test_occlusion_of_the_digit_cnn_lights_up_the_ink(digit_job, mnist, capsys):
    """For test digits: the probability drops more where the ink is than on the
    empty border. Patch and stride as the page picks them for 28 × 28 (patch
    round(28 / 4) = 7, stride 7 // 3 = 2), and stride 1."""
    def predict(batch):
        return predict_probabilities(digit_job.model, batch)

    frame = np.zeros((28, 28), bool)
    frame[:3] = frame[-3:] = frame[:, :3] = frame[:, -3:] = True
    timings = {}
    for number in range(6):
        digit = mnist.x_test[number]
        x = (digit[None, ..., None] / 255).astype(np.float32)
        label = int(predict(x)[0].argmax())
        for stride in (2, 1):
            start = time.perf_counter()
            drop = occlusion_map(predict, x, label, 7, stride, 0.0, batch_size=128)
            timings.setdefault(stride, []).append(time.perf_counter() - start)
            assert drop.shape == (28, 28) and np.isfinite(drop).all()
            ink = drop[digit > 0].mean()
            border = drop[frame].mean()
            assert ink > border + 0.005, (number, stride, ink, border)
            assert drop.max() > 0
    with capsys.disabled():
        print("\nocclusion 28×28, patch 7: " + ", ".join(
            f"stride {s}: {np.median(t) * 1000:.0f} ms (median of {len(t)})"
            for s, t in timings.items()))
