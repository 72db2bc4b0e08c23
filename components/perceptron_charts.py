"""Plotly figures of the perceptron lesson. They take computed arrays; no maths.

Each figure is built in one unvalidated ``figure(data, layout)`` call: Plotly's
checks of every property cost more than drawing the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import plotly.graph_objects as go

from components.i18n import t
from components.plot_style import (
    NEGATIVE,
    POSITIVE,
    base_layout,
    colour,
    figure,
    line_width,
    named_colorscale,
    trace,
)

# Light versions of POSITIVE / NEGATIVE for the regions behind the points.
REGION_SCALE = [[0.0, "#F8D9C4"], [1.0, "#C6DDEE"]]
PROBABILITY_SCALE = [[0.0, "#D55E00"], [0.5, "#F7F7F7"], [1.0, "#0072B2"]]
VIRIDIS = named_colorscale("Viridis")


@dataclass
class Plane:
    """What a 2-D plane chart shows: a box, points by class, regions, lines."""

    box: tuple[float, float, float, float]
    points: np.ndarray
    labels: np.ndarray
    class_names: tuple[str, str] = ("y = 0", "y = 1")
    axis_titles: tuple[str, str] = ("x₁", "x₂")
    region: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    probability: bool = False
    lines: list[dict] = field(default_factory=list)
    highlight: np.ndarray | None = None
    equal_axes: bool = True
    marks: list[tuple[np.ndarray, str, str]] = field(default_factory=list)


def _axis(title: str, low: float, high: float) -> dict:
    return {"title": {"text": title}, "range": [low, high], "zeroline": False,
            "showgrid": True, "gridcolor": "#e6e6e6"}


def _region_trace(plane: Plane) -> dict:
    xs, ys, values = plane.region
    if plane.probability:
        return trace("heatmap", x=xs, y=ys, z=values, zmin=0, zmax=1,
                     colorscale=PROBABILITY_SCALE, opacity=0.55,
                     colorbar={"title": {"text": "p"}, "thickness": 12},
                     hovertemplate="x₁=%{x:.2f}<br>x₂=%{y:.2f}<br>p=%{z:.3f}"
                                   "<extra></extra>")
    return trace("heatmap", x=xs, y=ys, z=values, zmin=0, zmax=1,
                 colorscale=REGION_SCALE, showscale=False, hoverinfo="skip")


def plane_figure(plane: Plane, height: int = 420) -> go.Figure:
    """Points coloured by class (circles 1, squares 0) over the unit's regions."""
    data: list = [] if plane.region is None else [_region_trace(plane)]
    for line in plane.lines:
        data.append(trace(
            "scatter", x=line["x"], y=line["y"], mode="lines", name=line["name"],
            line={"color": line.get("color", "#222"), "width": line_width(),
                  "dash": line.get("dash", "solid")}))
    for value, name, marker_colour, symbol in (
            (1, plane.class_names[1], POSITIVE, "circle"),
            (0, plane.class_names[0], NEGATIVE, "square")):
        chosen = plane.points[plane.labels == value]
        data.append(trace(
            "scatter", x=chosen[:, 0], y=chosen[:, 1], mode="markers", name=name,
            marker={"color": marker_colour, "symbol": symbol,
                    "size": 14 if len(plane.points) < 10 else 8,
                    "line": {"color": "white", "width": 1.5}}))
    for index, (point, name, symbol) in enumerate(plane.marks):
        data.append(trace(
            "scatter", x=[point[0]], y=[point[1]], mode="markers", name=name,
            marker={"size": 20, "symbol": symbol, "color": colour(6 - index * 2),
                    "line": {"color": "#222", "width": 1.5}}))
    if plane.highlight is not None:
        data.append(trace(
            "scatter", x=[plane.highlight[0]], y=[plane.highlight[1]], mode="markers",
            name=t("perceptron.chart.current"), marker={
                "size": 30, "symbol": "circle-open", "color": "#222",
                "line": {"width": 3}}))
    layout = base_layout(height)
    x_lo, x_hi, y_lo, y_hi = plane.box
    layout.update(xaxis=_axis(plane.axis_titles[0], x_lo, x_hi),
                  yaxis=_axis(plane.axis_titles[1], y_lo, y_hi),
                  legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
                  plot_bgcolor="white")
    if plane.equal_axes:  # a square stays square; the plot shrinks, not the range
        layout["yaxis"].update(scaleanchor="x", constrain="domain")
        layout["xaxis"].update(constrain="domain", constraintoward=(
            "right" if plane.probability else "center"))
    return figure(data, layout)


