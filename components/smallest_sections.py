"""Sections of the smallest-network lesson: the live view (four charts), the
result after training, and the documents' five Keras steps."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from components import smallest_charts as charts
from components import smallest_lab as lab
from components.i18n import t
from components.keras_loader import is_keras_loaded
from core.smallest_network import (
    DOCUMENTS_RUN,
    FitJob,
    FitSettings,
    FitSnapshot,
    Points,
    format_number,
    gradient_descent,
    least_squares,
    loss_surface,
    max_stable_learning_rate,
    mean_squared_error,
    start_w_for_loss,
    step_snippets,
    surface_window,
)
from core.training import EXPLODED

DONE = ("finished", "stopped", "diverged", "failed")
STEPS = ("create", "inspect", "compile", "fit", "predict")


def _number(value: float | None, digits: int = 5) -> str:
    """A figure with ``digits`` significant digits: 13.444, 2, 3.8166e-05."""
    if value is None:
        return "—"
    return f"{value:.{digits}g}" if math.isfinite(value) else str(value)


def _run_on(points: Points) -> tuple[FitJob | None, FitSnapshot | None]:
    """The session's training and its snapshot, if it was on these points."""
    job = lab.current_job()
    if job is None or job.data != points:
        return job, None
    return job, job.snapshot()


def status_ui(snapshot: FitSnapshot, job: FitJob) -> None:
    """Queued, loading Keras, epoch k of N, or how the run ended."""
    records, total = snapshot.points, snapshot.num_epochs
    if snapshot.status == "queued":
        st.info(t("smallest.queued", position=snapshot.queue_position),
                icon=":material/hourglass_top:")
    elif snapshot.status == "running" and not records:
        st.info(t("smallest.loading" if not is_keras_loaded() else "smallest.building"),
                icon=":material/hourglass_top:")
    elif snapshot.status == "running":
        last = records[-1]
        st.progress(len(records) / total, text=t(
            "smallest.progress", epoch=last.epoch, epochs=total,
            loss=_number(last.loss), w=_number(last.w), b=_number(last.b)))
    elif snapshot.status == "finished":
        st.success(t("smallest.finished", epochs=total,
                     seconds=f"{snapshot.seconds or 0:.1f}"),
                   icon=":material/check_circle:")
    elif snapshot.status == "stopped":
        st.warning(t("smallest.stopped", epochs=len(records)),
                   icon=":material/stop_circle:")
    elif snapshot.status == "diverged":
        st.error(t("smallest.diverged", epoch=snapshot.details["epoch"],
                   loss=_number(snapshot.details["loss"]), times=f"{EXPLODED:g}",
                   first=_number(records[0].loss), lr=f"{job.settings.learning_rate:g}",
                   stable=f"{max_stable_learning_rate(job.data):.3g}"),
                 icon=":material/trending_up:")
    else:
        st.error(t("smallest.failed", detail=snapshot.details.get("detail", "")),
                 icon=":material/error:")


def _text(prefix: str, *names: str, **values: str) -> dict[str, str]:
    return {name: t(f"smallest.chart.{prefix}_{name}") for name in names} | values


def live_view(points: Points, x_new: float) -> None:
    """Status and the four charts; reruns itself while the job trains."""
    job, snapshot = _run_on(points)
    if job is not None and snapshot is None:
        st.info(t("smallest.data_changed"), icon=":material/edit_note:")
    elif snapshot is not None:
        status_ui(snapshot, job)
    records = snapshot.points if snapshot is not None else ()
    replay = snapshot is not None and snapshot.status in DONE and len(records) > 1
    replay_key = f"smallest_replay_{id(job)}"
    # The slider sits under the charts it drives: read its value first.
    current = min(st.session_state.get(replay_key, len(records)) if replay
                  else len(records), len(records)) or None
    _draw_line_and_surface(points, job, snapshot, current, x_new)
    if replay:
        st.slider(t("smallest.replay"), 1, len(records), len(records), key=replay_key,
                  help=t("smallest.replay_help"))
    _draw_loss_and_weights(points, records, current)
    if lab.is_active(job):  # (also when the table changed meanwhile)
        st.session_state[lab.WAS_ACTIVE] = True
    elif st.session_state.pop(lab.WAS_ACTIVE, False):
        st.rerun(scope="app")  # training ended: results below, polling off


def _draw_line_and_surface(points: Points, job: FitJob | None,
                           snapshot: FitSnapshot | None, current: int | None,
                           x_new: float) -> None:
    best = least_squares(points)
    records = snapshot.points if snapshot is not None else ()
    shown = records[current - 1] if current else None
    prediction = None
    if snapshot is not None and snapshot.status in ("finished", "stopped") \
            and current == len(records):
        prediction = job.predict(x_new)
    top = st.columns(2)
    top[0].plotly_chart(charts.line_figure(
        points.x, points.y, best, (shown.w, shown.b) if shown else None, x_new,
        prediction, _text("line", "title", "x", "y", "points", "best", "prediction",
                          neuron=t("smallest.chart.line_neuron",
                                   epoch=shown.epoch if shown else 0))),
        key="smallest_line")
    path_w = [p.w for p in records] + ([snapshot.final[0]] if snapshot and
                                       snapshot.final else [])
    path_b = [p.b for p in records] + ([snapshot.final[1]] if snapshot and
                                       snapshot.final else [])
    w_values, b_values = surface_window(points, path_w, path_b, num=81)
    top[1].plotly_chart(charts.surface_figure(
        w_values, b_values, loss_surface(points, w_values, b_values), path_w, path_b,
        best, current - 1 if current else None,
        _text("surface", "title", "w", "b", "loss", "best", "path", "start",
              "current")), key="smallest_surface")


