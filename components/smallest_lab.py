"""Settings, the points table and the training controls of the smallest network.

The table's last valid points stay in use while it holds an error, so the charts
and the Train button keep working; they also go into the URL as comma lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import zip_longest

import pandas as pd
import streamlit as st

from components.i18n import t
from components.url_state import LessonSettings
from core.smallest_network import (
    DEFAULT_SEED,
    DOCUMENTS_X,
    DOCUMENTS_Y,
    MAX_POINTS,
    VALUE_LIMIT,
    FitJob,
    FitSettings,
    Points,
    format_number,
    max_stable_learning_rate,
    parse_points,
    start_fit,
)


@dataclass(frozen=True)
class SmallestSettings:
    """The lesson's defaults (the documents'); every field is a URL parameter."""

    x: tuple[str, ...] = tuple(format_number(v) for v in DOCUMENTS_X)
    y: tuple[str, ...] = tuple(format_number(v) for v in DOCUMENTS_Y)
    lr: float = 0.01  # Keras' default for SGD, as the documents' optimizer="sgd"
    epochs: int = 500
    seed: int = DEFAULT_SEED
    x_new: float = 10.0


DEFAULTS = SmallestSettings()
# Settings that teacher mode hides (components/teacher.py).
ADVANCED = (
    "seed",)
SETTINGS = LessonSettings("smallest", DEFAULTS, ADVANCED)
key = SETTINGS.key
LEARNING_RATES = (0.001, 0.003, 0.01, 0.03, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1.0)
MAX_EPOCHS, MAX_SEED = 3000, 99_999
LIMITS = {"epochs": (1, MAX_EPOCHS), "seed": (0, MAX_SEED),
          "x_new": (-VALUE_LIMIT, VALUE_LIMIT)}
JOB, LAST_GOOD, WAS_ACTIVE = "smallest_job", "smallest_last_good", "smallest_active"
EDITOR_VERSION = "smallest_editor_version"
DOCUMENTS_POINTS = Points(DOCUMENTS_X, DOCUMENTS_Y)


def restore_settings() -> None:
    SETTINGS.restore(LIMITS, {"lr": LEARNING_RATES})


def current_job() -> FitJob | None:
    return st.session_state.get(JOB)


def is_active(job: FitJob | None) -> bool:
    return job is not None and job.snapshot().status in ("queued", "running")


def _reset_points() -> None:
    SETTINGS.set("x", DEFAULTS.x)
    SETTINGS.set("y", DEFAULTS.y)
    st.session_state[EDITOR_VERSION] = st.session_state.get(EDITOR_VERSION, 0) + 1


def _show_problems(problems: list) -> None:
    for problem in problems:
        text = t(f"smallest.problem.{problem.code}", row=problem.row,
                 column=problem.column, limit=f"{VALUE_LIMIT:,.0f}",
                 max_points=MAX_POINTS)
        if problem.code in ("no_points", "one_point", "same_x"):
            st.error(text, icon=":material/error:")
        else:
            st.warning(text, icon=":material/warning:")


def data_ui() -> Points:
    """The editable (x, y) table. Returns the points to learn from: the table's,
    or the last valid ones while the table cannot give a line."""
    editor = key(f"editor_{st.session_state.get(EDITOR_VERSION, 0)}")
    if editor not in st.session_state or key("table") not in st.session_state:
        # A new table (first visit, return to the page, reset): from the settings.
        rows = list(zip_longest(SETTINGS.get("x"), SETTINGS.get("y")))
        st.session_state[key("table")] = pd.DataFrame(rows, columns=["x", "y"],
                                                      dtype=object)
    # No translated text in the editor's arguments: a language switch would make
    # it a new widget and drop the student's edits.
    edited = st.data_editor(
        st.session_state[key("table")], num_rows="dynamic", hide_index=True,
        key=editor, width="stretch",
        column_config={name: st.column_config.TextColumn(name) for name in "xy"})
    points, problems = parse_points(edited["x"].tolist(), edited["y"].tolist())
    _show_problems(problems)
    if points is None:
        points = st.session_state.get(LAST_GOOD, DOCUMENTS_POINTS)
        st.info(t("smallest.using_last_good", count=len(points.x)),
                icon=":material/history:")
    else:
        st.session_state[LAST_GOOD] = points
        SETTINGS.set("x", tuple(format_number(v) for v in points.x))
        SETTINGS.set("y", tuple(format_number(v) for v in points.y))
    st.button(t("smallest.reset_points"), key="smallest_reset", on_click=_reset_points,
              icon=":material/restart_alt:", disabled=points == DOCUMENTS_POINTS)
    return points


def _settings() -> FitSettings:
    return FitSettings(float(SETTINGS.get("lr")), int(SETTINGS.get("epochs")),
                       int(SETTINGS.get("seed")), float(SETTINGS.get("x_new")))


def _start() -> None:
    """Train on the last valid points with the current settings (a callback, so
    the buttons below are drawn knowing a run has started)."""
    if not is_active(current_job()):
        points = st.session_state.get(LAST_GOOD, DOCUMENTS_POINTS)
        st.session_state[JOB] = start_fit(points, _settings())


def _stop() -> None:
    job = current_job()
    if job is not None:
        job.stop()


def controls_ui(points: Points) -> FitSettings:
    """compile's learning rate, fit's epochs, the seed, the new x; Train and Stop."""
    st.select_slider(t("smallest.learning_rate"), LEARNING_RATES, key=key("lr"),
                     format_func=lambda rate: f"{rate:g}",
                     help=t("smallest.learning_rate_help"))
    st.caption(t("smallest.learning_rate_hint",
                 stable=f"{max_stable_learning_rate(points):.3g}"))
    left, middle, right = st.columns(3)
    left.number_input(t("smallest.epochs"), 1, MAX_EPOCHS, step=100, key=key("epochs"),
                      help=t("smallest.epochs_help"))
    middle.number_input(t("smallest.x_new"), -VALUE_LIMIT, VALUE_LIMIT, step=1.0,
                        key=key("x_new"), help=t("smallest.x_new_help"))
    right.number_input(t("smallest.seed"), 0, MAX_SEED, key=key("seed"),
                       help=t("smallest.seed_help"))
    active = is_active(current_job())
    left, right = st.columns(2)
    left.button(t("smallest.train"), key="smallest_train", type="primary",
                icon=":material/play_arrow:", on_click=_start, disabled=active,
                width="stretch")
    right.button(t("smallest.stop"), key="smallest_stop", icon=":material/stop:",
                 on_click=_stop, disabled=not active, width="stretch")
    return _settings()
