"""Settings and controls of the recurrent-networks lesson: the unrolled RNN's
sequence, the series to forecast (synthetic, S&P 500, pasted), the window and the
split, and the Train / Stop buttons of the three-model comparison.

Bad input never loses what the student typed: the text stays in its box, a
message says what is wrong, and the last valid series stays in use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import streamlit as st

from components.i18n import t
from components.url_state import LessonSettings
from core.recurrent_codegen import SeriesSource
from core.recurrent_train import ForecastJob, ForecastSettings, start_forecast
from core.series import (
    SeriesError,
    SeriesSplit,
    load_stock_series,
    make_synthetic_series,
    minimum_length,
    parse_series,
    split_series,
)

SOURCES = ("synthetic", "stocks", "pasted")
LEARNING_RATES = (0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
DEFAULT_PASTED = ", ".join(f"{v:.2f}" for v in np.sin(np.arange(60) / 3) + 0.02 *
                           np.arange(60))


@dataclass(frozen=True)
class RecurrentSettings:
    """The lesson's defaults; every field is a URL parameter."""

    sequence: str = "0.5, -1, 0.8, 0.2"
    hidden: int = 2
    weight_seed: int = 3
    step: int = 1
    features: int = 1
    source: str = "synthetic"
    period: float = 24.0
    trend: float = 0.0  # a trend makes the test part leave the training range
    noise: float = 0.1
    points: int = 300
    data_seed: int = 0
    pasted: str = DEFAULT_PASTED
    window: int = 12
    train_pct: int = 70
    val_pct: int = 15
    units: int = 16
    epochs: int = 15
    lr: float = 0.01
    seed: int = 7


DEFAULTS = RecurrentSettings()
# Settings that teacher mode hides (components/teacher.py).
ADVANCED = (
    "weight_seed", "features", "points", "data_seed", "train_pct", "val_pct", "lr",
    "seed")
SETTINGS = LessonSettings("recurrent", DEFAULTS, ADVANCED)
key = SETTINGS.key
LIMITS = {"hidden": (1, 4), "weight_seed": (0, 9999), "step": (1, 12),
          "features": (1, 64), "period": (2.0, 200.0), "trend": (-0.1, 0.1),
          "noise": (0.0, 2.0), "points": (50, 1000), "data_seed": (0, 9999),
          "window": (0, 200), "train_pct": (5, 95), "val_pct": (0, 90),
          "units": (1, 64), "epochs": (1, 200), "seed": (0, 99_999)}
JOB, WAS_ACTIVE = "recurrent_job", "recurrent_active"
LAST_SEQUENCE, LAST_PASTED = "recurrent_last_sequence", "recurrent_last_pasted"
MAX_SEQUENCE = 12


def labels(prefix: str, options) -> Callable[[str], str]:
    """A ``format_func`` whose texts are looked up now, in this run's language."""
    return {option: t(f"{prefix}.{option}") for option in options}.__getitem__


def restore_settings() -> None:
    SETTINGS.restore(LIMITS, {"lr": LEARNING_RATES, "source": SOURCES})


def current_job() -> ForecastJob | None:
    return st.session_state.get(JOB)


def is_active(job: ForecastJob | None) -> bool:
    return job is not None and job.snapshot().status in ("queued", "running")


def _problem_text(problem, **extra) -> str:
    return t(f"recurrent.problem.{problem.code}", position=problem.position,
             text=problem.text, **extra)


def _parsed(text: str, fallback_key: str, default: str, max_points: int
            ) -> np.ndarray:
    """Numbers from ``text``; on a problem, each message and the last good ones."""
    values, problems = parse_series(text, max_points)
    for problem in problems:
        st.warning(_problem_text(problem, max_points=max_points),
                   icon=":material/warning:")
    if values is None:
        values = st.session_state.get(fallback_key, parse_series(default)[0])
        st.info(t("recurrent.using_last_good", count=len(values)),
                icon=":material/history:")
    else:
        st.session_state[fallback_key] = values
    return values


def sequence_ui() -> tuple[np.ndarray, int, int]:
    """The short input sequence, the hidden size and the weights' seed."""
    st.text_input(t("recurrent.sequence"), key=key("sequence"),
                  help=t("recurrent.sequence_help", max=MAX_SEQUENCE))
    values = _parsed(SETTINGS.get("sequence"), LAST_SEQUENCE, DEFAULTS.sequence,
                     MAX_SEQUENCE)
    left, right = st.columns(2)
    left.slider(t("recurrent.hidden"), 1, 4, key=key("hidden"),
                help=t("recurrent.hidden_help"))
    right.number_input(t("recurrent.weight_seed"), 0, 9999, key=key("weight_seed"),
                       help=t("recurrent.weight_seed_help"))
    return values, int(SETTINGS.get("hidden")), int(SETTINGS.get("weight_seed"))