def _draw_loss_and_weights(points: Points, records: tuple,
                           current: int | None) -> None:
    if not records:
        st.info(t("smallest.press_train"), icon=":material/play_arrow:")
        return
    best = least_squares(points)
    epochs = [p.epoch for p in records]
    bottom = st.columns(2)
    bottom[0].plotly_chart(charts.loss_figure(
        epochs, [p.loss for p in records], current,
        _text("loss", "title", "epoch", "loss")), key="smallest_loss")
    bottom[1].plotly_chart(charts.weights_figure(
        epochs, [p.w for p in records], [p.b for p in records], best, current,
        _text("weights", "title", "epoch", "value", "w", "b",
              w_best=t("smallest.chart.weights_w_best", w=_number(best[0])),
              b_best=t("smallest.chart.weights_b_best", b=_number(best[1])))),
        key="smallest_weights")


def results_ui(points: Points, x_new: float) -> None:
    """get_weights(), predict([x_new]) and the comparison with the exact answer
    and the documents' run."""
    job, snapshot = _run_on(points)
    if snapshot is None or snapshot.status not in ("finished", "stopped"):
        return
    st.subheader(t("smallest.result_header"))
    w, b = snapshot.final
    w_best, b_best = least_squares(points)
    prediction, exact = job.predict(x_new), w_best * x_new + b_best
    last_loss = snapshot.points[-1].loss
    cols = st.columns(4)
    cols[0].metric(t("smallest.metric_w"), f"{w:.4f}",
                   delta=f"{w - w_best:+.4f}", delta_color="off")
    cols[1].metric(t("smallest.metric_b"), f"{b:.4f}",
                   delta=f"{b - b_best:+.4f}", delta_color="off")
    cols[2].metric(t("smallest.metric_loss", epoch=len(snapshot.points)),
                   _number(last_loss))
    cols[3].metric(t("smallest.metric_predict", x=format_number(x_new)),
                   f"{prediction:.4f}", delta=f"{prediction - exact:+.4f}",
                   delta_color="off")
    st.caption(t("smallest.metric_caption"))
    documents = points == lab.DOCUMENTS_POINTS
    rows = [(t("smallest.row_keras"), w, b, last_loss, prediction),
            (t("smallest.row_best"), w_best, b_best,
             float(mean_squared_error(points, w_best, b_best)), exact)]
    if documents:
        rows.append((t("smallest.row_documents"), DOCUMENTS_RUN["w"],
                     DOCUMENTS_RUN["b"], DOCUMENTS_RUN["last_loss"], None))
    table = pd.DataFrame([(name, _number(w_), _number(b_), _number(loss),
                           _number(y) if y is not None else t(
                               "smallest.documents_predict",
                               value=DOCUMENTS_RUN["prediction"]))
                          for name, w_, b_, loss, y in rows],
                         columns=["", "w", "b", t("smallest.col_loss"),
                                  t("smallest.col_predict", x=format_number(x_new))])
    st.dataframe(table, hide_index=True, width="stretch")
    if documents:
        _documents_check(points)


def _documents_check(points: Points) -> None:
    """Where the documents' figures come from: their first loss fixes their start
    w; 500 NumPy gradient-descent steps from there give their numbers."""
    run = DOCUMENTS_RUN
    w0 = start_w_for_loss(points, run["first_loss"])
    w, b, loss = gradient_descent(points, w0, 0.0, run["learning_rate"], run["epochs"])
    st.markdown(t("smallest.documents_note", prediction=run["prediction"],
                  w0=f"{w0:.4f}", first=run["first_loss"], epochs=run["epochs"],
                  w=f"{w[-1]:.7f}", b=f"{b[-1]:.7f}", loss=f"{loss[-2]:.4e}",
                  five=f"{5 * w[-1] + b[-1]:.6f}"))


def steps_ui(points: Points, settings: FitSettings) -> None:
    """The documents' five steps, each with its code for these settings."""
    snippets = step_snippets(points, settings)
    _, snapshot = _run_on(points)
    for tab, step in zip(st.tabs([t(f"smallest.step_{s}") for s in STEPS]), STEPS,
                         strict=True):
        with tab:
            st.markdown(t(f"smallest.step_{step}_text", n=len(points.x),
                          epochs=settings.epochs, lr=f"{settings.learning_rate:g}"))
            st.code(snippets[step], language="python")
            if step == "inspect" and snapshot is not None and snapshot.summary:
                st.caption(t("smallest.summary_caption"))
                st.code(snapshot.summary, language=None)
            if step == "predict" and snapshot is not None and snapshot.final:
                w, b = snapshot.final
                st.code(f"[array([[{w:.7f}]], dtype=float32), "
                        f"array([{b:.7f}], dtype=float32)]", language=None)
