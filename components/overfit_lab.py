"""Settings, data and training controls of the overfitting lesson.

Every setting is a URL parameter; choices (penalties, dropout, learning rate) are
lists, so a bad or absurd link value falls back to its default with a warning.
The last few runs are kept so a student can compare them on one chart.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from components.i18n import t
from components.url_state import LessonSettings
from core.overfit_mlp import MLPSettings, OverfitJob, start_run
from core.overfitting import MAX_DEGREE, POOL_SIZE, CurveData, make_curve_data


@dataclass(frozen=True)
class OverfitSettings:
    """The lesson's defaults; every field is a URL parameter."""

    n: int = 12  # training points
    data: int = 0  # the data's seed
    degree: int = 11  # the flexible polynomial
    l2: float = 0.0
    l1: float = 0.0
    dropout: float = 0.0
    epochs: int = 400
    lr: float = 0.01
    seed: int = 0  # the network's starting weights
    patience: int = 20
    t: float = 1.0  # size of the constraint regions


DEFAULTS = OverfitSettings()
# Settings that teacher mode hides (components/teacher.py).
ADVANCED = (
    "data", "l1", "epochs", "lr", "seed", "patience")
SETTINGS = LessonSettings("overfit", DEFAULTS, ADVANCED)
key = SETTINGS.key
PENALTIES = (0.0, 0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1)
DROPOUTS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)
LEARNING_RATES = (0.001, 0.003, 0.01, 0.02, 0.03, 0.1, 0.3, 1.0, 3.0)
MIN_TRAIN, MAX_EPOCHS, MAX_SEED, MAX_PATIENCE = 2, 2000, 99_999, 200
T_RANGE = (0.1, 2.5)
LIMITS = {"n": (MIN_TRAIN, POOL_SIZE), "data": (0, MAX_SEED),
          "degree": (0, MAX_DEGREE), "epochs": (10, MAX_EPOCHS),
          "seed": (0, MAX_SEED), "patience": (1, MAX_PATIENCE), "t": T_RANGE}
CHOICES = {"l2": PENALTIES, "l1": PENALTIES, "dropout": DROPOUTS,
           "lr": LEARNING_RATES}
JOB, RUNS, WAS_ACTIVE = "overfit_job", "overfit_runs", "overfit_active"
KEPT_RUNS = 3  # previous runs drawn beside the current one


def restore_settings() -> None:
    SETTINGS.restore(LIMITS, CHOICES)


def current_job() -> OverfitJob | None:
    return st.session_state.get(JOB)


def previous_runs() -> list[OverfitJob]:
    return st.session_state.get(RUNS, [])


def is_active(job: OverfitJob | None) -> bool:
    return job is not None and job.snapshot().status in ("queued", "running")


@st.cache_data(max_entries=64, show_spinner=False)
def _curve_data(num_train: int, data_seed: int) -> CurveData:
    return make_curve_data(num_train, seed=data_seed)


def data_ui() -> CurveData:
    """Training-set size and the data's seed; returns the points."""
    left, right = st.columns(2)
    left.number_input(t("overfit.num_train"), MIN_TRAIN, POOL_SIZE, step=1,
                      key=key("n"), help=t("overfit.num_train_help",
                                           pool=POOL_SIZE))
    right.number_input(t("overfit.data_seed"), 0, MAX_SEED, key=key("data"),
                       help=t("overfit.data_seed_help"))
    return _curve_data(int(SETTINGS.get("n")), int(SETTINGS.get("data")))


def mlp_settings() -> MLPSettings:
    """The network's settings as the widgets hold them now."""
    return MLPSettings(float(SETTINGS.get("l2")), float(SETTINGS.get("l1")),
                       float(SETTINGS.get("dropout")), int(SETTINGS.get("epochs")),
                       float(SETTINGS.get("lr")), int(SETTINGS.get("seed")))


def data_key() -> tuple[int, int]:
    """(training points, data seed): which points a run learnt from."""
    return int(SETTINGS.get("n")), int(SETTINGS.get("data"))


def _start() -> None:
    """Keep the last run for comparison, then train with the current settings."""
    job = current_job()
    if is_active(job):
        return
    if job is not None and job.snapshot().records:
        st.session_state[RUNS] = [*previous_runs(), job][-KEPT_RUNS:]
    try:
        new = start_run(_curve_data(*data_key()), mlp_settings())
    except ValueError as error:  # a setting Keras would refuse: say which
        st.session_state["overfit_refused"] = str(error)
        return
    new.data_key = data_key()  # which points it learnt (compared on redraw)
    st.session_state[JOB] = new


def _stop() -> None:
    job = current_job()
    if job is not None:
        job.stop()


def _forget_runs() -> None:
    st.session_state[RUNS] = []


def _number(value: float) -> str:
    return f"{value:g}"


def controls_ui() -> MLPSettings:
    """Penalties, dropout, learning rate, epochs, seed, patience; Train / Stop."""
    left, right = st.columns(2)
    left.select_slider(t("overfit.l2"), PENALTIES, key=key("l2"),
                       format_func=_number, help=t("overfit.l2_help"))
    right.select_slider(t("overfit.l1"), PENALTIES, key=key("l1"),
                        format_func=_number, help=t("overfit.l1_help"))
    left.select_slider(t("overfit.dropout"), DROPOUTS, key=key("dropout"),
                       format_func=_number, help=t("overfit.dropout_help"))
    right.select_slider(t("overfit.lr"), LEARNING_RATES, key=key("lr"),
                        format_func=_number, help=t("overfit.lr_help"))
    cols = st.columns(3)
    cols[0].number_input(t("overfit.epochs"), 10, MAX_EPOCHS, step=50,
                         key=key("epochs"), help=t("overfit.epochs_help"))
    cols[1].number_input(t("overfit.patience"), 1, MAX_PATIENCE, step=5,
                         key=key("patience"), help=t("overfit.patience_help"))
    cols[2].number_input(t("overfit.seed"), 0, MAX_SEED, key=key("seed"),
                         help=t("overfit.seed_help"))
    refused = st.session_state.pop("overfit_refused", None)
    if refused:
        st.error(t("overfit.refused", reason=refused), icon=":material/error:")
    active = is_active(current_job())
    cols = st.columns(3)
    cols[0].button(t("overfit.train"), key="overfit_train", type="primary",
                   icon=":material/play_arrow:", on_click=_start, disabled=active,
                   width="stretch")
    cols[1].button(t("overfit.stop"), key="overfit_stop", icon=":material/stop:",
                   on_click=_stop, disabled=not active, width="stretch")
    cols[2].button(t("overfit.forget"), key="overfit_forget",
                   icon=":material/delete_sweep:", on_click=_forget_runs,
                   disabled=not previous_runs() or active, width="stretch")
    return mlp_settings()