def errors_figure(epoch_errors: Sequence[int], num_instances: int) -> go.Figure:
    """Mistakes in each epoch as bars: the rule has converged at a 0."""
    epochs = list(range(1, len(epoch_errors) + 1))
    bars = trace("bar", x=epochs, y=list(epoch_errors), marker_color=colour(1),
                 text=[str(n) for n in epoch_errors], textposition="outside",
                 hovertemplate=t("perceptron.chart.errors_hover") + "<extra></extra>")
    xaxis: dict = {"title": {"text": t("perceptron.chart.epoch")}}
    if len(epochs) <= 20:
        xaxis["dtick"] = 1
    layout = base_layout(230, top_margin=30)
    layout.update(
        title={"text": t("perceptron.chart.errors_title"), "font": {"size": 14}},
        xaxis=xaxis, yaxis={"range": [0, num_instances + 0.9], "dtick": 1},
        showlegend=False)
    return figure([bars], layout)


def network_figure(units: dict[str, tuple[np.ndarray, float]],
                   gate_names: dict[str, str]) -> go.Figure:
    """x₁, x₂ → OR, NAND → AND, each edge labelled with its learned weight."""
    nodes = {"x1": (0, 1.6), "x2": (0, 0.4), "or": (1, 1.6), "nand": (1, 0.4),
             "and": (2, 1.0)}
    names = {"x1": "x₁", "x2": "x₂", **gate_names}
    edges = [(src, dst, float(units[dst][0][i])) for dst in ("or", "nand")
             for i, src in enumerate(("x1", "x2"))]
    edges += [(src, "and", float(units["and"][0][i]))
              for i, src in enumerate(("or", "nand"))]
    data = []
    annotations = []
    for index, (src, dst, weight) in enumerate(edges):
        (x0, y0), (x1, y1) = nodes[src], nodes[dst]
        data.append(trace("scatter", x=[x0, x1], y=[y0, y1], mode="lines",
                          hoverinfo="skip", line={"color": "#999", "width": 2}))
        share = 0.3 if index % 2 == 0 else 0.7  # keep crossing labels apart
        annotations.append({"x": x0 + share * (x1 - x0), "y": y0 + share * (y1 - y0),
                            "text": f"{weight:g}", "showarrow": False,
                            "bgcolor": "white", "font": {"size": 13}})
    for key, (x, y) in nodes.items():
        if key in units:
            annotations.append({"x": x, "y": y - 0.32, "showarrow": False,
                                "text": f"b = {units[key][1]:g}", "font": {"size": 12}})
    data.append(trace(
        "scatter", x=[p[0] for p in nodes.values()], y=[p[1] for p in nodes.values()],
        mode="markers+text", text=[names[k] for k in nodes], hoverinfo="skip",
        textfont={"color": "white", "size": 13},
        marker={"size": 60, "color": [colour(5), colour(5), POSITIVE, POSITIVE,
                                      colour(2)]}))
    layout = base_layout(300, top_margin=10)
    hidden = {"visible": False}
    layout.update(xaxis={**hidden, "range": [-0.4, 2.4]},
                  yaxis={**hidden, "range": [-0.1, 2.0]}, showlegend=False,
                  annotations=annotations, plot_bgcolor="white")
    return figure(data, layout)


def curve_figure(series: dict[str, np.ndarray], title: str, x_title: str,
                 height: int = 260, log_y: bool = False) -> go.Figure:
    """A few lines over steps (e.g. the cost during training)."""
    data = [trace("scatter", y=values, mode="lines", name=name,
                  line={"color": colour(index), "width": line_width()})
            for index, (name, values) in enumerate(series.items())]
    layout = base_layout(height, top_margin=34)
    layout.update(title={"text": title, "font": {"size": 14}},
                  xaxis={"title": {"text": x_title}},
                  yaxis={"type": "log" if log_y else "linear"},
                  legend={"orientation": "h", "y": -0.3, "x": 0})
    return figure(data, layout)


