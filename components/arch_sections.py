"""Sections of the shape & parameter calculator: one layer, the summary, Keras."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.arch_lab import Network, key
from components.i18n import t
from core.architecture import (
    ArchitectureError,
    ShapeError,
    Summary,
    SummaryRow,
    describe_shape,
    layer_label,
    summarize,
)
from core.spatial_rules import conv_size

MIB = 1024 * 1024


def error_text(error: ArchitectureError) -> str:
    """The error in the session's language (hints translated too)."""
    details = dict(error.details)
    if "hint_code" in details:
        details["hint"] = t(f"arch_hint.{details['hint_code']}")
    if "expected_code" in details:
        details["expected"] = t(f"arch_expected.{details['expected_code']}",
                                **details)
    return t(f"arch_error.{error.code}", **details)


def one_layer_ui() -> None:
    """n, f, s, p → ⌊(n + 2p − f)/s⌋ + 1, with "same" and "valid" explained."""
    cols = st.columns(4)
    names = ("n", "f", "s", "p")
    bounds = {"n": (1, 4096), "f": (1, 64), "s": (1, 16), "p": (0, 64)}
    values = {}
    for column, name in zip(cols, names, strict=True):
        low, high = bounds[name]
        values[name] = column.number_input(t(f"one.{name}"), low, high, step=1,
                                           key=key(name))
    size, window, stride, pad = (values[name] for name in names)
    padded = size + 2 * pad
    out = (padded - window) // stride + 1
    formula = (f"⌊({size} + 2·{pad} − {window}) / {stride}⌋ + 1 = "
               f"⌊{padded - window} / {stride}⌋ + 1 = {out}")
    if out < 1:
        st.error(t("one.too_small", formula=formula, padded=padded, f=window),
                 icon=":material/error:")
    else:
        st.markdown(t("one.result", formula=formula, out=out))
    same, _ = conv_size(size, window, stride, "same")
    valid, _ = conv_size(size, window, stride, "valid")
    st.caption(t("one.same_valid", same=same, valid=max(valid or 0, 0),
                 pad=(window - 1) / 2, f=window))


def draw_walkthrough(summary: Summary) -> None:
    """The documents' exercise 2, one layer at a time, arithmetic shown."""
    lines = []
    for row in summary.rows:
        lines.append(t("walk.step", number=row.index + 1, layer=_call(row),
                       arithmetic=row.shape_formula,
                       shape="×".join(map(str, row.output_shape))))
    st.markdown("\n".join(lines))
    st.markdown(t("walk.answer", shape=describe_shape(summary.output_shape)))


def _call(row: SummaryRow) -> str:
    return f"`{row.kind}`"


def summary_table(summary: Summary, error: ShapeError | None) -> pd.DataFrame:
    """Rows like ``model.summary()`` plus the formulas; a refused layer last."""
    records = [{
        "#": row.index + 1,
        t("table.layer"): f"{row.name} ({row.kind})",
        t("table.output"): describe_shape(row.output_shape),
        t("table.params"): f"{row.params:,}",
        t("table.formula"): row.formula,
        t("table.shape_formula"): row.shape_formula,
        t("table.macs"): f"{row.macs:,}",
    } for row in summary.rows]
    if error is not None:
        records.append({"#": error.layer_index + 1,
                        t("table.layer"): error.details.get("layer", "?"),
                        t("table.output"): "✗", t("table.params"): "",
                        t("table.formula"): t("table.refused"),
                        t("table.shape_formula"): error.details.get("arithmetic", ""),
                        t("table.macs"): ""})
    return pd.DataFrame.from_records(records)


def draw_summary(summary: Summary, error: ShapeError | None) -> None:
    """The table, the largest layer in bold, the refused layer in red."""
    table = summary_table(summary, error)
    largest = summary.largest_row
    failed = len(summary.rows) if error is not None else None

    def _style(row: pd.Series) -> list[str]:
        if row.name == failed:
            return ["background-color: #fde0dc; color: #8b1a00"] * len(row)
        if largest is not None and largest.params and row.name == largest.index:
            return ["font-weight: bold; background-color: #fff3d6"] * len(row)
        return [""] * len(row)

    right = {"text-align": "right"}
    styled = table.style.apply(_style, axis=1).set_properties(
        subset=[t("table.params"), t("table.macs")], **right)
    st.dataframe(styled, hide_index=True, width="stretch", key="arch_summary")


