"""Sections of the recurrent-networks lesson: the unrolled RNN step by step,
parameter counts, the live three-model forecast and its results, and gradients
through time."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from components import recurrent_charts as charts
from components import recurrent_lab as lab
from components.i18n import t
from components.keras_loader import is_keras_loaded
from core.recurrent import (
    KINDS,
    input_gradient_norms,
    make_weights,
    parameter_rows,
    rnn_forward,
)
from core.recurrent_train import GRADIENT_STEPS, ForecastSnapshot, probe_sequence
from core.series import (
    SeriesSplit,
    leaves_range,
    naive_forecast,
    root_mean_squared_error,
)

DONE = ("finished", "stopped", "diverged", "failed")


def names() -> dict[str, str]:
    return {kind: t(f"recurrent.kind.{kind}") for kind in (*KINDS, "naive")}


def _matrix(values: np.ndarray) -> str:
    rows = np.atleast_2d(values)
    body = r" \\ ".join(" & ".join(f"{v:.2f}" for v in row) for row in rows)
    return r"\begin{bmatrix}" + body + r"\end{bmatrix}"


def unrolled_ui(values: np.ndarray, hidden: int, seed: int) -> None:
    """The step control, the unrolled diagram and the numbers of step t."""
    weights = make_weights(hidden, 1, seed)
    steps = rnn_forward(weights, values[:, None])
    lab.SETTINGS.clamp("step", 1, len(steps))
    if len(steps) > 1:
        st.slider(t("recurrent.step"), 1, len(steps), key=lab.key("step"),
                  help=t("recurrent.step_help"))
    current = int(lab.SETTINGS.get("step")) if len(steps) > 1 else 1
    st.plotly_chart(charts.unrolled_figure(steps, current, {
        "title": t("recurrent.chart.unrolled_title", steps=len(steps))}),
        key="recurrent_unrolled")
    st.caption(t("recurrent.shared_note"))
    step = steps[current - 1]
    st.latex(r"W_{aa} = " + _matrix(weights.w_aa) + r",\; W_{ax} = "
             + _matrix(weights.w_ax) + r",\; b_a = " + _matrix(weights.b_a[:, None]))
    st.latex(r"W_{ya} = " + _matrix(weights.w_ya) + r",\; b_y = "
             + f"{weights.b_y[0]:.2f}")
    st.markdown(t("recurrent.step_equation", t=step.t, prev=step.t - 1,
                  x=f"{step.x[0]:g}"))
    table = pd.DataFrame({
        t("recurrent.col_unit"): [f"{i + 1}" for i in range(hidden)],
        f"a⟨{step.t - 1}⟩": step.a_prev, f"W_aa·a⟨{step.t - 1}⟩": step.recurrent_part,
        f"W_ax·x⟨{step.t}⟩": step.input_part, "b_a": weights.b_a,
        "z": step.z, f"a⟨{step.t}⟩ = tanh(z)": step.a})
    st.dataframe(table.round(4), hide_index=True, width="stretch")
    st.markdown(t("recurrent.step_output", t=step.t, y=f"{step.y_hat:.4f}"))


def params_ui(units: int) -> None:
    """The three layers' counts as formulas with the user's n and m."""
    features = int(st.number_input(t("recurrent.features"), 1, 64,
                                   key=lab.key("features"),
                                   help=t("recurrent.features_help")))
    rows = parameter_rows(units, features)
    st.dataframe(pd.DataFrame({
        t("recurrent.col_layer"): [names()[r.kind] for r in rows],
        t("recurrent.col_formula"): [r.formula for r in rows],
        t("recurrent.col_numbers"): [r.substituted for r in rows],
        t("recurrent.col_head"): [f"{units}·1 + 1 = {r.head}" for r in rows],
        t("recurrent.col_total"): [r.total for r in rows]}),
        hide_index=True, width="stretch")
    st.markdown(t("recurrent.params_text", n=units, m=features,
                  simple=rows[0].recurrent, gru=rows[1].recurrent,
                  lstm=rows[2].recurrent, gru_old=3 * units * (units + features + 1)))
    left, right = st.columns(2)
    left.markdown(t("recurrent.gru_text"))
    right.markdown(t("recurrent.lstm_text"))


def _status_ui(snapshot: ForecastSnapshot) -> None:
    if snapshot.status == "queued":
        st.info(t("recurrent.queued", position=snapshot.queue_position),
                icon=":material/hourglass_top:")
    elif snapshot.status == "running":
        kind = snapshot.current
        if kind is None:
            st.info(t("recurrent.loading" if not is_keras_loaded()
                      else "recurrent.building"), icon=":material/hourglass_top:")
        else:
            done = len(snapshot.history[kind])
            order = KINDS.index(kind) + 1
            st.progress(done / snapshot.num_epochs, text=t(
                "recurrent.progress", model=names()[kind], order=order,
                epoch=done, epochs=snapshot.num_epochs))
    elif snapshot.status == "finished":
        st.success(t("recurrent.finished", seconds=f"{snapshot.seconds or 0:.1f}"),
                   icon=":material/check_circle:")
    elif snapshot.status == "stopped":
        st.warning(t("recurrent.stopped"), icon=":material/stop_circle:")
    elif snapshot.status == "diverged":
        details = snapshot.details
        st.error(t("recurrent.diverged", model=names()[details["model"]],
                   epoch=details["epoch"], loss=f"{details['loss']:.4g}"),
                 icon=":material/trending_up:")
    else:
        st.error(t("recurrent.failed", detail=snapshot.details.get("detail", "")),
                 icon=":material/error:")


def live_view() -> None:
    """Status and the loss curves; reruns itself while the job trains."""
    job = lab.current_job()
    if job is None:
        st.info(t("recurrent.press_train"), icon=":material/play_arrow:")
        return
    snapshot = job.snapshot()
    _status_ui(snapshot)
    if any(snapshot.history.values()):
        st.plotly_chart(charts.loss_figure(snapshot.history, names(), {
            "title": t("recurrent.chart.loss_title"), "epoch": t("recurrent.epoch"),
            "loss": t("recurrent.chart.loss_axis"), "train": t("recurrent.train_part"),
            "val": t("recurrent.val_part")}), key="recurrent_loss")
    if lab.is_active(job):
        st.session_state[lab.WAS_ACTIVE] = True
    elif st.session_state.pop(lab.WAS_ACTIVE, False):
        st.rerun(scope="app")  # training ended: results below, polling off


def _fingerprint(split: SeriesSplit) -> tuple:
    return (split.window, split.mean, split.scale, split.num_train,
            split.num_validation, split.num_test)


def results_ui(split: SeriesSplit | None,
               dates: tuple[str, ...] | None) -> None:
    """Forecast vs truth on the test part, RMSE for all, and an honest verdict."""
    job = lab.current_job()
    if job is None or split is None or lab.is_active(job):
        return
    snapshot = job.snapshot()
    if not snapshot.rmse:
        return
    if _fingerprint(job.split) != _fingerprint(split):
        st.info(t("recurrent.data_changed"), icon=":material/edit_note:")
        split = job.split  # the results belong to the series that was trained on
    truth = split.unscale(split.y_test)
    naive = naive_forecast(split)
    forecasts = {**snapshot.forecasts, "naive": naive}
    rmse = {**snapshot.rmse, "naive": root_mean_squared_error(truth, naive)}
    series = split.unscale(np.concatenate([split.x_train[0, :, 0], split.y_train,
                                           split.y_validation, split.y_test]))
    x_axis = dates if dates is not None and len(dates) == len(series) \
        else range(len(series))
    st.plotly_chart(charts.forecast_figure(
        x_axis, series, split.boundaries, split.target_index_test, forecasts,
        names(), {"title": t("recurrent.chart.forecast_title"),
                  "truth": t("recurrent.chart.truth"), "val": t("recurrent.val_part"),
                  "test": t("recurrent.test_part"), "x": t("recurrent.chart.time"),
                  "y": t("recurrent.chart.value")}), key="recurrent_forecast")
    st.dataframe(pd.DataFrame({
        t("recurrent.col_model"): [names()[k] for k in rmse],
        t("recurrent.col_rmse"): [round(v, 4) for v in rmse.values()]}),
        hide_index=True, width="stretch")
    _verdict(snapshot.rmse, rmse["naive"])
    seen = split.unscale(np.concatenate([split.x_train[0, :, 0], split.y_train]))
    if leaves_range(seen, truth):
        st.info(t("recurrent.verdict_outside", low=f"{seen.min():.4g}",
                  high=f"{seen.max():.4g}", test_low=f"{truth.min():.4g}",
                  test_high=f"{truth.max():.4g}"), icon=":material/open_in_full:")


def _verdict(model_rmse: dict[str, float], naive: float) -> None:
    best = min(model_rmse, key=model_rmse.get)
    gain = 100 * (1 - model_rmse[best] / naive) if naive > 0 else 0.0
    text = dict(model=names()[best], rmse=f"{model_rmse[best]:.4g}",
                naive=f"{naive:.4g}", percent=f"{abs(gain):.1f}")
    if model_rmse[best] < naive:
        st.success(t("recurrent.verdict_beats", **text), icon=":material/insights:")
    else:
        st.warning(t("recurrent.verdict_naive_wins", **text),
                   icon=":material/trending_flat:")


def gradients_ui(hidden: int, seed: int) -> None:
    """NumPy SimpleRNN (the first section's weights, scaled) and, once a training
    ran, every Keras model at initialisation and after training."""
    weights = make_weights(hidden, 1, seed)
    probe = probe_sequence(GRADIENT_STEPS, seed=0)
    curves = {t("recurrent.chart.numpy_curve", n=hidden):
              ("numpy", input_gradient_norms(weights, probe), False)}
    job = lab.current_job()
    if job is not None:
        snapshot = job.snapshot()
        for kind, parts in snapshot.gradients.items():
            for state, norms in parts.items():
                label = t(f"recurrent.chart.grad_{state}", model=names()[kind])
                curves[label] = (kind, norms, state == "init")
    st.plotly_chart(charts.gradient_figure(curves, {
        "title": t("recurrent.chart.grad_title", steps=GRADIENT_STEPS),
        "k": t("recurrent.chart.grad_k"), "norm": t("recurrent.chart.grad_norm")}),
        key="recurrent_gradients")
    if job is None or not job.snapshot().gradients:
        st.caption(t("recurrent.grad_keras_hint"))
    st.markdown(t("recurrent.grad_text"))
