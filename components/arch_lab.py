"""The calculator's settings and the three ways to give it a network.

A network is (input shape, layers). It comes from a preset, from the layer
editor (one row per layer: its Keras name and its call arguments) or from pasted
Keras code; whichever way, the pasted text is read by ``parse_keras_code``
(``ast``, never run). The last network that worked stays on screen when a new
one cannot be read.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from components.i18n import t
from components.url_state import LessonSettings
from core.architecture import ArchitectureError, LayerSpec
from core.keras_build import to_keras_code
from core.keras_parser import parse_keras_code
from core.layer_spec import LAYER_KINDS, layer_arguments
from core.presets import PRESETS

MODES = ("preset", "editor", "code")
Network = tuple[tuple, tuple[LayerSpec, ...]]


@dataclass(frozen=True)
class ArchSettings:
    """The lesson's defaults; every field is also a URL parameter."""

    mode: str = "preset"
    preset: str = "small_cnn"
    input: str = ""  # "32,32,3" in editor/code mode
    net: str = ""  # "Conv2D(10, 4, strides=2); Flatten(); Dense(10)"
    n: int = 7
    f: int = 3
    s: int = 1
    p: int = 0


DEFAULTS = ArchSettings()
ADVANCED: tuple[str, ...] = ()  # every control here is the lesson itself
SETTINGS = LessonSettings("arch", DEFAULTS, ADVANCED)
key = SETTINGS.key
LIMITS = {"n": (1, 4096), "f": (1, 64), "s": (1, 16), "p": (0, 64)}
EDITOR_COLUMNS = ("position", "layer", "arguments")


def shape_to_text(shape: tuple) -> str:
    return ", ".join("None" if d is None else str(d) for d in shape)


def read_network(code: str) -> Network:
    """Parse code; a missing input shape is an error here (the table needs it)."""
    shape, layers = parse_keras_code(code)
    if shape is None:
        raise ArchitectureError("bad_input_shape", shape="—")
    return tuple(shape), tuple(layers)


def restore_settings() -> Network | None:
    """Seed from the URL once; a network from the link becomes the editor's."""
    first_run = SETTINGS.restore(LIMITS, {"mode": MODES, "preset": tuple(PRESETS)})
    if first_run and SETTINGS.get("net") and SETTINGS.get("mode") != "preset":
        code = (f"Sequential([Input(shape=({SETTINGS.get('input')},)), "
                + ", ".join(part.strip() for part in SETTINGS.get("net").split(";")
                            if part.strip()) + "])")
        try:
            _load(read_network(code))
        except (ArchitectureError, SyntaxError):
            st.warning(t("problem.url_unreadable", name="net"),
                       icon=":material/link_off:")
    if "arch_network" not in st.session_state:
        _load(_preset_network(SETTINGS.get("preset")))
    return st.session_state["arch_network"]


def _preset_network(name: str) -> Network:
    preset = PRESETS[name]
    return tuple(preset.input_shape), tuple(preset.layers)


def _load(network: Network) -> None:
    """Make ``network`` the current one and the starting point of editor and code."""
    st.session_state["arch_network"] = network
    st.session_state["arch_editor_version"] = \
        st.session_state.get("arch_editor_version", 0) + 1
    st.session_state["arch_editor_base"] = pd.DataFrame(
        [(float(i + 1), spec.kind, layer_arguments(spec))
         for i, spec in enumerate(network[1])], columns=list(EDITOR_COLUMNS))
    st.session_state["arch_editor_input"] = shape_to_text(network[0])
    st.session_state["arch_code"] = to_keras_code(*network)


def _on_preset() -> None:
    _load(_preset_network(st.session_state[key("preset")]))


def _on_mode() -> None:
    """Carry the network on screen into the editor and the code box."""
    if not st.session_state.get(key("mode")):
        st.session_state[key("mode")] = "preset"  # a click on the chosen mode
    _load(st.session_state["arch_network"])


def _ensure_widget_values() -> None:
    """Widget values vanish when the page is left; rebuild them from the network."""
    network = st.session_state["arch_network"]
    if "arch_code" not in st.session_state:
        st.session_state["arch_code"] = to_keras_code(*network)
    if "arch_editor_input" not in st.session_state:
        st.session_state["arch_editor_input"] = shape_to_text(network[0])


def source_ui() -> tuple[Network | None, ArchitectureError | None]:
    """Mode switch and its input; returns the network read, or the reading error."""
    _ensure_widget_values()
    st.segmented_control(t("arch.mode"), MODES, key=key("mode"),
                         format_func=lambda m: t(f"arch.mode.{m}"),
                         selection_mode="single", on_change=_on_mode)
    mode = SETTINGS.get("mode") or "preset"
    if mode == "preset":
        st.selectbox(t("arch.preset"), tuple(PRESETS), key=key("preset"),
                     format_func=lambda p: t(f"preset.{p}"), on_change=_on_preset)
        preset = PRESETS[SETTINGS.get("preset")]
        st.caption(t(f"preset_note.{SETTINGS.get('preset')}",
                     source=t(f"source.{preset.source}")))
        network = _preset_network(SETTINGS.get("preset"))
        return network, None
    try:
        network = _editor_ui() if mode == "editor" else _code_ui()
    except ArchitectureError as error:
        return None, error
    return network, None


def _editor_ui() -> Network:
    """One row per layer; rows can be added, deleted, and moved by their number."""
    shape_text = st.text_input(t("arch.input_shape"), key="arch_editor_input",
                               help=t("arch.input_shape_help"))
    table = st.data_editor(
        st.session_state["arch_editor_base"], num_rows="dynamic", hide_index=True,
        key=f"arch_editor_{st.session_state['arch_editor_version']}",
        width="stretch",
        column_config={
            "position": st.column_config.NumberColumn(
                t("arch.col.position"), help=t("arch.col.position_help"),
                format="%g", width="small"),
            "layer": st.column_config.SelectboxColumn(
                t("arch.col.layer"), options=list(LAYER_KINDS), required=True),
            "arguments": st.column_config.TextColumn(
                t("arch.col.arguments"), help=t("arch.col.arguments_help")),
        })
    st.caption(t("arch.editor_help"))
    table = table.assign(order=range(len(table)))
    table = table.sort_values(["position", "order"], na_position="last")
    rows = [(kind, args if isinstance(args, str) else "")
            for kind, args in zip(table["layer"], table["arguments"], strict=True)
            if isinstance(kind, str) and kind]
    code = f"Sequential([\n    Input(shape=({shape_text},)),\n" + "".join(
        f"    {kind}({args}),\n" for kind, args in rows) + "])"
    try:
        return read_network(code)
    except ArchitectureError as error:
        line = error.details.get("line")
        if isinstance(line, int) and line > 2:  # code lines → the table's rows
            error.details["line"] = line - 2
        raise


def _code_ui() -> Network:
    """Pasted Keras code, read with ast; line numbers refer to the text area."""
    code = st.text_area(t("arch.code"), key="arch_code", height=260,
                        help=t("arch.code_help"))
    return read_network(code)


def publish(network: Network) -> None:
    """Mirror the shown network into the URL (presets by name)."""
    if SETTINGS.get("mode") in ("editor", "code"):
        SETTINGS.set("input", shape_to_text(network[0]).replace(" ", ""))
        SETTINGS.set("net", "; ".join(f"{spec.kind}({layer_arguments(spec)})"
                                      for spec in network[1]))
    else:
        SETTINGS.set("input", "")
        SETTINGS.set("net", "")
    SETTINGS.publish()