def draw_totals(summary: Summary) -> None:
    cols = st.columns(3)
    cols[0].metric(t("total.params"), f"{summary.total_params:,}")
    cols[1].metric(t("total.trainable"), f"{summary.trainable_params:,}")
    cols[2].metric(t("total.non_trainable"), f"{summary.non_trainable_params:,}")
    cols = st.columns(3)
    cols[0].metric(t("total.weights_memory"), _megabytes(summary.param_bytes),
                   help=t("total.weights_memory_help"))
    cols[1].metric(t("total.activations"), _megabytes(summary.activation_bytes),
                   help=t("total.activations_help"))
    cols[2].metric(t("total.macs_label"), _large(summary.total_macs),
                   help=t("total.macs", macs=f"{summary.total_macs:,}"))
    largest = summary.largest_row
    if largest is not None and summary.total_params:
        share = largest.params / summary.total_params
        st.info(t("total.largest", layer=f"{largest.name} ({largest.kind})",
                  params=f"{largest.params:,}", share=f"{share:.0%}"),
                icon=":material/bar_chart:")
    for row in summary.rows:
        if row.note:
            st.info(t(f"arch_note.{row.note}", layer=layer_label(row.index, row),
                      shape=describe_shape(row.output_shape)),
                    icon=":material/lightbulb:")


def _large(count: int) -> str:
    """15,470,264,320 → 15.5 G (the exact number is in the help)."""
    for size, unit in ((10**9, "G"), (10**6, "M"), (10**3, "k")):
        if count >= size:
            return f"{count / size:,.1f} {unit}"
    return f"{count:,}"


def _megabytes(count: int) -> str:
    if count < MIB:
        return f"{count / 1024:,.1f} KB"
    return f"{count / MIB:,.1f} MB"


@st.cache_data(max_entries=16, show_spinner=False)
def keras_rows(input_shape: tuple, code: str, total: int) -> tuple[list, str]:
    """Build the real Keras model; its rows (name, shape, params, trainable,
    non-trainable) and its own summary text. Cached per network for the server."""
    from components.arch_lab import read_network
    from components.keras_loader import load_keras
    from core.keras_build import build_keras_model

    load_keras()  # one import for the server, threads configured
    network = read_network(code)
    names = [row.name for row in summarize(*network).rows]
    model = build_keras_model(*network, param_count=total, names=names)
    rows = []
    for name in names:
        layer = model.get_layer(name)
        shape = tuple(layer.output.shape[1:])
        trainable = sum(int(w.numpy().size) for w in layer.trainable_weights)
        fixed = sum(int(w.numpy().size) for w in layer.non_trainable_weights)
        rows.append((layer.name, shape, layer.count_params(), trainable, fixed))
    lines: list[str] = []
    model.summary(print_fn=lambda line, *args, **kwargs: lines.append(line),
                  line_length=100)
    return rows, "\n".join(lines)


def draw_keras_check(summary: Summary, code: str) -> None:
    """Keras' own numbers beside ours, with a ✓ per row that agrees."""
    try:
        with st.spinner(t("keras.building")):
            rows, text = keras_rows(summary.input_shape, code, summary.total_params)
    except ArchitectureError as error:
        st.error(error_text(error), icon=":material/block:")
        return
    except Exception as error:  # noqa: BLE001 — Keras' own refusal, shown as is
        st.error(t("keras.refused", message=str(error).splitlines()[0]),
                 icon=":material/block:")
        return
    records, agree = [], 0
    for ours, theirs in zip(summary.rows, rows, strict=False):
        same = (tuple(ours.output_shape) == theirs[1] and ours.params == theirs[2]
                and ours.trainable == theirs[3] and ours.non_trainable == theirs[4])
        agree += same
        records.append({"#": ours.index + 1, t("keras.ours"): ours.name,
                        t("table.output"): describe_shape(ours.output_shape),
                        t("keras.keras_shape"): describe_shape(theirs[1]),
                        t("table.params"): f"{ours.params:,}",
                        t("keras.keras_params"): f"{theirs[2]:,}",
                        "✓": "✓" if same else "✗"})
    st.dataframe(pd.DataFrame.from_records(records), hide_index=True, width="stretch")
    if agree == len(summary.rows) == len(rows):
        st.success(t("keras.all_agree", count=agree), icon=":material/check_circle:")
    else:
        st.error(t("keras.disagree", count=len(summary.rows) - agree),
                 icon=":material/error:")
    with st.expander(t("keras.own_summary")):
        st.code(text, language=None)


def summarize_ui(network: Network | None, read_error: ArchitectureError | None
                 ) -> tuple[Network, Summary, ShapeError | None]:
    """Summarize what was read; on any error say why and keep what still works.

    A network that cannot be read is replaced by the last one that worked; a
    network Keras would refuse keeps its good rows, and the refused layer is
    shown in red at the end of the table.
    """
    if read_error is not None:
        st.error(error_text(read_error), icon=":material/error:")
        st.caption(t("arch.showing_last_good"))
        network = st.session_state["arch_network"]
    try:
        summary = summarize(*network)
    except ShapeError as error:
        st.error(error_text(error), icon=":material/error:")
        return network, Summary(tuple(network[0]), error.rows), error
    except ArchitectureError as error:
        st.error(error_text(error), icon=":material/error:")
        network = st.session_state["arch_network"]
        summary = summarize(*network)
    st.session_state["arch_network"] = network
    return network, summary, None
