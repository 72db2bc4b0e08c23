"""Sections of the Training lab: live curves, results, comparison, downloads."""

from __future__ import annotations

import errno
import tempfile
from pathlib import Path

import numpy as np
import streamlit as st

from components import train_charts as charts
from components.i18n import t
from components.train_lab import class_names
from components.train_runs import Run, results, runs
from core.metrics import confusion_matrix, per_class_accuracy
from core.training import TrainingSnapshot


def status_ui(snapshot: TrainingSnapshot) -> None:
    """Where the run is: queued, epoch/step counters and speed, or how it ended."""
    done = len(snapshot.batches)
    epoch = snapshot.epochs[-1].epoch if snapshot.epochs else 0
    if snapshot.status == "queued":
        st.info(t("run.queued", position=snapshot.queue_position),
                icon=":material/hourglass_top:")
    elif snapshot.status == "running":
        total = snapshot.num_epochs * snapshot.steps_per_epoch
        st.progress(min(done / max(total, 1), 1.0),
                    text=t("run.progress", epoch=min(epoch + 1, snapshot.num_epochs),
                           epochs=snapshot.num_epochs, step=f"{done:,}",
                           steps=f"{total:,}"))
    elif snapshot.status == "diverged":
        st.error(t("run.diverged", **_details(snapshot)), icon=":material/warning:")
    elif snapshot.status == "failed":
        st.error(t(f"run.{snapshot.error}", **_details(snapshot)),
                 icon=":material/error:")
    elif snapshot.status == "stopped":
        st.warning(t("run.stopped", step=f"{done:,}"), icon=":material/stop_circle:")
    else:
        st.success(t("run.finished", epochs=snapshot.num_epochs),
                   icon=":material/check_circle:")
    if len(snapshot.batches) > 1:  # the first step also compiles: left out
        recent = [b.samples_per_second for b in snapshot.batches[1:][-20:]]
        st.caption(t("run.speed", speed=f"{float(np.median(recent)):,.0f}"))
    for note in snapshot.notes:
        st.info(t(f"run_note.{note}"), icon=":material/info:")


def _details(snapshot: TrainingSnapshot) -> dict:
    details = dict(snapshot.error_details)
    details.setdefault("detail", "")
    for name in ("loss", "epoch", "step"):
        details.setdefault(name, "?")
    return details


def draw_curves(run: Run, snapshot: TrainingSnapshot) -> None:
    """Per-batch loss (smoothed) and per-epoch loss and accuracy, train vs val."""
    st.plotly_chart(charts.batch_loss_figure(
        snapshot.batches, snapshot.steps_per_epoch, t("chart.batch_loss"),
        t("chart.step"), t("chart.raw"), t("chart.smoothed")),
        key=f"train_batch_chart_{run.number}")
    left, right = st.columns(2)
    for column, metric in ((left, "loss"), (right, "accuracy")):
        column.plotly_chart(charts.epoch_figure(
            snapshot.epochs, metric, t(f"chart.epoch_{metric}"), t("chart.train"),
            t("chart.validation"), t("chart.epoch")),
            key=f"train_epoch_{metric}_{run.number}")


def draw_results(run: Run) -> None:
    """Test scores, confusion matrix with its mistakes, and 10 test images."""
    snapshot = run.job.snapshot()
    found = results(run)
    if found is None:
        return
    names = class_names(run.dataset)
    y_true, y_pred = run.dataset.y_test, found["predicted"]
    accuracy = float(np.mean(y_true == y_pred))
    cols = st.columns(3)
    cols[0].metric(t("results.test_accuracy"), f"{accuracy:.1%}")
    if snapshot.test_loss is not None:
        cols[1].metric(t("results.test_loss"), f"{snapshot.test_loss:.4f}")
    cols[2].metric(t("results.params"), f"{run.summary.total_params:,}")
    matrix = confusion_matrix(y_true, y_pred, run.dataset.num_classes)
    left, right = st.columns([3, 2])
    left.plotly_chart(charts.confusion_figure(
        matrix, names, t("results.confusion"), t("results.true"),
        t("results.predicted")), key=f"train_confusion_{run.number}")
    right.plotly_chart(charts.per_class_figure(
        per_class_accuracy(matrix), names, t("results.per_class")),
        key=f"train_per_class_{run.number}")
    _mistakes_ui(run, names, y_true, y_pred)
    _samples_ui(run, names, y_true, y_pred)
    if run.choice.kind == "cnn":
        _draw_cnn_internals(run)


