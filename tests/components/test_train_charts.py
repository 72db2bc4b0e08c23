"""Training-lab figures: they build for real and edge-case runs and draw the data
they were given (the smoothed line against a plain-Python TensorBoard EMA)."""

import math
import time

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from components import train_charts as tc
from components.plot_style import PALETTE
from core.training import BatchRecord, EpochRecord

NAMES = ("Loss per batch", "Step", "batch", "smoothed")


def make_batches(count: int, steps_per_epoch: int, start: float = 2.3,
                 seed: int = 0) -> list[BatchRecord]:
    rng = np.random.default_rng(seed)
    losses = start * np.exp(-np.arange(count) / 700) + 0.1 * rng.random(count)
    return [BatchRecord(step=i + 1, epoch=i // steps_per_epoch + 1, loss=float(v),
                        accuracy=0.5, samples_per_second=900.0)
            for i, v in enumerate(losses)]


def make_epochs(count: int, val_missing: tuple = ()) -> list[EpochRecord]:
    records = []
    for i in range(count):
        val_loss, val_acc = 1.5 / (i + 1), 0.5 + i / 40
        if i in val_missing:
            val_loss, val_acc = math.nan, None
        records.append(EpochRecord(epoch=i + 1, loss=1.2 / (i + 1),
                                   accuracy=0.55 + i / 30, val_loss=val_loss,
                                   val_accuracy=val_acc, seconds=3.0))
    return records


def reference_ema(values, weight):
    """TensorBoard's smoothing, written the obvious way (skips non-finite values)."""
    smoothed, last, count = [], 0.0, 0
    for value in values:
        if not math.isfinite(value):
            smoothed.append(math.nan)
            continue
        count += 1
        last = weight * last + (1 - weight) * value
        smoothed.append(last / (1 - weight**count))
    return np.array(smoothed)


# --- batch loss -----------------------------------------------------------------

def test_batch_loss_draws_the_losses_the_ema_and_the_epoch_boundaries():
    batches = make_batches(2_000, steps_per_epoch=200)
    fig = tc.batch_loss_figure(batches, 200, *NAMES, smoothing=0.9)
    raw, smooth, edges = fig.data
    losses = np.array([b.loss for b in batches])
    np.testing.assert_array_equal(raw.x, np.arange(1, 2_001))
    np.testing.assert_array_equal(raw.y, losses)
    np.testing.assert_allclose(smooth.y, reference_ema(losses, 0.9), rtol=1e-12)
    assert smooth.y[-1] == pytest.approx(reference_ema(losses, 0.9)[-1], rel=1e-12)
    assert (raw.name, smooth.name) == ("batch", "smoothed")
    assert smooth.line.width > raw.line.width and raw.opacity < 1
    # 10 epochs → 9 boundaries, between step 200k and 200k + 1, dotted.
    np.testing.assert_array_equal(np.unique(edges.x), 200 * np.arange(1, 10) + 0.5)
    assert edges.line.dash == "dot" and edges.yaxis == "y2"
    assert fig.layout.yaxis.type == "linear"
    assert fig.layout.xaxis.title.text == "Step"
    assert fig.layout.title.text == "Loss per batch"


@pytest.mark.parametrize("weight", [0.0, 0.5, 0.9, 0.99, 0.999])
def test_smoothing_matches_tensorboard_at_every_weight(weight):
    values = np.random.default_rng(3).lognormal(size=9_000)
    values[[5, 700, 8_000]] = [np.nan, np.inf, -np.inf]
    np.testing.assert_allclose(tc.smooth_ema(values, weight),
                               reference_ema(values, weight), rtol=1e-10)


def test_smoothing_rejects_a_weight_of_one():
    with pytest.raises(ValueError, match="smoothing"):
        tc.smooth_ema(np.ones(3), 1.0)


def test_long_runs_are_downsampled_but_keep_the_last_step():
    batches = make_batches(30_001, steps_per_epoch=1_563)
    fig = tc.batch_loss_figure(batches, 1_563, *NAMES)
    raw, smooth, _ = fig.data
    assert len(raw.x) <= tc.MAX_POINTS and len(smooth.x) <= tc.MAX_POINTS
    assert raw.x[0] == 1 and raw.x[-1] == 30_001
    # The EMA is computed on every step before thinning, not on the kept points.
    losses = [b.loss for b in batches]
    assert smooth.y[-1] == pytest.approx(reference_ema(losses, 0.9)[-1], rel=1e-10)


def test_no_batches_give_empty_axes_with_their_titles():
    fig = tc.batch_loss_figure([], 100, *NAMES)
    assert all(len(trace.x) == 0 for trace in fig.data)
    assert fig.layout.xaxis.title.text == "Step"
    assert fig.layout.title.text == "Loss per batch"


def test_one_batch_is_its_own_smoothed_value():
    fig = tc.batch_loss_figure(make_batches(1, 10), 10, *NAMES)
    assert len(fig.data) == 2  # no epoch boundary yet
    assert fig.data[1].y[0] == pytest.approx(fig.data[0].y[0])


