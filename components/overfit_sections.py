"""Sections of the overfitting lesson: polynomial fits and the U curve (NumPy),
the live MLP view, the weight histograms and the L1 diamond vs L2 circle."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import streamlit as st

from components import overfit_charts as charts
from components import overfit_lab as lab
from components.i18n import t
from components.keras_loader import is_keras_loaded
from components.plot_style import PALETTE
from core.overfit_mlp import (
    SMALL_WEIGHT,
    OverfitJob,
    RunSnapshot,
    count_parameters,
    forward,
    penalty,
    weight_stats,
)
from core.overfitting import (
    LOSS_CENTRE,
    CurveData,
    best_degree,
    diagnose,
    early_stopping,
    errors_by_degree,
    l1_constrained_minimum,
    l2_constrained_minimum,
    mean_squared_error,
    polynomial_fit,
    quadratic_loss,
    true_curve,
)
from core.training import EXPLODED

GRID = np.linspace(-1.0, 1.0, 241)
LOW_DEGREE, GOOD_DEGREE = 1, 3
ERROR_FLOOR = 1e-4  # a log axis cannot show 0: smaller errors are drawn here
RUN_COLOURS = (PALETTE[5], PALETTE[4], PALETTE[1], PALETTE[3])


def _data(data: CurveData) -> tuple:
    return data.x_train, data.y_train, data.x_val, data.y_val


def _text(prefix: str, *names: str, **values: str) -> dict[str, str]:
    return {name: t(f"overfit.chart.{prefix}_{name}") for name in names} | values


def _points_text(prefix: str) -> dict[str, str]:
    return _text(prefix, "title", "x", "y") | _text("points", "train", "val", "truth")


# --- 1. bias vs variance with polynomials ----------------------------------------


def polynomial_ui(data: CurveData) -> None:
    """Degree 1, degree 3 and the chosen degree side by side, a table of their
    errors, and the U curve of errors against the degree."""
    n = len(data.x_train)
    st.slider(t("overfit.degree"), 0, lab.LIMITS["degree"][1], key=lab.key("degree"),
              help=t("overfit.degree_help"))
    chosen = int(lab.SETTINGS.get("degree"))
    if chosen >= n:
        st.warning(t("overfit.degree_too_high", degree=chosen,
                     coefficients=chosen + 1, n=n), icon=":material/warning:")
    fits = errors_by_degree(data)
    best = fits[best_degree(fits)]
    shown = [polynomial_fit(data, d) for d in dict.fromkeys(
        (LOW_DEGREE, GOOD_DEGREE, chosen))]
    labels = [t("overfit.fit_label", degree=f.degree) for f in shown]
    left, right = st.columns(2)
    left.plotly_chart(charts.fits_figure(
        _data(data), GRID, true_curve(GRID),
        [(label, np.polyval(f.coefficients, GRID)) for label, f in zip(
            labels, shown, strict=True)], _points_text("fits")), key="overfit_fits")
    right.plotly_chart(charts.u_curve_figure(
        [f.degree for f in fits], [max(f.train_error, ERROR_FLOOR) for f in fits],
        [f.val_error for f in fits], best.degree, min(chosen, fits[-1].degree),
        _text("u", "title", "x", "y", "train", "val",
              best=t("overfit.chart.u_best", degree=best.degree))), key="overfit_u")
    right.caption(t("overfit.u_floor", floor="10⁻⁴"))
    table = pd.DataFrame(
        [(f.degree, f"{f.train_error:.4f}", f"{f.val_error:.4f}",
          t(f"overfit.verdict.{diagnose(f, best)}")) for f in shown],
        columns=[t("overfit.col_degree"), t("overfit.col_train"),
                 t("overfit.col_val"), t("overfit.col_verdict")])
    st.dataframe(table, hide_index=True, width="stretch")
    floor = mean_squared_error(data.y_val, true_curve(data.x_val))
    st.markdown(t("overfit.poly_explain", best=best.degree,
                  val=f"{best.val_error:.4f}", noise=f"{data.noise ** 2:.4f}",
                  floor=f"{floor:.4f}", n=n))


# --- 2. the live MLP ---------------------------------------------------------------


def _status_ui(snapshot: RunSnapshot) -> None:
    records, total = snapshot.records, snapshot.num_epochs
    if snapshot.status == "queued":
        st.info(t("overfit.queued", position=snapshot.queue_position),
                icon=":material/hourglass_top:")
    elif snapshot.status == "running" and not records:
        st.info(t("overfit.loading" if not is_keras_loaded() else "overfit.building"),
                icon=":material/hourglass_top:")
    elif snapshot.status == "running":
        last = records[-1]
        st.progress(len(records) / total, text=t(
            "overfit.progress", epoch=last.epoch, epochs=total,
            loss=f"{last.loss:.4f}", val_loss=f"{last.val_loss:.4f}"))
    elif snapshot.status == "finished":
        st.success(t("overfit.finished", epochs=total,
                     seconds=f"{snapshot.seconds or 0:.1f}"),
                   icon=":material/check_circle:")
    elif snapshot.status == "stopped":
        st.warning(t("overfit.stopped", epochs=len(records)),
                   icon=":material/stop_circle:")
    elif snapshot.status == "diverged":
        st.error(t("overfit.diverged", epoch=snapshot.details["epoch"],
                   loss=f"{snapshot.details['loss']:.4g}", times=f"{EXPLODED:g}"),
                 icon=":material/trending_up:")
    else:
        st.error(t("overfit.failed", detail=snapshot.details.get("detail", "")),
                 icon=":material/error:")


def run_label(job: OverfitJob, number: int) -> str:
    """"run 2 (L2 0.01, L1 0, dropout 0, 12 pts)": what tells runs apart."""
    s = job.settings
    return t("overfit.run_label", number=number, l2=f"{s.l2:g}", l1=f"{s.l1:g}",
             dropout=f"{s.dropout_rate:g}", n=job.data_key[0])


def _curves(jobs: list[OverfitJob]) -> list[dict]:
    runs = []
    for index, job in enumerate(jobs):
        records = job.snapshot().records
        if records:
            runs.append({"label": run_label(job, index + 1),
                         "colour": RUN_COLOURS[index % len(RUN_COLOURS)],
                         "epochs": [r.epoch for r in records],
                         "loss": [r.loss for r in records],
                         "val_loss": [r.val_loss for r in records]})
    return runs


def live_view(data: CurveData, patience: int) -> None:
    """Status, the loss curves (with earlier runs) and the network's curve;
    reruns itself while the job trains."""
    job = lab.current_job()
    snapshot = job.snapshot() if job is not None else None
    if snapshot is None:
        st.info(t("overfit.press_train"), icon=":material/play_arrow:")
    else:
        _status_ui(snapshot)
    records = snapshot.records if snapshot is not None else ()
    finite = [r.val_loss for r in records if math.isfinite(r.val_loss)]
    marks = None
    if finite and len(finite) == len(records):
        stop = early_stopping(finite, patience)
        marks = {"best": stop.best_epoch, "stop": stop.stop_epoch}
        _early_stopping_caption(snapshot, stop, patience)
    left, right = st.columns(2)
    jobs = [*lab.previous_runs(), *([job] if job is not None else [])]
    left.plotly_chart(charts.loss_figure(
        _curves(jobs), marks, _text("loss", "title", "x", "y", "loss", "val_loss",
                                    "best", "stop")), key="overfit_loss")
    same_data = job is not None and job.data_key == lab.data_key()
    prediction = None
    if same_data and snapshot.weights is not None:
        prediction = forward(snapshot.weights, GRID)
    right.plotly_chart(charts.network_fit_figure(
        _data(data), GRID, true_curve(GRID), prediction,
        _points_text("net") | {"network": t("overfit.chart.net_network",
                                             epoch=len(records))}), key="overfit_net")
    if job is not None and not same_data:
        st.info(t("overfit.data_changed"), icon=":material/edit_note:")
    if lab.is_active(job):
        st.session_state[lab.WAS_ACTIVE] = True
    elif st.session_state.pop(lab.WAS_ACTIVE, False):
        st.rerun(scope="app")  # training ended: histograms below, polling off


def _early_stopping_caption(snapshot: RunSnapshot, stop, patience: int) -> None:
    records = snapshot.records
    best = records[stop.best_epoch - 1]
    if stop.stop_epoch is None:
        text = t("overfit.es_no_stop", patience=patience, best=stop.best_epoch,
                 val=f"{best.val_loss:.4f}", epochs=len(records))
    else:
        text = t("overfit.es_stop", patience=patience, stop=stop.stop_epoch,
                 best=stop.best_epoch, val=f"{best.val_loss:.4f}",
                 last=f"{records[-1].val_loss:.4f}", epochs=len(records))
    st.caption(text)


# --- 3. weight histograms ------------------------------------------------------------


def weights_ui() -> None:
    """Histograms and numbers of the hidden kernels: this run and the last one."""
    job = lab.current_job()
    if job is None or lab.is_active(job) or job.snapshot().weights is None:
        st.info(t("overfit.weights_wait"), icon=":material/bar_chart:")
        return
    jobs = [*lab.previous_runs()[-1:], job]
    numbers = len(lab.previous_runs()) + 1 - (len(jobs) - 1)
    rows, histograms = [], []
    for offset, run in enumerate(jobs):
        weights, s = run.snapshot().weights, run.settings
        stats = weight_stats(weights)
        label = run_label(run, numbers + offset)
        colour = RUN_COLOURS[(numbers + offset - 1) % len(RUN_COLOURS)]
        histograms.append((label, stats.values, colour))
        rows.append((label, f"{stats.l1_norm:.2f}", f"{stats.l2_norm:.3f}",
                     f"{stats.num_small:,} / {stats.values.size:,}",
                     f"{stats.num_zero:,}", f"{penalty(weights, s.l1, s.l2):.4g}"))
    st.plotly_chart(charts.histogram_figure(histograms, _text(
        "hist", "title", "x", "y")), key="overfit_hist")
    st.dataframe(pd.DataFrame(rows, columns=[
        t("overfit.col_run"), "Σ|w|", "‖w‖₂",
        t("overfit.col_small", small=SMALL_WEIGHT), t("overfit.col_zero"),
        t("overfit.col_penalty")]), hide_index=True, width="stretch")
    st.markdown(t("overfit.weights_explain", small=SMALL_WEIGHT,
                  params=f"{count_parameters():,}"))


# --- 4. the diamond and the circle ------------------------------------------------


def constraint_ui() -> None:
    """The constrained minimum inside the L1 diamond and the L2 circle."""
    low, high = lab.T_RANGE
    t_value = st.slider(t("overfit.t"), low, high, step=0.05, key=lab.key("t"),
                        help=t("overfit.t_help"))
    w1 = w2 = np.linspace(-2.7, 2.7, 109)
    loss = quadratic_loss(w1[None, :], w2[:, None])
    l1_point = l1_constrained_minimum(t_value)
    l2_point = l2_constrained_minimum(t_value)
    left, right = st.columns([3, 2])
    left.plotly_chart(charts.constraint_figure(
        w1, w2, loss, t_value, LOSS_CENTRE,
        {"l1_point": (l1_point, float(quadratic_loss(*l1_point))),
         "l2_point": (l2_point, float(quadratic_loss(*l2_point)))},
        _text("box", "title", "loss", "diamond", "circle", "centre", "l1_point",
              "l2_point")), key="overfit_constraint")
    with right:
        for kind, point in (("l1", l1_point), ("l2", l2_point)):
            zeros = int((point == 0).sum())
            st.markdown(t(f"overfit.{kind}_optimum", w1=_weight(point[0]),
                          w2=_weight(point[1]),
                          loss=f"{float(quadratic_loss(*point)):.4f}")
                        + " " + t("overfit.zero_count", count=zeros))
        st.markdown(t("overfit.constraint_explain", c1=f"{LOSS_CENTRE[0]:g}",
                      c2=f"{LOSS_CENTRE[1]:g}"))


def _weight(value: float) -> str:
    return t("overfit.exact_zero") if value == 0 else f"{value:.4f}"
