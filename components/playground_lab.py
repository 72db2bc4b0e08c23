"""Settings, data, the network editor and the live job of the playground lesson."""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache

import streamlit as st

from components.i18n import t
from components.playground_charts import FEATURE_LABELS
from components.url_state import LessonSettings
from core.playground import (
    CHALLENGES,
    DATASETS,
    FEATURES,
    HIDDEN_ACTIVATIONS,
    MAX_LAYERS,
    MAX_NEURONS,
    OPTIMIZERS,
    PlaygroundData,
    PlaygroundError,
    PlaygroundSpec,
    check_spec,
    make_data,
)

LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REG_RATES = (0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
REGULARIZATIONS = ("none", "l1", "l2")
DROPOUTS = (0.0, 0.1, 0.2, 0.3, 0.5)
POINTS = (100, 200, 500, 1000)
MAX_SEED = 99_999
JOB = "playground_job"
RATE = "playground_rate"


@dataclass(frozen=True)
class PlaygroundSettings:
    """The lesson's defaults; every field is also a URL parameter."""

    data: str = "circle"
    noise: float = 0.1
    train: int = 50
    points: int = 500
    seed: int = 0
    features: tuple = ("x1", "x2")
    hidden: tuple = (4, 2)
    acts: tuple = ("tanh", "tanh")
    optimizer: str = "sgd"
    lr: float = 0.03
    reg: str = "none"
    reg_rate: float = 0.001
    dropout: float = 0.0
    batch: int = 10
    show_test: bool = False
    discrete: bool = False
    challenge: str = "none"


DEFAULTS = PlaygroundSettings()
# Settings that teacher mode hides (components/teacher.py).
ADVANCED = (
    "train", "points", "seed", "optimizer", "reg", "reg_rate", "dropout", "batch",
    "discrete")
SETTINGS = LessonSettings("pg", DEFAULTS, ADVANCED)
key = SETTINGS.key
LIMITS = {"noise": (0.0, 1.0), "train": (10, 90), "seed": (0, MAX_SEED),
          "batch": (1, 100)}
CHOICES = {"data": DATASETS, "optimizer": OPTIMIZERS, "lr": LEARNING_RATES,
           "reg": REGULARIZATIONS, "reg_rate": REG_RATES, "dropout": DROPOUTS,
           "points": POINTS,
           "challenge": ("none", *(c.key for c in CHALLENGES))}


def _url_warning(name: str) -> None:
    st.warning(t("problem.url_unreadable", name=name), icon=":material/link_off:")


def _network_from_state() -> tuple[tuple[int, ...], tuple[str, ...]]:
    """The hidden layers as kept in the session; a bad link value gets a warning
    and the default network."""
    try:
        hidden = tuple(int(n) for n in SETTINGS.get("hidden"))
        acts = tuple(str(a) for a in SETTINGS.get("acts"))
    except (TypeError, ValueError):
        _url_warning("hidden")
        return DEFAULTS.hidden, DEFAULTS.acts
    if len(hidden) > MAX_LAYERS or any(not 1 <= n <= MAX_NEURONS for n in hidden):
        _url_warning("hidden")
        return DEFAULTS.hidden, DEFAULTS.acts
    if any(a not in HIDDEN_ACTIVATIONS for a in acts):
        _url_warning("acts")
    # One activation per layer: a link giving only the layers gets tanh for the rest.
    acts = tuple((a if a in HIDDEN_ACTIVATIONS else "tanh")
                 for a in (acts + ("tanh",) * len(hidden))[:len(hidden)])
    return hidden, acts


def restore_settings() -> None:
    SETTINGS.restore(LIMITS, CHOICES)
    chosen = tuple(SETTINGS.get("features"))
    features = tuple(f for f in chosen if f in FEATURES)
    if features != chosen:
        _url_warning("features")
    SETTINGS.set("features", list(features))
    hidden, acts = _network_from_state()
    SETTINGS.set("hidden", hidden)
    SETTINGS.set("acts", acts)


def current_spec() -> PlaygroundSpec:
    get = SETTINGS.get
    reg, rate = get("reg"), get("reg_rate")
    return PlaygroundSpec(
        dataset=get("data"), noise=float(get("noise")), train_percent=int(get("train")),
        points=int(get("points")), seed=int(get("seed")),
        features=tuple(get("features")), hidden=tuple(get("hidden")),
        activations=tuple(get("acts")), optimizer=get("optimizer"),
        learning_rate=float(get("lr")), l1=rate if reg == "l1" else 0.0,
        l2=rate if reg == "l2" else 0.0, dropout=float(get("dropout")),
        batch_size=int(get("batch")))


@lru_cache(maxsize=64)
def _data(spec: PlaygroundSpec) -> PlaygroundData:
    """Shared by every session (read-only): the same settings give the same points."""
    return make_data(spec)


def data_for(spec: PlaygroundSpec) -> PlaygroundData:
    """The points for a spec (only the data fields matter for the cache).

    Raises:
        PlaygroundError: any setting of the spec no network can train with.
    """
    check_spec(spec)
    return _data(PlaygroundSpec(dataset=spec.dataset, noise=spec.noise,
                                train_percent=spec.train_percent, points=spec.points,
                                seed=spec.seed))


def error_text(error: PlaygroundError) -> str:
    return t(f"playground.error.{error.code}", **error.details)


# --- widgets -------------------------------------------------------------------

def data_ui() -> None:
    st.markdown(f"**{t('playground.data_header')}**")
    st.selectbox(t("playground.dataset"), DATASETS, key=key("data"),
                 format_func=lambda d: t(f"playground.dataset_{d}"))
    st.slider(t("playground.noise"), 0.0, 1.0, step=0.05, key=key("noise"),
              help=t("playground.noise_help"))
    st.slider(t("playground.train_ratio"), 10, 90, step=10, key=key("train"),
              format="%d%%")
    st.selectbox(t("playground.points"), POINTS, key=key("points"))
    st.number_input(t("playground.seed"), 0, MAX_SEED, key=key("seed"))
    st.button(t("playground.regenerate"), icon=":material/casino:",
              on_click=_next_seed, help=t("playground.regenerate_help"))


def _next_seed() -> None:
    SETTINGS.set("seed", (SETTINGS.get("seed") + 1) % MAX_SEED)


def features_ui() -> None:
    st.pills(t("playground.features"), FEATURES, selection_mode="multi",
             key=key("features"), format_func=FEATURE_LABELS.get,
             help=t("playground.features_help"))


def _change_layers(delta: int) -> None:
    hidden, acts = list(SETTINGS.get("hidden")), list(SETTINGS.get("acts"))
    if delta > 0 and len(hidden) < MAX_LAYERS:
        hidden.append(hidden[-1] if hidden else 4)
        acts.append(acts[-1] if acts else "tanh")
    elif delta < 0 and hidden:
        hidden.pop()
        acts.pop()
    SETTINGS.set("hidden", tuple(hidden))
    SETTINGS.set("acts", tuple(acts))


def _change_neurons(layer: int, delta: int) -> None:
    hidden = list(SETTINGS.get("hidden"))
    hidden[layer] = min(max(hidden[layer] + delta, 1), MAX_NEURONS)
    SETTINGS.set("hidden", tuple(hidden))


def _set_activation(layer: int) -> None:
    acts = list(SETTINGS.get("acts"))
    acts[layer] = st.session_state[f"pg_act_{layer}"]
    SETTINGS.set("acts", tuple(acts))


def network_editor_ui() -> None:
    """Add and remove hidden layers and neurons in place; one activation per layer."""
    hidden, acts = SETTINGS.get("hidden"), SETTINGS.get("acts")
    top = st.columns([3, 1, 1, 3], vertical_alignment="center")
    top[0].markdown(t("playground.hidden_count", count=len(hidden)))
    top[1].button(":material/add:", key="pg_add_layer", on_click=_change_layers,
                  args=(1,), disabled=len(hidden) >= MAX_LAYERS,
                  help=t("playground.add_layer"))
    top[2].button(":material/remove:", key="pg_remove_layer", on_click=_change_layers,
                  args=(-1,), disabled=not hidden, help=t("playground.remove_layer"))
    if not hidden:
        return
    columns = st.columns(len(hidden))
    for layer, (column, size) in enumerate(zip(columns, hidden, strict=True)):
        with column:
            st.caption(t("playground.layer_caption", number=layer + 1, size=size))
            plus, minus = st.columns(2, gap="small")
            plus.button(":material/add:", key=f"pg_add_{layer}",
                        on_click=_change_neurons, width="stretch",
                        args=(layer, 1), disabled=size >= MAX_NEURONS,
                        help=t("playground.add_neuron"))
            minus.button(":material/remove:", key=f"pg_remove_{layer}",
                         on_click=_change_neurons, args=(layer, -1), width="stretch",
                         disabled=size <= 1, help=t("playground.remove_neuron"))
            st.session_state[f"pg_act_{layer}"] = acts[layer]
            st.selectbox(t("playground.activation"), HIDDEN_ACTIVATIONS,
                         key=f"pg_act_{layer}", on_change=_set_activation,
                         args=(layer,), label_visibility="collapsed")


def training_ui() -> None:
    cols = st.columns(6)
    cols[0].selectbox(t("playground.optimizer"), OPTIMIZERS, key=key("optimizer"),
                      format_func=lambda o: t(f"playground.optimizer_{o}"))
    # Drop-downs, as in TensorFlow Playground (a select_slider here was seen
    # jumping to its first option when a live fragment and a click raced).
    cols[1].selectbox(t("playground.learning_rate"), LEARNING_RATES, key=key("lr"),
                      format_func=lambda v: f"{v:g}")
    cols[2].selectbox(t("playground.regularization"), REGULARIZATIONS, key=key("reg"),
                      format_func=lambda r: t(f"playground.reg_{r}"))
    cols[3].selectbox(t("playground.reg_rate"), REG_RATES, key=key("reg_rate"),
                      format_func=lambda v: f"{v:g}",
                      disabled=SETTINGS.get("reg") == "none")
    cols[4].selectbox(t("playground.dropout"), DROPOUTS, key=key("dropout"),
                      format_func=lambda v: f"{v:.0%}")
    cols[5].number_input(t("playground.batch"), 1, 100, key=key("batch"),
                         help=t("playground.batch_help"))


# --- the live job --------------------------------------------------------------

def current_job(spec: PlaygroundSpec, data: PlaygroundData):
    """This session's job for ``spec``: a new one (paused at epoch 0) whenever any
    setting changed, or after the server put an abandoned one away."""
    from core.playground_train import PlaygroundJob

    held = st.session_state.get(JOB)
    if held is not None and held.spec == spec and held.state != "stopped":
        return held
    if held is not None:
        held.stop()
    job = PlaygroundJob(spec, data)
    st.session_state[JOB] = job
    st.session_state.pop(RATE, None)
    return job


def reset_job() -> None:
    held = st.session_state.pop(JOB, None)
    if held is not None:
        held.stop()


def steps_per_second(snapshot) -> float | None:
    """Training speed over the last few frames (optimizer steps per second)."""
    now = time.monotonic()
    last = st.session_state.get(RATE)
    st.session_state[RATE] = (now, snapshot.steps, (last or (0, 0, None))[2])
    if snapshot.state not in ("playing", "waiting"):
        st.session_state[RATE] = (now, snapshot.steps, None)
        return None
    if last is None or now - last[0] < 0.05:
        return None if last is None else last[2]
    rate = (snapshot.steps - last[1]) / (now - last[0])
    st.session_state[RATE] = (now, snapshot.steps, rate)
    return rate