def _mistakes_ui(run: Run, names, y_true, y_pred) -> None:
    st.markdown(t("results.mistakes_intro"))
    cols = st.columns(2)
    classes = list(range(len(names)))
    true = cols[0].selectbox(t("results.true"), classes, key="train_mistake_true",
                             format_func=lambda i: names[i])
    predicted = cols[1].selectbox(t("results.predicted"), classes, index=min(
        1, len(classes) - 1), key="train_mistake_pred",
        format_func=lambda i: names[i])
    chosen = np.flatnonzero((y_true == true) & (y_pred == predicted))[:12]
    if chosen.size == 0:
        st.caption(t("results.no_mistakes"))
        return
    st.image([run.dataset.x_test[i] for i in chosen], width=72,
             caption=[f"#{i}" for i in chosen])


def _samples_ui(run: Run, names, y_true, y_pred) -> None:
    """The documents' check: 10 random test images, predicted vs true."""
    st.markdown(t("results.samples_intro"))
    picks = np.random.default_rng(run.number).choice(len(y_true), size=min(
        10, len(y_true)), replace=False)
    cols = st.columns(5)
    for slot, index in enumerate(picks):
        right = y_true[index] == y_pred[index]
        colour = "green" if right else "red"
        with cols[slot % 5]:
            st.image(run.dataset.x_test[index], width=80)
            st.markdown(f":{colour}[{t('results.pred')} {names[y_pred[index]]}]  \n"
                        f"{t('results.true_short')} {names[y_true[index]]}")


def _first_layer(run: Run) -> tuple[np.ndarray, np.ndarray]:
    """The first Conv2D's filters (first input channel) and its feature maps for
    the first test image, as (count, height, width) stacks; computed once."""
    if "internals" not in run.results:
        import keras

        model = run.job.model
        conv = next(layer for layer in model.layers
                    if layer.__class__.__name__ == "Conv2D")
        weights = conv.get_weights()[0]  # (f, f, channels, filters)
        probe = keras.Model(model.input, conv.output)
        maps = np.asarray(probe(run.x_test[:1]))[0]  # (height, width, filters)
        run.results["internals"] = (np.moveaxis(weights[:, :, 0, :], -1, 0),
                                    np.moveaxis(maps, -1, 0))
    return run.results["internals"]


def _draw_cnn_internals(run: Run) -> None:
    st.markdown(t("results.cnn_intro"))
    filters, maps = _first_layer(run)
    left, right = st.columns([1, 2])
    left.image(run.dataset.x_test[0], width=120, caption=t("results.first_image"))
    left.plotly_chart(charts.mosaic_figure(filters, 8, t("results.filters"), True),
                      key=f"train_filters_{run.number}")
    right.plotly_chart(charts.mosaic_figure(maps, 8, t("results.maps"), False),
                       key=f"train_maps_{run.number}")


def draw_compare() -> None:
    """The session's runs overlaid, validation solid, training dashed."""
    finished = [(run.label, run.job.snapshot().epochs) for run in runs()]
    if len(finished) < 2:
        st.caption(t("compare.need_two"))
        return
    st.caption(t("compare.legend"))
    left, right = st.columns(2)
    for column, metric in ((left, "loss"), (right, "accuracy")):
        column.plotly_chart(charts.compare_figure(
            finished, metric, t(f"chart.epoch_{metric}"), t("chart.epoch")),
            key=f"train_compare_{metric}")


def draw_downloads(run: Run) -> None:
    """The last run's trained model as a .keras file (saved when asked for)."""
    snapshot = run.job.snapshot()
    if run.job.model is None or snapshot.status not in ("finished", "stopped"):
        return
    stored = f"train_model_bytes_{run.number}"
    if stored not in st.session_state and st.button(
            t("download.prepare_model", number=run.number),
            key=f"train_save_{run.number}", icon=":material/save:"):
        try:
            st.session_state[stored] = _model_bytes(run)
        except Exception as error:  # a full disk, say: the model itself is kept
            full = getattr(error, "errno", None) == errno.ENOSPC
            key = "disk_full" if full else "save_failed"
            st.error(t(f"download.{key}", detail=f"{type(error).__name__}: {error}"),
                     icon=":material/sd_card_alert:")
    if stored in st.session_state:
        st.download_button(t("download.model", number=run.number),
                           data=st.session_state[stored],
                           file_name=f"run{run.number}.keras",
                           key=f"train_model_download_{run.number}",
                           icon=":material/download:")


def _model_bytes(run: Run) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.keras"
        run.job.model.save(path)
        return path.read_bytes()

