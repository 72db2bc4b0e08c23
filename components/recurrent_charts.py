"""Plotly figures of the recurrent-networks lesson: the unrolled RNN, the loss
curves, the forecasts against the truth, and gradient norms through time."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from components.plot_style import base_layout, colour, line_width, style_figure
from core.recurrent import RnnStep

SHARED = {"w_aa": "#D55E00", "w_ax": "#0072B2", "w_ya": "#009E73"}
KIND_COLOURS = {"simple_rnn": colour(0), "gru": colour(1), "lstm": colour(2),
                "naive": "#777777", "numpy": colour(4)}


def _vector(values: np.ndarray) -> str:
    return "[" + ", ".join(f"{v:.2f}" for v in np.ravel(values)) + "]"


def unrolled_figure(steps: Sequence[RnnStep], current: int,
                    text: dict[str, str]) -> go.Figure:
    """One cell per time step; the shared W_aa, W_ax, W_ya arrows in the same
    colours in every copy; the current step t highlighted, later ones faded."""
    shapes, notes = [], []
    count = len(steps)

    def arrow(x0, y0, x1, y1, color, label, faded, lx, ly):
        notes.append({"x": x1, "y": y1, "ax": x0, "ay": y0, "xref": "x", "yref": "y",
                      "axref": "x", "ayref": "y", "showarrow": True, "arrowhead": 3,
                      "arrowwidth": 2.5, "arrowcolor": color, "opacity": faded,
                      "text": ""})
        notes.append({"x": lx, "y": ly, "text": label, "showarrow": False,
                      "font": {"color": color, "size": 13}, "opacity": faded})

    for step in steps:
        x = 2.0 * step.t
        done = step.t <= current
        faded = 1.0 if done else 0.25
        shapes.append({"type": "rect", "x0": x - 0.55, "x1": x + 0.55, "y0": -0.45,
                       "y1": 0.45, "line": {"width": 4 if step.t == current else 1.5,
                                            "color": "#333"},
                       "fillcolor": "#FFF3D6" if step.t == current else "#F4F4F4",
                       "opacity": faded})
        notes.append({"x": x, "y": 0.12, "text": f"tanh<br>a⟨{step.t}⟩",
                      "showarrow": False, "opacity": faded})
        notes.append({"x": x, "y": -0.22,
                      "text": _vector(step.a) if done else "?", "showarrow": False,
                      "font": {"size": 11}, "opacity": faded})
        arrow(x, -1.35, x, -0.48, SHARED["w_ax"], "W_ax, b_a", faded, x + 0.45, -0.95)
        notes.append({"x": x, "y": -1.55, "text": f"x⟨{step.t}⟩ = "
                      f"{_vector(step.x)}", "showarrow": False, "opacity": faded})
        arrow(x, 0.48, x, 1.3, SHARED["w_ya"], "W_ya, b_y", faded, x + 0.45, 0.9)
        notes.append({"x": x, "y": 1.5, "text": f"ŷ⟨{step.t}⟩ = "
                      f"{step.y_hat:.3f}" if done else f"ŷ⟨{step.t}⟩",
                      "showarrow": False, "opacity": faded})
        arrow(x - 1.45, 0.0, x - 0.58, 0.0, SHARED["w_aa"], "W_aa", faded, x - 1.0,
              0.22)
    notes.append({"x": 0.55, "y": 0.0, "text": "a⟨0⟩ = 0 ", "showarrow": False,
                  "xanchor": "right"})
    layout = base_layout(330, top_margin=40)
    layout.update(title={"text": text["title"]}, shapes=shapes, annotations=notes,
                  xaxis={"visible": False, "range": [-0.5, 2 * count + 0.8]},
                  yaxis={"visible": False, "range": [-1.8, 1.75]},
                  plot_bgcolor="white", showlegend=False)
    return go.Figure(layout=layout)


def loss_figure(history: dict[str, Sequence[tuple[float, float]]],
                names: dict[str, str], text: dict[str, str]) -> go.Figure:
    """Training (solid) and validation (dotted) loss per epoch, one colour a model."""
    traces = []
    for kind, records in history.items():
        if not records:
            continue
        epochs = list(range(1, len(records) + 1))
        for index, (suffix, dash) in enumerate(((text["train"], "solid"),
                                                (text["val"], "dot"))):
            values = [r[index] if math.isfinite(r[index]) else None for r in records]
            traces.append(go.Scatter(x=epochs, y=values, mode="lines+markers",
                                     name=f"{names[kind]} {suffix}",
                                     line={"color": KIND_COLOURS[kind], "dash": dash,
                                           "width": line_width()}))
    fig = go.Figure(traces)
    fig.update_layout(title=text["title"], xaxis_title=text["epoch"],
                      yaxis_title=text["loss"], yaxis_type="log")
    fig.update_yaxes(exponentformat="power", dtick=1)  # one tick a decade
    style_figure(fig, 380)
    fig.update_layout(legend_y=-0.25)
    return fig


def forecast_figure(x_axis: Sequence, values: np.ndarray, boundaries: tuple[int, int],
                    test_index: np.ndarray, forecasts: dict[str, np.ndarray],
                    names: dict[str, str], text: dict[str, str]) -> go.Figure:
    """The whole series, the validation and test parts shaded, and every model's
    one-step forecast of the test part."""
    x_axis = list(x_axis)
    traces = [go.Scatter(x=x_axis, y=values, mode="lines", name=text["truth"],
                         line={"color": "#222", "width": line_width() * 0.7})]
    test_x = [x_axis[i] for i in test_index]
    for kind, forecast in forecasts.items():
        traces.append(go.Scatter(x=test_x, y=forecast, mode="lines", name=names[kind],
                                 line={"color": KIND_COLOURS[kind],
                                       "width": line_width(),
                                       "dash": "dot" if kind == "naive" else "solid"}))
    fig = go.Figure(traces)
    for start, end, label, fill in (
            (boundaries[0], boundaries[1], text["val"], "#E69F00"),
            (boundaries[1], len(values) - 1, text["test"], "#777777")):
        fig.add_vrect(x0=x_axis[start], x1=x_axis[end], fillcolor=fill,
                      opacity=0.12, line_width=0, annotation_text=label,
                      annotation_position="top left")
    fig.update_layout(title=text["title"], xaxis_title=text["x"],
                      yaxis_title=text["y"])
    style_figure(fig, 440)
    fig.update_layout(legend_y=-0.22)
    return fig


def gradient_figure(curves: dict[str, tuple[str, np.ndarray, bool]],
                    text: dict[str, str]) -> go.Figure:
    """‖∂a⟨T⟩/∂x⟨T−k⟩‖ against k on a log axis: name → (colour key, norms,
    dotted), dotted for models at initialisation."""
    traces = []
    for name, (kind, norms, dotted) in curves.items():
        norms = np.asarray(norms, dtype=float)
        shown = np.where(norms > 1e-30, norms, np.nan)  # a log axis cannot show 0
        traces.append(go.Scatter(x=np.arange(len(norms)), y=shown,
                                 mode="lines+markers", name=name,
                                 line={"color": KIND_COLOURS[kind],
                                       "dash": "dot" if dotted else "solid",
                                       "width": line_width()},
                                 marker={"size": 4}))
    fig = go.Figure(traces)
    fig.update_layout(title=text["title"], xaxis_title=text["k"],
                      yaxis_title=text["norm"], yaxis_type="log", showlegend=True)
    fig.update_yaxes(exponentformat="power")
    style_figure(fig, 420)
    fig.update_layout(legend_y=-0.22)
    return fig