def test_a_loss_spanning_three_decades_gets_a_log_axis():
    batches = make_batches(500, 100, start=50.0)
    batches = [BatchRecord(b.step, b.epoch, 50.0 * 0.98**b.step, None, 1.0)
               for b in batches]
    assert tc.batch_loss_figure(batches, 100, *NAMES).layout.yaxis.type == "log"


def test_a_diverged_run_ends_in_a_gap_not_an_error():
    batches = make_batches(50, 10) + [BatchRecord(51, 6, math.inf, None, 1.0)]
    raw, smooth, _ = tc.batch_loss_figure(batches, 10, *NAMES).data
    assert math.isnan(raw.y[-1]) and math.isnan(smooth.y[-1])
    assert math.isfinite(smooth.y[-2])


# --- epochs and comparisons -----------------------------------------------------

def test_epoch_figure_draws_train_and_validation_and_skips_missing_values():
    epochs = make_epochs(10, val_missing=(3, 7))
    fig = tc.epoch_figure(epochs, "loss", "Loss", "training", "validation", "Epoch")
    train, val = fig.data
    assert (train.name, val.name) == ("training", "validation")
    assert list(train.x) == list(range(1, 11))
    assert list(train.y) == [e.loss for e in epochs]
    assert list(val.x) == [1, 2, 3, 5, 6, 7, 9, 10]
    assert list(val.y) == [e.val_loss for e in epochs if e.epoch in val.x]
    assert "markers" in train.mode and train.line.color != val.line.color


def test_accuracy_is_drawn_on_zero_to_one():
    fig = tc.epoch_figure(make_epochs(10), "accuracy", "Accuracy", "tr", "val", "Ep")
    assert tuple(fig.layout.yaxis.range) == (0, 1)
    assert list(fig.data[1].y) == [e.val_accuracy for e in make_epochs(10)]


def test_one_epoch_without_validation_draws_one_point():
    epochs = make_epochs(1, val_missing=(0,))
    fig = tc.epoch_figure(epochs, "accuracy", "Accuracy", "tr", "val", "Epoch")
    assert len(fig.data) == 1 and list(fig.data[0].y) == [epochs[0].accuracy]


def test_an_unknown_metric_is_refused():
    with pytest.raises(ValueError, match="metric"):
        tc.epoch_figure(make_epochs(2), "f1", "F1", "tr", "val", "Epoch")


def test_compare_gives_each_run_a_colour_solid_validation_dashed_training():
    runs = [("lr 0.1", make_epochs(10)), ("lr 0.01", make_epochs(5, (2,))),
            ("lr 0.001", make_epochs(1))]
    fig = tc.compare_figure(runs, "loss", "Validation loss", "Epoch")
    assert len(fig.data) == 6
    for index, (label, epochs) in enumerate(runs):
        val, train = fig.data[2 * index], fig.data[2 * index + 1]
        assert val.name == train.name == label
        assert val.line.color == train.line.color == PALETTE[index]
        assert (val.line.dash, train.line.dash) == ("solid", "dash")
        assert (val.showlegend, train.showlegend) == (True, False)
        assert list(train.y) == [e.loss for e in epochs]
    assert list(fig.data[2].x) == [1, 2, 4, 5]  # run 2's NaN epoch is skipped


def test_compare_with_no_runs_is_an_empty_chart():
    fig = tc.compare_figure([], "accuracy", "Validation accuracy", "Epoch")
    assert len(fig.data) == 0 and tuple(fig.layout.yaxis.range) == (0, 1)


# --- confusion matrix and per-class accuracy -----------------------------------

@pytest.mark.parametrize("num_classes", [1, 2, 10])
def test_confusion_figure_shows_the_counts_true_in_rows(num_classes):
    rng = np.random.default_rng(num_classes)
    matrix = rng.integers(0, 50, (num_classes, num_classes)) + 100 * np.eye(
        num_classes, dtype=np.int64)
    names = [f"class {i}" for i in range(num_classes)]
    fig = tc.confusion_figure(matrix, names, "Confusion", "true", "predicted")
    (heatmap,) = fig.data
    np.testing.assert_array_equal(heatmap.z, matrix)
    assert list(heatmap.x) == list(heatmap.y) == names
    assert heatmap.texttemplate == "%{z}" and heatmap.zmin == 0
    assert heatmap.zmax == matrix.max()
    assert heatmap.colorscale[0][1].upper() == "#FFFFFF"
    assert heatmap.colorscale[-1][1] == PALETTE[0]
    assert fig.layout.yaxis.autorange == "reversed"  # class 0 on top
    assert fig.layout.yaxis.scaleanchor == "x"  # square cells
    assert fig.layout.yaxis.title.text == "true"
    assert fig.layout.xaxis.title.text == "predicted"


def test_digit_class_names_stay_categories():
    names = [str(i) for i in range(10)]
    fig = tc.confusion_figure(np.zeros((10, 10), int), names, "C", "true", "pred")
    assert fig.layout.xaxis.type == fig.layout.yaxis.type == "category"
    assert fig.data[0].zmax == 1  # an all-zero matrix still has a colour scale


def test_confusion_figure_refuses_names_that_do_not_match():
    with pytest.raises(ValueError, match="class names"):
        tc.confusion_figure(np.eye(3, dtype=int), ["a", "b"], "C", "t", "p")


