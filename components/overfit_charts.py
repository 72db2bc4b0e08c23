"""Plotly figures for the overfitting lesson: polynomial fits, the U curve, the
loss curves of several runs, the network's fitted curve, weight histograms and
the L1 diamond vs L2 circle. They take arrays and already translated text; each
is one ``go.Figure(data, layout)`` call (the live view redraws two of them)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from components.plot_style import PALETTE, base_layout, line_width

TRUE_COLOUR, POINTS_COLOUR, VAL_COLOUR = "#555555", "#000000", "#BBBBBB"
Y_RANGE = [-2.2, 2.2]  # wild fits leave the picture instead of squashing it
_LEGEND = {"orientation": "h", "yanchor": "top", "y": -0.2, "x": 0}


def _layout(title: str, x_title: str, y_title: str, height: int = 400,
            **extra: object) -> dict:
    layout = base_layout(height, top_margin=44)
    layout.update(title={"text": title, "font": {"size": 15}}, legend=_LEGEND,
                  xaxis={"title": {"text": x_title, "standoff": 6}},
                  yaxis={"title": y_title})
    layout.update(extra)
    return layout


def _points(x_train: np.ndarray, y_train: np.ndarray, x_val: np.ndarray,
            y_val: np.ndarray, grid: np.ndarray, truth: np.ndarray,
            text: dict[str, str]) -> list:
    return [
        go.Scatter(x=x_val, y=y_val, mode="markers", name=text["val"],
                   marker={"color": VAL_COLOUR, "size": 4}),
        go.Scatter(x=grid, y=truth, mode="lines", name=text["truth"],
                   line={"color": TRUE_COLOUR, "dash": "dash", "width": 1.5}),
        go.Scatter(x=x_train, y=y_train, mode="markers", name=text["train"],
                   marker={"color": POINTS_COLOUR, "size": 10,
                           "line": {"color": "white", "width": 1}}),
    ]


def fits_figure(data: tuple, grid: np.ndarray, truth: np.ndarray,
                fits: Sequence[tuple[str, np.ndarray]], text: dict[str, str]
                ) -> go.Figure:
    """The points, the true curve and each (label, values on grid) fit.

    Args:
        data: (x_train, y_train, x_val, y_val).
        text: ``title, x, y, train, val, truth``.
    """
    traces = _points(*data, grid, truth, text)
    for index, (label, values) in enumerate(fits):
        traces.insert(-1, go.Scatter(x=grid, y=values, mode="lines", name=label,
                                     line={"color": PALETTE[[3, 2, 0][index % 3]],
                                           "width": line_width()}))
    return go.Figure(traces, _layout(text["title"], text["x"], text["y"], 430,
                                     yaxis={"title": text["y"], "range": Y_RANGE}))


def u_curve_figure(degrees: Sequence[int], train: Sequence[float],
                   val: Sequence[float], best: int, chosen: int,
                   text: dict[str, str]) -> go.Figure:
    """Training and validation MSE against the degree (log scale)."""
    traces = [
        go.Scatter(x=list(degrees), y=list(train), mode="lines+markers",
                   name=text["train"], line={"color": PALETTE[0],
                                             "width": line_width()}),
        go.Scatter(x=list(degrees), y=list(val), mode="lines+markers",
                   name=text["val"], line={"color": PALETTE[3],
                                           "width": line_width()}),
    ]
    shapes = [{"type": "line", "x0": x, "x1": x, "yref": "paper", "y0": 0, "y1": 1,
               "line": {"color": colour, "dash": dash, "width": 1.5}}
              for x, colour, dash in ((best, PALETTE[2], "dot"),
                                      (chosen, "#888", "dash"))]
    annotations = [{"x": best, "yref": "paper", "y": 1.0, "text": text["best"],
                    "showarrow": False, "yanchor": "bottom",
                    "font": {"color": PALETTE[2]}}]
    return go.Figure(traces, _layout(
        text["title"], text["x"], text["y"], 430, shapes=shapes,
        annotations=annotations, xaxis={"title": text["x"], "dtick": 1},
        yaxis={"title": text["y"], "type": "log", **_log_ticks([*train, *val])}))


def _log_ticks(values: Sequence[float]) -> dict:
    """Ticks 1, 2, 5 × 10ᵏ written out in full (0.05, not Plotly's bare "5")."""
    finite = [v for v in values if v > 0 and np.isfinite(v)]
    if not finite:  # nothing trained yet: an empty 0.01 … 1 axis
        return {"range": [-2, 0]}
    low, high = np.floor(np.log10(min(finite))), np.ceil(np.log10(max(finite)))
    steps = (1, 2, 5) if high - low <= 3 else (1,)  # wide ranges: powers only
    ticks = [m * 10.0 ** k for k in range(int(low), int(high) + 1) for m in steps]
    return {"tickvals": ticks, "ticktext": [f"{v:g}" for v in ticks]}


def loss_figure(runs: Sequence[dict], marks: dict | None, text: dict[str, str]
                ) -> go.Figure:
    """loss (dashed) and val_loss (solid) per epoch, one colour per run.

    Args:
        runs: dicts with ``label, epochs, loss, val_loss, colour``; the last one
            is the current run (drawn thicker).
        marks: ``best`` and optional ``stop`` epochs of EarlyStopping, or None.
        text: ``title, x, y, loss, val_loss, best, stop``.
    """
    traces = []
    for index, run in enumerate(runs):
        current = index == len(runs) - 1
        width = line_width() * (1.0 if current else 0.8)
        for name, dash in (("loss", "dot"), ("val_loss", "solid")):
            traces.append(go.Scatter(  # arrays: Plotly sends them as binary
                x=np.asarray(run["epochs"]), y=np.asarray(run[name]), mode="lines",
                legendgroup=run["label"],
                name=f"{run['label']} · {text[name]}",
                line={"color": run["colour"], "dash": dash, "width": width},
                opacity=1.0 if current else 0.75))
    shapes, annotations = [], []
    for name, colour in (("best", PALETTE[2]), ("stop", PALETTE[3])):
        if marks and marks.get(name):
            shapes.append({"type": "line", "x0": marks[name], "x1": marks[name],
                           "yref": "paper", "y0": 0, "y1": 1,
                           "line": {"color": colour, "dash": "dash", "width": 1.5}})
            annotations.append({"x": marks[name], "yref": "paper",
                                "y": 1.0 if name == "best" else 0.92,
                                "text": text[name], "showarrow": False,
                                "xanchor": "left", "font": {"color": colour}})
    return go.Figure(traces, _layout(
        text["title"], text["x"], text["y"], 440, shapes=shapes,
        annotations=annotations, legend={**_LEGEND, "y": -0.18},
        yaxis={"title": text["y"], "type": "log", **_log_ticks(
            [v for run in runs for v in (*run["loss"], *run["val_loss"])])}))


def network_fit_figure(data: tuple, grid: np.ndarray, truth: np.ndarray,
                       prediction: np.ndarray | None, text: dict[str, str]
                       ) -> go.Figure:
    """The points, the true curve and the network's current curve."""
    traces = _points(*data, grid, truth, text)
    if prediction is not None:
        traces.insert(-1, go.Scatter(x=grid, y=prediction, mode="lines",
                                     name=text["network"],
                                     line={"color": PALETTE[3],
                                           "width": line_width()}))
    return go.Figure(traces, _layout(text["title"], text["x"], text["y"], 440,
                                     yaxis={"title": text["y"], "range": Y_RANGE}))


def histogram_figure(values: Sequence[tuple[str, np.ndarray, str]],
                     text: dict[str, str]) -> go.Figure:
    """Overlaid histograms of weights, one (label, values, colour) per run."""
    everything = np.concatenate([v for _, v, _ in values])
    edge = float(np.abs(everything).max()) or 1.0
    size = 2 * edge / 60
    traces = [go.Histogram(x=v, name=label, opacity=0.6,
                           marker={"color": colour},
                           xbins={"start": -edge, "end": edge + size, "size": size})
              for label, v, colour in values]
    return go.Figure(traces, _layout(text["title"], text["x"], text["y"], 400,
                                     barmode="overlay"))


def constraint_figure(w1: np.ndarray, w2: np.ndarray, loss: np.ndarray, t: float,
                      centre: np.ndarray, points: dict[str, tuple[np.ndarray, float]],
                      text: dict[str, str]) -> go.Figure:
    """Loss contours with the diamond |w₁|+|w₂| ≤ t, the circle w₁²+w₂² ≤ t², the
    constrained minimum on each and the contour through it (where it touches).

    Args:
        points: ``{"l1_point": (w, loss), "l2_point": (w, loss)}``.
    """
    angles = np.linspace(0, 2 * np.pi, 181)
    traces = [
        go.Contour(x=w1, y=w2, z=loss, colorscale=[[0, "#9a9a9a"], [1, "#d0d0d0"]],
                   contours={"coloring": "lines", "showlabels": True,
                             "labelfont": {"size": 10, "color": "#777"}},
                   ncontours=16, showscale=False, name=text["loss"],
                   hoverinfo="skip", line={"width": 1}),
        go.Scatter(x=t * np.cos(angles), y=t * np.sin(angles), mode="lines",
                   fill="toself", fillcolor="rgba(0,114,178,0.12)",
                   name=text["circle"], line={"color": PALETTE[0], "width": 2.5}),
        go.Scatter(x=[t, 0, -t, 0, t], y=[0, t, 0, -t, 0], mode="lines",
                   fill="toself", fillcolor="rgba(213,94,0,0.15)",
                   name=text["diamond"], line={"color": PALETTE[3], "width": 2.5}),
        go.Scatter(x=[centre[0]], y=[centre[1]], mode="markers", name=text["centre"],
                   marker={"color": "black", "size": 11, "symbol": "x"}),
    ]
    for (name, (point, level)), colour in zip(points.items(), (PALETTE[3],
                                                               PALETTE[0]),
                                              strict=True):
        # The contour through the optimum: the ellipse that just touches the region.
        traces.append(go.Contour(
            x=w1, y=w2, z=loss, showscale=False, hoverinfo="skip", showlegend=False,
            contours={"coloring": "none", "start": level, "end": level, "size": 1},
            line={"color": colour, "width": 1.5, "dash": "dash"}))
        traces.append(go.Scatter(
            x=[point[0]], y=[point[1]], mode="markers", name=text[name],
            marker={"color": colour, "size": 15, "symbol": "star",
                    "line": {"color": "white", "width": 1}}))
    return go.Figure(traces, _layout(
        text["title"], "w₁", "w₂", 520,
        xaxis={"title": "w₁", "range": [w1[0], w1[-1]], "zeroline": True,
               "zerolinecolor": "#444", "constrain": "domain"},
        yaxis={"title": "w₂", "range": [w2[0], w2[-1]], "scaleanchor": "x",
               "zeroline": True, "zerolinecolor": "#444", "constrain": "domain"}))