def source_ui() -> tuple[np.ndarray | None, SeriesSource, tuple[str, ...] | None]:
    """Pick the series. Returns its values, a description for the script, and
    the dates (for the S&P 500)."""
    st.radio(t("recurrent.source"), SOURCES, key=key("source"), horizontal=True,
             format_func=labels("recurrent.source", SOURCES))
    source = SETTINGS.get("source")
    if source == "synthetic":
        cols = st.columns(5)
        cols[0].number_input(t("recurrent.period"), 2.0, 200.0, step=1.0,
                             key=key("period"))
        cols[1].number_input(t("recurrent.trend"), -0.1, 0.1, step=0.005,
                             format="%.3f", key=key("trend"))
        cols[2].number_input(t("recurrent.noise"), 0.0, 2.0, step=0.05,
                             key=key("noise"))
        cols[3].number_input(t("recurrent.points"), 50, 1000, step=50,
                             key=key("points"))
        cols[4].number_input(t("recurrent.data_seed"), 0, 9999, key=key("data_seed"))
        spec = SeriesSource("synthetic", float(SETTINGS.get("period")),
                            float(SETTINGS.get("trend")), float(SETTINGS.get("noise")),
                            int(SETTINGS.get("points")), int(SETTINGS.get("data_seed")))
        values = make_synthetic_series(spec.num_points, spec.period, spec.trend,
                                       spec.noise, spec.seed)
        st.caption(t("recurrent.synthetic_note"))
        return values, spec, None
    if source == "stocks":
        series = _stocks()
        st.caption(t("recurrent.stocks_note", count=len(series.values),
                     gaps=series.num_gaps, first=series.dates[0],
                     last=series.dates[-1], example=series.gap_dates[0]
                     if series.gap_dates else "—"))
        return series.values, SeriesSource("stocks"), series.dates
    st.text_area(t("recurrent.pasted"), key=key("pasted"), height=110,
                 help=t("recurrent.pasted_help"))
    values = _parsed(SETTINGS.get("pasted"), LAST_PASTED, DEFAULTS.pasted, 2000)
    return values, SeriesSource("pasted", values=tuple(values.tolist())), None


@st.cache_resource(show_spinner=False)
def _stocks():
    return load_stock_series()


def split_ui(values: np.ndarray) -> SeriesSplit | None:
    """Window and split controls; the split, or None with a message why not."""
    cols = st.columns(3)
    cols[0].number_input(t("recurrent.window"), 0, 200, key=key("window"),
                         help=t("recurrent.window_help"))
    cols[1].number_input(t("recurrent.train_pct"), 5, 95, step=5, key=key("train_pct"))
    cols[2].number_input(t("recurrent.val_pct"), 0, 90, step=5, key=key("val_pct"))
    window = int(SETTINGS.get("window"))
    train, val = int(SETTINGS.get("train_pct")), int(SETTINGS.get("val_pct"))
    if train + val >= 100:
        st.error(t("recurrent.problem.no_test_left", train=train, val=val),
                 icon=":material/error:")
        return None
    try:
        split = split_series(values, window, train / 100, val / 100)
    except SeriesError as error:
        st.error(t(f"recurrent.problem.{error.problem.code}",
                   window=window, length=len(values), needed=minimum_length(window),
                   targets=error.numbers.get("targets", 0)), icon=":material/error:")
        return None
    st.caption(t("recurrent.split_note", train=split.num_train,
                 val=split.num_validation, test=split.num_test, window=window))
    return split


def fit_settings() -> ForecastSettings:
    return ForecastSettings(int(SETTINGS.get("units")), int(SETTINGS.get("epochs")),
                            float(SETTINGS.get("lr")), int(SETTINGS.get("seed")))


def train_ui(split: SeriesSplit | None) -> ForecastSettings:
    """Units, epochs, learning rate, seed; Train (needs a split) and Stop."""
    cols = st.columns(4)
    cols[0].number_input(t("recurrent.units"), 1, 64, key=key("units"))
    cols[1].number_input(t("recurrent.epochs"), 1, 200, step=5, key=key("epochs"))
    cols[2].select_slider(t("recurrent.lr"), LEARNING_RATES, key=key("lr"),
                          format_func=lambda rate: f"{rate:g}")
    cols[3].number_input(t("recurrent.seed"), 0, 99_999, key=key("seed"))
    settings = fit_settings()
    active = is_active(current_job())

    def _start() -> None:
        if split is not None and not is_active(current_job()):
            st.session_state[JOB] = start_forecast(split, fit_settings())

    def _stop() -> None:
        if current_job() is not None:
            current_job().stop()

    left, right = st.columns(2)
    left.button(t("recurrent.train"), key="recurrent_train", type="primary",
                icon=":material/play_arrow:", on_click=_start,
                disabled=active or split is None, width="stretch")
    right.button(t("recurrent.stop"), key="recurrent_stop", icon=":material/stop:",
                 on_click=_stop, disabled=not active, width="stretch")
    return settings
