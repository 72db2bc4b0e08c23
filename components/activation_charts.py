"""Plotly figures for the activations lesson. They take computed arrays; no maths."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from components.i18n import t
from components.plot_style import (
    NEGATIVE,
    POSITIVE,
    colour,
    figure,
    line_width,
    named_colorscale,
    styled_layout,
    trace,
)
from core.activation_analysis import LOW_GRADIENT, Curve


def activation_label(name: str) -> str:
    return t(f"act.{name}")


def _shade_trace(curve: Curve, index: int, y_low: float, y_high: float) -> dict:
    """Bands where |f′| < LOW_GRADIENT, as one filled trace with a legend entry."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for start, end in curve.low_gradient:
        xs += [start, start, end, end, start, None]
        ys += [y_low, y_high, y_high, y_low, y_low, None]
    return trace(
        "scatter", x=xs, y=ys, fill="toself", mode="none", fillcolor=colour(index),
        opacity=0.07, hoverinfo="skip", legendgroup=curve.name,
        name=t("act.chart.low_gradient", name=activation_label(curve.name),
               threshold=LOW_GRADIENT),
    )


def curves_figure(
    curves: list[Curve], show_derivative: bool, shade: bool,
    probe: dict | None = None, probe_index: int = 0,
) -> go.Figure:
    """f (solid) and f′ (dashed) of each curve, low-gradient bands, the probe."""
    values = [c.y for c in curves] + ([c.dy for c in curves] if show_derivative else [])
    y_low = float(min(np.min(v) for v in values))
    y_high = float(max(np.max(v) for v in values))
    pad = 0.05 * (y_high - y_low or 1.0)
    data = [_shade_trace(curve, index, y_low - pad, y_high + pad)
            for index, curve in enumerate(curves) if shade and curve.low_gradient]
    for index, curve in enumerate(curves):
        label = activation_label(curve.name)
        data.append(trace(
            "scatter", x=curve.x, y=curve.y, name=f"{label} f(x)",
            legendgroup=curve.name,
            line={"color": colour(index), "width": line_width()}))
        if show_derivative:
            data.append(trace(
                "scatter", x=curve.x, y=curve.dy, name=f"{label} f′(x)",
                legendgroup=curve.name,
                line={"color": colour(index), "width": line_width(), "dash": "dash"}))
    if probe is not None:
        data += _probe_traces(probe, probe_index, curves)
    return figure(data, styled_layout(
        460, xaxis={"title": {"text": "x"}},
        yaxis={"title": {"text": t("act.chart.y_axis")},
               "range": [y_low - pad, y_high + pad]}))


def _probe_traces(probe: dict, index: int, curves: list[Curve]) -> list[dict]:
    x_min, x_max = float(curves[0].x[0]), float(curves[0].x[-1])
    half = (x_max - x_min) / 8
    xs = np.array([max(x_min, probe["x"] - half), min(x_max, probe["x"] + half)])
    return [
        trace("scatter", x=xs, y=probe["intercept"] + probe["slope"] * xs,
              mode="lines", name=t("act.chart.tangent"),
              line={"color": "#555", "width": line_width() * 0.8, "dash": "dot"}),
        trace("scatter", x=[probe["x"]], y=[probe["y"]], mode="markers",
              name=t("act.chart.probe"),
              marker={"size": 14 + 4 * line_width(), "color": colour(index),
                      "line": {"color": "white", "width": 2}})]


def softmax_figure(logits: np.ndarray, probabilities: np.ndarray) -> go.Figure:
    """Logits z (left) and softmax(z / T) (right) as bars, one per class."""
    labels = [f"z{i + 1}" for i in range(logits.size)]
    # Two panels laid out by axis domains (make_subplots is slow to build).
    data = [
        trace("bar", x=labels, y=logits, name=t("softmax.chart.before"),
              marker_color=[POSITIVE if v >= 0 else NEGATIVE for v in logits],
              text=[f"{v:.2f}" for v in logits], textposition="outside"),
        trace("bar", x=labels, y=probabilities, name=t("softmax.chart.after"),
              xaxis="x2", yaxis="y2", marker_color=colour(2),
              text=[f"{p:.3f}" for p in probabilities], textposition="outside"),
    ]
    return figure(data, styled_layout(
        360, axes=("xaxis", "xaxis2", "yaxis", "yaxis2"), showlegend=False,
        xaxis={"domain": [0, 0.45]}, xaxis2={"domain": [0.55, 1], "anchor": "y2"},
        yaxis2={"anchor": "x2", "range": [0, 1.15]},
        annotations=[
            {"text": t("softmax.chart.before"), "x": 0.225, "y": 1.08,
             "xref": "paper", "yref": "paper", "showarrow": False},
            {"text": t("softmax.chart.after"), "x": 0.775, "y": 1.08,
             "xref": "paper", "yref": "paper", "showarrow": False}]))


def jacobian_figure(jacobian: np.ndarray) -> go.Figure:
    """The softmax Jacobian ∂y_i/∂z_j on a diverging colour scale centred at 0."""
    labels = [str(i + 1) for i in range(jacobian.shape[0])]
    limit = float(np.max(np.abs(jacobian))) or 1.0
    heatmap = trace(
        "heatmap", z=jacobian, x=[f"z{j}" for j in labels],
        y=[f"y{i}" for i in labels], zmin=-limit, zmax=limit,
        colorscale=named_colorscale("RdBu"), reversescale=True,
        text=np.round(jacobian, 3), texttemplate="%{text}",
        hovertemplate="∂%{y}/∂%{x} = %{z:.4f}<extra></extra>")
    return figure([heatmap], styled_layout(
        360, yaxis={"autorange": "reversed"},
        title={"text": t("softmax.chart.jacobian")}))
