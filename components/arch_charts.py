"""Plotly figures for the shape & parameter calculator; they take a Summary.

Each is built in one unvalidated ``figure(data, layout)`` call (see plot_style).
"""

from __future__ import annotations

import math

import plotly.graph_objects as go

from components.plot_style import PALETTE, base_layout, figure, trace
from core.architecture import Summary


def params_figure(summary: Summary, title: str, log_scale: bool) -> go.Figure:
    """Parameters per layer as horizontal bars, first layer on top."""
    rows = [row for row in summary.rows]
    names = [f"{row.index + 1}. {row.name}" for row in rows]
    values = [row.params for row in rows]
    largest = summary.largest_row
    colours = [PALETTE[3] if largest is not None and row.index == largest.index
               and row.params else PALETTE[0] for row in rows]
    bars = trace("bar", x=values, y=names, orientation="h", marker_color=colours,
                 text=[f"{v:,}" for v in values], textposition="outside",
                 cliponaxis=False, hovertemplate="%{y}: %{x:,} <extra></extra>")
    layout = base_layout(max(260, 28 * len(rows) + 90))
    layout.update(
        title={"text": title, "font": {"size": 14}},
        yaxis={"autorange": "reversed", "automargin": True},
        xaxis={"type": "log" if log_scale else "linear", "showgrid": True,
               "rangemode": "tozero"},
        margin={"l": 10, "r": 70, "t": 50, "b": 30})
    return figure([bars], layout)


def _box_size(shape: tuple) -> tuple[float, float]:
    """Height from the spatial size, width from the channels (both on log scales)."""
    known = [d or 1 for d in shape]
    if len(known) >= 3:
        height, channels = math.sqrt(known[0] * known[1]), known[-1]
    elif len(known) == 2:
        height, channels = known[0], known[1]
    else:
        height, channels = known[0], 1
    return 0.6 + math.log2(height + 1), 0.15 + 0.12 * math.log2(channels + 1)


def shape_flow_figure(summary: Summary, title: str) -> go.Figure:
    """Each layer's output as a block: tall = many positions, wide = many channels."""
    shapes = [("input", summary.input_shape)] + [
        (row.name, row.output_shape) for row in summary.rows]
    x, traces = 0.0, []
    tops = []
    crowded = len(shapes) > 10
    for index, (name, shape) in enumerate(shapes):
        height, width = _box_size(shape)
        colour = PALETTE[0] if len(shape) >= 3 else PALETTE[2]
        if index == 0:
            colour = "#888888"
        label = "×".join("?" if d is None else str(d) for d in shape)
        if crowded and index and shape == shapes[index - 1][1]:
            label = ""  # unchanged shape: no second label
        traces.append(trace(
            "scatter", x=[x, x + width, x + width, x, x],
            y=[-height / 2, -height / 2, height / 2, height / 2, -height / 2],
            fill="toself", mode="lines", line={"color": colour, "width": 1},
            fillcolor=colour, opacity=0.75, hoverinfo="text", showlegend=False,
            text=f"{name}: {label}"))
        tops.append((x + width / 2, height / 2, label, name))
        x += width + 0.45
    texts = trace(
        "scatter", x=[t[0] for t in tops], y=[t[1] + 0.35 for t in tops],
        text=[t[2] for t in tops], mode="text", textposition="top center",
        textfont={"size": 9 if crowded else 11}, hoverinfo="skip", showlegend=False)
    names = trace(
        "scatter", x=[t[0] for t in tops], y=[-t[1] - 0.35 for t in tops],
        text=["" if crowded else t[3] for t in tops], mode="text",
        textposition="bottom center",
        textfont={"size": 10, "color": "#555"}, hoverinfo="skip", showlegend=False)
    tallest = max(t[1] for t in tops)
    layout = base_layout(320)
    layout.update(
        title={"text": title, "font": {"size": 14}},
        xaxis={"visible": False, "range": [-0.5, x + 0.2]},
        yaxis={"visible": False, "range": [-tallest - 2.2, tallest + 2.2]},
        margin={"l": 10, "r": 10, "t": 50, "b": 10})
    return figure([*traces, texts, names], layout)
