"""Settings and controls of the optimizer lesson: the landscape, the optimizers in
the race, the learning rate (a log-scale slider, a typed value and three
presets), the start point and the mini-batch settings. Every setting is a URL
parameter; bad values get a message and the last good value is kept.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from components.i18n import t
from components.url_state import LessonSettings
from core.landscapes import LANDSCAPES
from core.optimizers import OPTIMIZERS


@dataclass(frozen=True)
class OptimizerSettings:
    """The lesson's defaults; every field is a URL parameter."""

    fn: str = "valley"
    show: tuple[str, ...] = OPTIMIZERS
    lr: float = 0.2
    steps: int = 200
    x0: float = LANDSCAPES["valley"].start[0]
    y0: float = LANDSCAPES["valley"].start[1]
    batch: int = 6
    shuffle: bool = True
    seed: int = 0
    epochs: int = 10
    batch_lr: float = 0.05


DEFAULTS = OptimizerSettings()
# Settings that teacher mode hides (components/teacher.py).
ADVANCED = (
    "steps", "x0", "y0", "seed", "shuffle", "epochs")
SETTINGS = LessonSettings("optimizers", DEFAULTS, ADVANCED)
key = SETTINGS.key
MAX_LR, MAX_STEPS, START_LIMIT = 1000.0, 2000, 10.0
LOG_RANGE = (-5.0, 2.0)  # the slider's log₁₀(learning rate) range
BATCH_SIZES = (1, 2, 3, 4, 5, 6, 8, 12, 24)
BATCH_RATES = (0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3)
LIMITS = {"lr": (0.0, MAX_LR), "steps": (1, MAX_STEPS),
          "x0": (-START_LIMIT, START_LIMIT), "y0": (-START_LIMIT, START_LIMIT),
          "seed": (0, 99_999), "epochs": (1, 100)}
CHOICES = {"fn": tuple(LANDSCAPES), "batch": BATCH_SIZES, "batch_lr": BATCH_RATES}
LAST_SHOWN = "optimizers_last_shown"


def labels(prefix: str, options) -> Callable[[str], str]:
    """A ``format_func`` whose texts are looked up now, in this run's language."""
    return {option: t(f"{prefix}.{option}") for option in options}.__getitem__


def restore_settings() -> None:
    """URL → widgets (first run), with messages for values out of range."""
    SETTINGS.restore(LIMITS, CHOICES)
    shown = SETTINGS.get("show")
    known = [name for name in OPTIMIZERS if name in tuple(shown or ())]
    unknown = [name for name in tuple(shown or ()) if name not in OPTIMIZERS]
    if unknown:
        st.warning(t("optimizers.problem.unknown_optimizer",
                     names=", ".join(unknown), known=", ".join(OPTIMIZERS)),
                   icon=":material/link_off:")
    if not known:
        if shown:  # only unknown names came from the link
            known = list(OPTIMIZERS)
        else:
            st.warning(t("optimizers.problem.no_optimizer"), icon=":material/warning:")
            known = list(st.session_state.get(LAST_SHOWN, OPTIMIZERS))
    SETTINGS.set("show", known)
    st.session_state[LAST_SHOWN] = tuple(known)


def _slider_to_rate() -> None:
    SETTINGS.set("lr", float(f"{10 ** st.session_state[key('lr_log')]:.3g}"))


def _new_landscape() -> None:
    """A new function starts from its own start point."""
    start = LANDSCAPES[SETTINGS.get("fn")].start
    SETTINGS.set("x0", start[0])
    SETTINGS.set("y0", start[1])


def _preset(name: str) -> None:
    SETTINGS.set("lr", LANDSCAPES[SETTINGS.get("fn")].presets[name])


def race_ui() -> None:
    """Function, optimizers and the start point."""
    left, middle, right = st.columns([2, 4, 2])
    left.selectbox(t("optimizers.function"), tuple(LANDSCAPES), key=key("fn"),
                   format_func=labels("optimizers.fn", LANDSCAPES),
                   on_change=_new_landscape)
    middle.pills(t("optimizers.optimizers"), OPTIMIZERS, selection_mode="multi",
                 key=key("show"), format_func=labels("optimizer", OPTIMIZERS),
                 help=t("optimizers.optimizers_help"))
    x_col, y_col = right.columns(2)
    x_col.number_input(t("optimizers.start_x"), -START_LIMIT, START_LIMIT, step=0.1,
                       key=key("x0"), format="%.3g")
    y_col.number_input(t("optimizers.start_y"), -START_LIMIT, START_LIMIT, step=0.1,
                       key=key("y0"), format="%.3g")


def learning_rate_ui() -> None:
    """The log-scale slider, the exact value and the three presets."""
    rate = float(SETTINGS.get("lr"))
    log_value = math.log10(rate) if rate > 0 else LOG_RANGE[0]
    st.session_state[key("lr_log")] = round(min(max(log_value, LOG_RANGE[0]),
                                                LOG_RANGE[1]), 2)
    slider, typed = st.columns([3, 1])
    slider.slider(t("optimizers.lr_log"), *LOG_RANGE, step=0.05, key=key("lr_log"),
                  on_change=_slider_to_rate, format="%.2f",
                  help=t("optimizers.lr_log_help"))
    typed.number_input(t("optimizers.lr"), 0.0, MAX_LR, key=key("lr"), format="%g",
                       step=None, help=t("optimizers.lr_help"))
    presets = LANDSCAPES[SETTINGS.get("fn")].presets
    columns = st.columns(len(presets) + 1)
    for column, name in zip(columns, presets, strict=False):
        column.button(t(f"optimizers.preset.{name}", lr=f"{presets[name]:g}"),
                      key=f"optimizers_preset_{name}", on_click=_preset, args=(name,),
                      width="stretch")
    columns[-1].number_input(t("optimizers.steps"), 1, MAX_STEPS, step=50,
                             key=key("steps"), help=t("optimizers.steps_help"))


def batch_ui() -> None:
    """Batch size, learning rate, epochs, shuffle and the data seed."""
    cols = st.columns([3, 2, 1, 1, 2])
    cols[0].select_slider(t("optimizers.batch_size"), BATCH_SIZES, key=key("batch"),
                          help=t("optimizers.batch_size_help"))
    cols[1].select_slider(t("optimizers.batch_lr"), BATCH_RATES, key=key("batch_lr"),
                          format_func=lambda rate: f"{rate:g}")
    cols[2].number_input(t("optimizers.epochs"), 1, 100, key=key("epochs"))
    cols[3].number_input(t("optimizers.seed"), 0, 99_999, key=key("seed"),
                         help=t("optimizers.seed_help"))
    cols[4].toggle(t("optimizers.shuffle"), key=key("shuffle"),
                   help=t("optimizers.shuffle_help"))


def race_settings() -> tuple[str, tuple[str, ...], float, int, tuple[float, float]]:
    """(function, optimizers, learning rate, steps, start) as set now."""
    return (SETTINGS.get("fn"), tuple(SETTINGS.get("show")), float(SETTINGS.get("lr")),
            int(SETTINGS.get("steps")),
            (float(SETTINGS.get("x0")), float(SETTINGS.get("y0"))))