def test_per_class_bars_are_labelled_with_percentages():
    accuracy = np.array([0.5, 1.0, np.nan, 0.123])
    fig = tc.per_class_figure(accuracy, ["cat", "dog", "frog", "ship"], "Accuracy")
    (bars,) = fig.data
    np.testing.assert_array_equal(bars.x, accuracy)
    assert list(bars.y) == ["cat", "dog", "frog", "ship"]
    assert list(bars.text) == ["50%", "100%", "–", "12%"]
    assert bars.orientation == "h" and tuple(fig.layout.xaxis.range) == (0, 1)


def test_one_class_per_class_figure():
    fig = tc.per_class_figure(np.array([0.9]), ["only"], "Accuracy")
    assert list(fig.data[0].text) == ["90%"]


# --- mosaics --------------------------------------------------------------------

@given(count=st.integers(1, 40), height=st.integers(1, 9), width=st.integers(1, 9),
       columns=st.integers(1, 12), gap=st.integers(0, 3))
def test_mosaic_places_every_image_in_its_cell_with_nan_gaps(count, height, width,
                                                             columns, gap):
    images = np.arange(count * height * width, dtype=float).reshape(
        count, height, width)
    tiled = tc.mosaic(images, columns, gap)
    cols = min(columns, count)
    rows = -(-count // cols)
    assert tiled.shape == (rows * (height + gap) - gap, cols * (width + gap) - gap)
    filled = np.zeros(tiled.shape, bool)
    for index, image in enumerate(images):
        top, left = (index // cols) * (height + gap), (index % cols) * (width + gap)
        np.testing.assert_array_equal(
            tiled[top:top + height, left:left + width], image)
        filled[top:top + height, left:left + width] = True
    assert np.isnan(tiled[~filled]).all()  # gaps and unused cells
    assert not np.isnan(tiled[filled]).any()


def test_mosaic_refuses_what_is_not_a_stack_of_images():
    with pytest.raises(ValueError, match="N × H × W"):
        tc.mosaic(np.zeros((4, 4)), 2)
    with pytest.raises(ValueError, match="N × H × W"):
        tc.mosaic(np.zeros((0, 3, 3)), 2)
    with pytest.raises(ValueError, match="columns"):
        tc.mosaic(np.zeros((2, 3, 3)), 0)


def test_filter_mosaic_is_diverging_and_centred_on_zero():
    weights = np.random.default_rng(0).normal(size=(32, 3, 3))
    fig = tc.mosaic_figure(weights, 8, "Filters", diverging=True)
    (heatmap,) = fig.data
    np.testing.assert_array_equal(heatmap.z, tc.mosaic(weights, 8))
    assert heatmap.zmin == -heatmap.zmax == -np.abs(weights).max()
    assert heatmap.showscale
    assert fig.layout.yaxis.scaleanchor == "x"
    assert fig.layout.xaxis.visible is False and fig.layout.yaxis.visible is False


def test_feature_map_mosaic_normalises_each_map_to_zero_one():
    maps = np.random.default_rng(1).normal(size=(6, 5, 5)) * np.arange(1, 7)[
        :, None, None]
    maps[5] = 4.0  # a constant map must not divide by zero
    fig = tc.mosaic_figure(maps, 3, "Feature maps", diverging=False)
    z = np.asarray(fig.data[0].z)
    for index in range(5):
        tile = z[(index // 3) * 6:(index // 3) * 6 + 5, (index % 3) * 6:][:, :5]
        assert tile.min() == 0 and tile.max() == pytest.approx(1)
    assert (z[6:11, 12:17] == 0).all()
    assert fig.data[0].colorscale[0][1] != fig.data[0].colorscale[-1][1]
    assert (fig.data[0].zmin, fig.data[0].zmax) == (0, 1)


# --- speed (printed, not asserted: CI machines vary) ----------------------------

def test_print_build_times(capsys):
    rng = np.random.default_rng(0)
    batches, epochs = make_batches(2_000, 200), make_epochs(10, (4,))
    names = [str(i) for i in range(10)]
    builds = {
        "batch_loss": lambda: tc.batch_loss_figure(batches, 200, *NAMES),
        "epoch": lambda: tc.epoch_figure(epochs, "loss", "L", "tr", "val", "Ep"),
        "compare": lambda: tc.compare_figure(
            [("a", epochs), ("b", epochs), ("c", epochs)], "accuracy", "A", "Ep"),
        "confusion": lambda: tc.confusion_figure(
            rng.integers(0, 900, (10, 10)), names, "C", "true", "pred"),
        "per_class": lambda: tc.per_class_figure(rng.random(10), names, "A"),
        "mosaic 64×26×26": lambda: tc.mosaic_figure(
            rng.random((64, 26, 26)), 8, "M", diverging=False),
    }
    with capsys.disabled():
        for name, build in builds.items():
            build()  # first call pays plotly's validator set-up
            start = time.perf_counter()
            build()
            print(f"\n{name}: {(time.perf_counter() - start) * 1000:.1f} ms", end="")
        print()