def sigmoid_fit_figure(x: np.ndarray, y: np.ndarray, curve_x: np.ndarray,
                       probability: np.ndarray, step_output: np.ndarray,
                       x_title: str, class_names: tuple[str, str]) -> go.Figure:
    """The data at 0 / 1, the fitted σ(w·x + b) and step(w·x + b) for comparison."""
    rng = np.random.default_rng(0)  # jitter only spreads the dots for the eye
    jitter = rng.uniform(-0.03, 0.03, len(y))
    data = [trace("scatter", x=curve_x, y=step_output, mode="lines",
                  name=t("perceptron.chart.step_curve"),
                  line={"color": "#777", "width": line_width() * 0.7, "dash": "dot"}),
            trace("scatter", x=curve_x, y=probability, mode="lines",
                  name=t("perceptron.chart.sigmoid_curve"),
                  line={"color": colour(2), "width": line_width()})]
    for value, name, marker_colour in ((1, class_names[1], POSITIVE),
                                       (0, class_names[0], NEGATIVE)):
        mask = y == value
        data.append(trace("scatter", x=x[mask], y=y[mask] + jitter[mask],
                          mode="markers", name=name,
                          marker={"color": marker_colour, "size": 7, "opacity": 0.6}))
    layout = base_layout(380, top_margin=20)
    layout.update(xaxis={"title": {"text": x_title}},
                  yaxis={"title": {"text": "p = σ(w·x + b)"}, "range": [-0.1, 1.1]},
                  legend={"orientation": "h", "y": -0.22, "x": 0})
    return figure(data, layout)


def cost_contour_figure(w_values: np.ndarray, b_values: np.ndarray,
                        costs: np.ndarray, path: np.ndarray) -> go.Figure:
    """J(w, b) as contours (log-spaced colours) and the gradient-descent path."""
    data = [trace("contour", x=w_values, y=b_values, z=np.log10(costs),
                  colorscale=VIRIDIS, ncontours=24, opacity=0.85,
                  colorbar={"title": {"text": "log₁₀ J"}, "thickness": 12},
                  customdata=costs, hovertemplate="w=%{x:.2f}<br>b=%{y:.2f}"
                  "<br>J=%{customdata:.4f}<extra></extra>"),
            trace("scatter", x=path[:, 0], y=path[:, 1], mode="lines+markers",
                  name=t("perceptron.chart.descent_path"),
                  line={"color": "white", "width": line_width()},
                  marker={"size": 4, "color": "white"}),
            trace("scatter", x=path[[0, -1], 0], y=path[[0, -1], 1],
                  mode="markers+text",
                  text=[t("perceptron.chart.start"), t("perceptron.chart.end")],
                  textposition="top center", textfont={"color": "white"},
                  showlegend=False,
                  marker={"size": 13, "color": [NEGATIVE, POSITIVE],
                          "line": {"color": "white", "width": 2}})]
    layout = base_layout(380, top_margin=20)
    layout.update(xaxis={"title": {"text": "w"}}, yaxis={"title": {"text": "b"}},
                  legend={"orientation": "h", "y": -0.22, "x": 0})
    return figure(data, layout)


def hidden_weights_figure(W1s: np.ndarray, title: str, input_names: Sequence[str],
                          y_range: tuple[float, float]) -> go.Figure:
    """Each hidden unit's incoming weights over the steps: one colour per unit,
    solid for the first input, dotted for the second."""
    steps = np.arange(W1s.shape[0])
    data = []
    for unit in range(W1s.shape[2]):
        for feature, dash in zip(range(W1s.shape[1]), ("solid", "dot"), strict=False):
            data.append(trace(
                "scatter", x=steps, y=W1s[:, feature, unit], mode="lines",
                name=t("perceptron.chart.unit_weight", unit=unit + 1,
                       feature=input_names[feature]),
                # Thinner on top: lines that coincide still show every colour.
                line={"color": colour(unit), "dash": dash,
                      "width": line_width() * (1.9 - 0.45 * unit)}))
    layout = base_layout(340, top_margin=34)
    layout.update(title={"text": title, "font": {"size": 14}},
                  xaxis={"title": {"text": t("perceptron.chart.gd_step")}},
                  yaxis={"title": {"text": t("perceptron.chart.weight")},
                         "range": list(y_range)},
                  legend={"orientation": "h", "y": -0.3, "x": 0, "font": {"size": 11}})
    return figure(data, layout)
