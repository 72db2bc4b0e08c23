"""Settings and controls of the perceptron lesson (`*_ui` return what was chosen)
and the cached computations behind them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import streamlit as st

from components.i18n import t
from components.url_state import LessonSettings
from core.perceptron import (
    GATE_INPUTS,
    GATES,
    IRIS_FEATURES,
    IRIS_TARGETS,
    MAX_EPOCHS,
    IrisPetals,
    MLPHistory,
    PerceptronRun,
    SklearnPerceptron,
    check_learning_rate,
    fit_sklearn_perceptron,
    init_mlp,
    load_iris_petals,
    mlp_accuracy,
    standardise,
    train_mlp,
    train_perceptron,
)

SCOPE = "perceptron"
SYMMETRY_HIDDEN = 3  # the documents' example: three hidden units
SYMMETRY_LEARNING_RATE = 1.0
SYMMETRY_TARGET = "versicolor"
MLP_HIDDEN = 2


@dataclass(frozen=True)
class PerceptronSettings:
    """The lesson's defaults; every field is also a URL parameter."""

    w1: float = 1.0
    w2: float = 1.0
    bias: float = -1.5
    gate: str = "and"
    eta: float = 1.0
    start_w1: float = 0.0
    start_w2: float = 0.0
    start_b: float = 0.0
    step: int = 0
    mlp_seed: int = 0
    mlp_eta: float = 2.0
    mlp_steps: int = 2000
    point: str = "4.5, 1.5"
    feature: str = "petal_width"
    target: str = "virginica"
    lr_eta: float = 2.0
    lr_steps: int = 300
    lr_w0: float = -5.0
    lr_b0: float = 5.0
    sym_steps: int = 500
    sym_seed: int = 1


DEFAULTS = PerceptronSettings()
# Settings that teacher mode hides (components/teacher.py).
ADVANCED = (
    "start_w1", "start_w2", "start_b", "mlp_seed", "mlp_steps", "lr_steps", "lr_w0",
    "lr_b0", "sym_steps", "sym_seed")
SETTINGS = LessonSettings(SCOPE, DEFAULTS, ADVANCED)
key = SETTINGS.key
LIMITS = {"w1": (-3.0, 3.0), "w2": (-3.0, 3.0), "bias": (-3.0, 3.0),
          "start_w1": (-2.0, 2.0), "start_w2": (-2.0, 2.0), "start_b": (-2.0, 2.0),
          "step": (0, 4 * MAX_EPOCHS), "mlp_seed": (0, 9999),
          "mlp_steps": (100, 5000), "lr_steps": (1, 1000), "lr_w0": (-10.0, 10.0),
          "lr_b0": (-10.0, 10.0), "sym_steps": (10, 2000), "sym_seed": (0, 9999)}
CHOICES = {"gate": tuple(GATES), "feature": IRIS_FEATURES, "target": IRIS_TARGETS}


def labels(prefix: str, options) -> Callable[[str], str]:
    """A ``format_func`` whose texts are looked up now, in this run's language.

    A dict lookup (not a lambda calling ``t``) keeps working when Streamlit's
    test harness formats an option outside the script run.
    """
    return {option: t(f"{prefix}.{option}") for option in options}.__getitem__


def restore_settings() -> None:
    SETTINGS.restore(LIMITS, CHOICES)


def rate_ui(column, name: str, label_key: str, limit: float = 10.0,
            on_change=None) -> tuple[float, list[str]]:
    """A learning rate typed freely. Returns a usable η and the messages about
    the typed one (0, negative or huge), for ``show_rate_problems`` to show
    below the row of controls (a narrow column would squeeze them)."""
    value = column.number_input(t(label_key), key=key(name), step=0.1, format="%g",
                                help=t("perceptron.eta_help"), on_change=on_change)
    rate, problems = check_learning_rate(value, getattr(DEFAULTS, name), limit)
    return rate, [t(f"perceptron.problem.{code}", value=f"{rate:g}",
                    limit=f"{limit:g}") for code in problems]


def show_rate_problems(messages: list[str]) -> None:
    for message in messages:
        st.warning(message, icon=":material/warning:")


# --- 1. the threshold logic unit -----------------------------------------------


def tlu_ui() -> tuple[np.ndarray, float]:
    columns = st.columns(3)
    w1 = columns[0].slider(t("perceptron.tlu.w1"), -3.0, 3.0, step=0.1, key=key("w1"))
    w2 = columns[1].slider(t("perceptron.tlu.w2"), -3.0, 3.0, step=0.1, key=key("w2"))
    b = columns[2].slider(t("perceptron.tlu.b"), -3.0, 3.0, step=0.1, key=key("bias"))
    return np.array([w1, w2]), float(b)


# --- 2. the perceptron learning rule ---------------------------------------------


def _reset_steps() -> None:
    SETTINGS.set("step", 0)


def _go_to(target: int) -> None:
    SETTINGS.set("step", target)


def rule_ui() -> tuple[str, float, np.ndarray, float]:
    """Which gate, η and the start weights; changing any starts again at step 0."""
    columns = st.columns([2, 1, 1, 1, 1])
    gate = columns[0].segmented_control(
        t("perceptron.rule.gate"), tuple(GATES), key=key("gate"),
        format_func=labels("perceptron.gate", GATES), on_change=_reset_steps
    ) or DEFAULTS.gate
    rate, problems = rate_ui(columns[1], "eta", "perceptron.rule.eta",
                             on_change=_reset_steps)
    starts = [columns[i + 2].slider(t(f"perceptron.rule.start_{name}"), -2.0, 2.0,
                                    step=0.1, key=key(f"start_{name}"),
                                    on_change=_reset_steps)
              for i, name in enumerate(("w1", "w2", "b"))]
    show_rate_problems(problems)
    return gate, rate, np.array(starts[:2]), float(starts[2])


