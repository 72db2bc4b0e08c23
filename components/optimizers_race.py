"""The optimizer race: messages about the chosen settings, the real-Keras race
(background thread, live status in a fragment), the animated map, the results
table and one computed sentence per optimizer about its learning rate."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import streamlit as st

from components import optimizers_charts as charts
from components.i18n import t
from components.keras_loader import is_keras_loaded
from core.landscapes import LANDSCAPES, Landscape, contains, loss_grid, widen_window
from core.optim_keras import (
    RaceJob,
    RaceSettings,
    largest_difference,
    start_keras_race,
)
from core.optimizers import TOLERANCE, PathSummary, RacePath, run_race, summarize_path

JOB, WAS_ACTIVE = "optimizers_keras_job", "optimizers_keras_active"


def _number(value: float, digits: int = 4) -> str:
    return f"{value:.{digits}g}" if math.isfinite(value) else str(value)


def _point(point) -> str:
    return f"({_number(point[0], 3)}, {_number(point[1], 3)})"


@st.cache_data(max_entries=64, show_spinner=False)
def numpy_race(race: RaceSettings) -> dict[str, RacePath]:
    """The race with the NumPy mirrors (instant; cached per settings)."""
    return run_race(LANDSCAPES[race.landscape], race.names, race.learning_rate,
                    race.num_steps, race.start)


@st.cache_data(max_entries=64, show_spinner=False)
def numpy_summaries(race: RaceSettings) -> dict[str, PathSummary]:
    """Each NumPy path's summary (cached with the race it describes)."""
    landscape = LANDSCAPES[race.landscape]
    return {name: summarize_path(path, landscape)
            for name, path in numpy_race(race).items()}


def input_messages(landscape: Landscape, race: RaceSettings) -> tuple:
    """Explain settings that make the race degenerate; return the window to draw."""
    if race.learning_rate == 0:
        st.warning(t("optimizers.problem.lr_zero"), icon=":material/pause_circle:")
    gradient = np.hypot(*landscape.gradient(*race.start))
    if gradient < 1e-9:
        if any(math.dist(race.start, m) < 1e-6 for m in landscape.minima):
            st.info(t("optimizers.problem.start_at_minimum",
                      start=_point(race.start)), icon=":material/flag:")
        else:
            st.warning(t("optimizers.problem.start_stationary",
                         start=_point(race.start),
                         value=_number(float(landscape.fn(*race.start)))),
                       icon=":material/warning:")
    window = landscape.window
    if not contains(window, *race.start):
        window = widen_window(window, [race.start])
        st.info(t("optimizers.problem.start_outside", start=_point(race.start),
                  x_min=landscape.window[0], x_max=landscape.window[1],
                  y_min=landscape.window[2], y_max=landscape.window[3]),
                icon=":material/zoom_out_map:")
    return window


def current_job() -> RaceJob | None:
    return st.session_state.get(JOB)


def is_active(job: RaceJob | None) -> bool:
    return job is not None and job.snapshot().status in ("queued", "running")


def _start(race: RaceSettings) -> None:
    if not is_active(current_job()) and race.learning_rate > 0:
        st.session_state[JOB] = start_keras_race(race, LANDSCAPES[race.landscape])


def _stop() -> None:
    if current_job() is not None:
        current_job().stop()


def keras_ui(race: RaceSettings) -> None:
    """Race with real Keras and Stop; the status polls while the race runs."""
    active = is_active(current_job())
    left, right, _ = st.columns([2, 1, 2])
    left.button(t("optimizers.keras_race"), key="optimizers_keras", type="primary",
                icon=":material/sports_score:", on_click=_start, args=(race,),
                disabled=active or not race.learning_rate > 0, width="stretch",
                help=t("optimizers.keras_race_help"))
    right.button(t("optimizers.stop"), key="optimizers_stop", icon=":material/stop:",
                 on_click=_stop, disabled=not active, width="stretch")
    st.fragment(keras_status, run_every=0.5 if active else None)(race)


def keras_status(race: RaceSettings) -> None:
    job = current_job()
    if job is None:
        return
    snapshot = job.snapshot()
    if job.settings != race and snapshot.status not in ("queued", "running"):
        st.info(t("optimizers.keras_changed"), icon=":material/edit_note:")
    elif snapshot.status == "queued":
        st.info(t("optimizers.keras_queued", position=snapshot.queue_position),
                icon=":material/hourglass_top:")
    elif snapshot.status == "running":
        text = (t("optimizers.keras_loading") if not is_keras_loaded() else
                t("optimizers.keras_progress", done=snapshot.steps_done,
                  total=snapshot.steps_total))
        st.progress(snapshot.steps_done / max(snapshot.steps_total, 1), text=text)
    elif snapshot.status == "stopped":
        st.warning(t("optimizers.keras_stopped"), icon=":material/stop_circle:")
    elif snapshot.status == "failed":
        st.error(t("optimizers.keras_failed", detail=snapshot.detail),
                 icon=":material/error:")
    if is_active(job):
        st.session_state[WAS_ACTIVE] = True
    elif st.session_state.pop(WAS_ACTIVE, False):
        st.rerun(scope="app")  # the race ended: draw its paths, polling off


def keras_paths(race: RaceSettings) -> dict[str, RacePath] | None:
    """The finished real-Keras race for exactly these settings, if there is one."""
    job = current_job()
    if job is None or job.settings != race:
        return None
    snapshot = job.snapshot()
    if snapshot.status != "finished" or set(snapshot.paths) != set(race.names):
        return None
    return snapshot.paths