@st.cache_resource(show_spinner=False, max_entries=64)
def perceptron_run(gate: str, rate: float, w1: float, w2: float,
                   b: float) -> PerceptronRun:
    """One run of the rule per setting (read-only: shared between sessions)."""
    return train_perceptron(GATE_INPUTS, GATES[gate], rate, [w1, w2], b)


def step_buttons_ui(run: PerceptronRun) -> int:
    """Step / next epoch / run to the end / reset; returns the steps done."""
    total = len(run.steps)
    SETTINGS.clamp("step", 0, total)
    done = SETTINGS.get("step")
    per_epoch = len(GATE_INPUTS)
    next_epoch = min(total, (done // per_epoch + 1) * per_epoch)
    columns = st.columns(4)
    columns[0].button(t("perceptron.rule.step"), key="perceptron_step_button",
                      icon=":material/skip_next:", on_click=_go_to,
                      args=(min(done + 1, total),), disabled=done >= total,
                      width="stretch")
    columns[1].button(t("perceptron.rule.epoch"), key="perceptron_epoch_button",
                      icon=":material/fast_forward:", on_click=_go_to,
                      args=(next_epoch,), disabled=done >= total, width="stretch")
    columns[2].button(t("perceptron.rule.to_end"), key="perceptron_end_button",
                      icon=":material/last_page:", on_click=_go_to, args=(total,),
                      disabled=done >= total, width="stretch")
    columns[3].button(t("perceptron.rule.reset"), key="perceptron_reset_button",
                      icon=":material/restart_alt:", on_click=_go_to, args=(0,),
                      disabled=done == 0, width="stretch")
    return done


# --- 2b. a trained 2-2-1 MLP on XOR --------------------------------------------


def mlp_ui() -> tuple[int, float, int]:
    columns = st.columns(3)
    seed = columns[0].number_input(t("perceptron.mlp.seed"), 0, 9999,
                                   key=key("mlp_seed"),
                                   help=t("perceptron.mlp.seed_help"))
    rate, problems = rate_ui(columns[1], "mlp_eta", "perceptron.mlp.eta", limit=50.0)
    steps = columns[2].slider(t("perceptron.mlp.steps"), 100, 5000, step=100,
                              key=key("mlp_steps"))
    show_rate_problems(problems)
    return int(seed), rate, int(steps)


@st.cache_resource(show_spinner=False, max_entries=32)
def xor_mlp(seed: int, rate: float, steps: int) -> MLPHistory:
    net = init_mlp(2, MLP_HIDDEN, seed=seed)
    return train_mlp(net, GATE_INPUTS, GATES["xor"], rate, steps)


# --- 3. and 4. iris ---------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def iris() -> IrisPetals:
    return load_iris_petals()


@st.cache_resource(show_spinner=False)
def iris_perceptron() -> SklearnPerceptron:
    """The documents' ``Perceptron()`` on petal length/width, setosa vs rest."""
    petals = iris()
    return fit_sklearn_perceptron(petals.X, petals.is_species("setosa"))


def point_ui() -> str:
    return st.text_input(t("perceptron.iris.point"), key=key("point"),
                         help=t("perceptron.iris.point_help"))


def logistic_ui() -> tuple[str, str, float, int, float, float]:
    """Feature, target species, η, steps and where gradient descent starts."""
    columns = st.columns(3)
    feature = columns[0].selectbox(
        t("perceptron.lr.feature"), IRIS_FEATURES, key=key("feature"),
        format_func=labels("perceptron.iris", IRIS_FEATURES))
    target = columns[1].selectbox(
        t("perceptron.lr.target"), IRIS_TARGETS, key=key("target"),
        format_func=labels("perceptron.iris", IRIS_TARGETS))
    rate, problems = rate_ui(columns[2], "lr_eta", "perceptron.lr.eta", limit=20.0)
    columns = st.columns(3)
    steps = columns[0].slider(t("perceptron.lr.steps"), 1, 1000, key=key("lr_steps"))
    w0 = columns[1].slider(t("perceptron.lr.w0"), -10.0, 10.0, step=0.5,
                           key=key("lr_w0"))
    b0 = columns[2].slider(t("perceptron.lr.b0"), -10.0, 10.0, step=0.5,
                           key=key("lr_b0"))
    show_rate_problems(problems)
    return feature, target, rate, int(steps), float(w0), float(b0)


# --- 5. symmetry -------------------------------------------------------------------


def symmetry_ui() -> tuple[int, int]:
    columns = st.columns(2)
    steps = columns[0].slider(t("perceptron.sym.steps"), 10, 2000, step=10,
                              key=key("sym_steps"))
    seed = columns[1].number_input(t("perceptron.sym.seed"), 0, 9999,
                                   key=key("sym_seed"))
    return int(steps), int(seed)


@st.cache_resource(show_spinner=False, max_entries=16)
def symmetry_runs(steps: int, seed: int) -> list[tuple[MLPHistory, float]]:
    """The same 2-3-1 network on standardised petals (versicolor vs rest: it lies
    between the other two species, so one line is not enough), started once
    from all-zero weights and once from random ones; (history, accuracy) each."""
    petals = iris()
    X = np.column_stack([standardise(petals.X[:, i])[0] for i in range(2)])
    y = petals.is_species(SYMMETRY_TARGET)
    runs = []
    for zeros in (True, False):
        net = init_mlp(2, SYMMETRY_HIDDEN, zeros=zeros, seed=seed)
        history = train_mlp(net, X, y, SYMMETRY_LEARNING_RATE, steps)
        runs.append((history, mlp_accuracy(history.net, X, y)))
    return runs