def race_chart(landscape: Landscape, race: RaceSettings, window: tuple,
               paths: dict[str, RacePath], from_keras: bool) -> None:
    names = {name: t(f"optimizer.{name}") for name in race.names}
    text = {"title": t("optimizers.chart.race_keras" if from_keras
                       else "optimizers.chart.race_numpy"),
            "loss": "f(x, y)", "minimum": t("optimizers.chart.minimum"),
            "saddle": t("optimizers.chart.saddle"),
            "start": t("optimizers.chart.start"),
            "play": t("optimizers.chart.play"), "pause": t("optimizers.chart.pause"),
            "step": t("optimizers.chart.step"), **names}
    grid = loss_grid(landscape, window, num=91)
    st.markdown(f"**{text['title']}**")
    st.plotly_chart(charts.race_figure(grid, landscape.log_levels, landscape.minima,
                                       landscape.saddles, paths, window, text),
                    key="optimizers_race")


def results_ui(landscape: Landscape, race: RaceSettings, paths: dict[str, RacePath],
               summaries: dict[str, PathSummary] | None = None
               ) -> dict[str, PathSummary]:
    """The results table; returns each optimizer's summary."""
    if summaries is None:
        summaries = {name: summarize_path(path, landscape)
                     for name, path in paths.items()}
    rows = []
    for name, summary in summaries.items():
        final = paths[name].positions[-1]
        rows.append((t(f"optimizer.{name}"), _point(final),
                     _number(summary.final_loss), _number(summary.distance, 3),
                     outcome_text(summary, race.num_steps)))
    st.dataframe(pd.DataFrame(rows, columns=[
        t("optimizers.col.optimizer"), t("optimizers.col.final"),
        t("optimizers.col.loss"), t("optimizers.col.distance"),
        t("optimizers.col.outcome", tolerance=TOLERANCE)]),
        hide_index=True, width="stretch")
    diverged = [t(f"optimizer.{n}") for n, s in summaries.items()
                if s.outcome == "diverged"]
    if diverged:
        st.error(t("optimizers.problem.diverged", names=", ".join(diverged),
                   lr=f"{race.learning_rate:g}"), icon=":material/trending_up:")
    return summaries


def outcome_text(summary: PathSummary, num_steps: int) -> str:
    if summary.outcome == "diverged":
        return t("optimizers.outcome.diverged", step=summary.diverged_at)
    if summary.outcome == "arrived":
        return t("optimizers.outcome.arrived", step=summary.arrived_at)
    return t(f"optimizers.outcome.{summary.outcome}", steps=num_steps)


def sentences_ui(race: RaceSettings, paths: dict[str, RacePath],
                 summaries: dict[str, PathSummary]) -> None:
    """One sentence per optimizer, computed from its run."""
    lines = []
    for name, summary in summaries.items():
        losses = paths[name].losses
        if summary.arrived_at is not None:  # count the way there, not the hovering
            losses = losses[:summary.arrived_at + 1]
        ups = int(np.sum(np.diff(losses) > 0))
        values = {"name": t(f"optimizer.{name}"), "steps": race.num_steps,
                  "step": summary.arrived_at or summary.diverged_at or 0,
                  "distance": _number(summary.distance, 3),
                  "start_distance": _number(summary.start_distance, 3),
                  "tolerance": TOLERANCE, "ups": ups, "moves": len(losses) - 1,
                  "last": _point(paths[name].positions[-1]),
                  "gradient": f"{summary.gradient_norm:.1e}"}
        line = t(f"optimizers.sentence.{summary.outcome}", **values)
        if summary.outcome in ("not_arrived", "arrived") and ups > 0.1 * len(losses):
            line += " " + t("optimizers.sentence.zigzag", **values)
        if summary.outcome == "arrived" and summary.distance > TOLERANCE:
            line += " " + t("optimizers.sentence.left", **values)
        lines.append(f"- {line}")
    st.markdown("\n".join(lines))


def difference_caption(numpy_paths: dict[str, RacePath],
                       keras_run: dict[str, RacePath]) -> None:
    job = current_job()
    gap = largest_difference(numpy_paths, keras_run)
    st.success(t("optimizers.keras_finished",
                 seconds=f"{job.snapshot().seconds or 0:.1f}", gap=f"{gap:.2g}"),
               icon=":material/check_circle:")


def race_section() -> RaceSettings:
    """Everything below the controls of the race; returns the race's settings."""
    from components.optimizers_lab import race_settings

    fn, names, rate, steps, start = race_settings()
    race = RaceSettings(fn, names, rate, steps, start)
    landscape = LANDSCAPES[fn]
    window = input_messages(landscape, race)
    keras_ui(race)
    numpy_paths = numpy_race(race)
    keras_run = keras_paths(race)
    race_chart(landscape, race, window, keras_run or numpy_paths, keras_run is not None)
    if keras_run is not None:
        difference_caption(numpy_paths, keras_run)
    st.caption(t("optimizers.chart.race_caption"))
    paths = keras_run or numpy_paths
    summaries = results_ui(landscape, race, paths,
                           None if keras_run else numpy_summaries(race))
    st.markdown(f"**{t('optimizers.sentences_header', lr=f'{rate:g}')}**")
    sentences_ui(race, paths, summaries)
    with st.expander(t("optimizers.loss_steps_header"), icon=":material/show_chart:"):
        st.plotly_chart(charts.loss_steps_figure(paths, {
            "title": t("optimizers.chart.loss_title"),
            "step": t("optimizers.chart.step"),
            "loss": "f(x, y)", **{n: t(f"optimizer.{n}") for n in names}}),
            key="optimizers_loss_steps")
    return race
