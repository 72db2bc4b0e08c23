"""Plotly figures for the smallest neural network: the line over the points, the
loss surface over (w, b) with the descent path, the loss curve and w, b per epoch.

They take arrays and already translated text; each is built in one unvalidated
``figure(data, layout)`` call because the live view redraws them twice a second
and Plotly's checks of every property would cost more than the drawing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from components.plot_style import (
    PALETTE,
    base_layout,
    figure,
    line_width,
    named_colorscale,
    trace,
)

POINTS, NEURON, BEST, PREDICTION = PALETTE[0], PALETTE[3], "#555555", PALETTE[2]
W_COLOUR, B_COLOUR = PALETTE[0], PALETTE[1]
LOSS_FLOOR = 1e-8  # log scales cannot show a loss of exactly 0
_LEGEND = {"orientation": "h", "yanchor": "top", "y": -0.26, "x": 0}
VIRIDIS = named_colorscale("Viridis")


def _layout(title: str, x_title: str, y_title: str, height: int = 380,
            **extra: object) -> dict:
    layout = base_layout(height, top_margin=44)
    layout.update(title={"text": title, "font": {"size": 15}}, legend={**_LEGEND},
                  xaxis={"title": {"text": x_title, "standoff": 6}, "zeroline": True,
                         "zerolinecolor": "#999"},
                  yaxis={"title": {"text": y_title}, "zeroline": True,
                         "zerolinecolor": "#999"})
    layout.update(extra)
    return layout


def line_figure(x: Sequence[float], y: Sequence[float], best: tuple[float, float],
                neuron: tuple[float, float] | None, x_new: float | None,
                prediction: float | None, text: dict[str, str]) -> go.Figure:
    """The points, the least-squares line and the neuron's line ŷ = w·x + b.

    The y axis is fixed by the points and the best line, so a diverging neuron's
    line leaves the picture instead of squashing it.

    Args:
        best: least squares (w, b). neuron: the neuron's (w, b), or None.
        x_new, prediction: the new x and predict([x_new]) once trained.
        text: ``title, x, y, points, best, neuron, prediction``.
    """
    xs = [*x, *([x_new] if prediction is not None else [])]
    low, high = min(xs), max(xs)
    pad = 0.08 * (high - low) + 0.5
    grid = np.array([low - pad, high + pad])
    w_best, b_best = best
    ys = [*y, *(w_best * grid + b_best), *([prediction] if prediction else [])]
    y_pad = 0.1 * (max(ys) - min(ys)) + 0.5
    data = [trace("scatter", x=grid, y=w_best * grid + b_best, mode="lines",
                  name=text["best"], line={"color": BEST, "dash": "dash",
                                           "width": line_width() * 0.8})]
    if neuron is not None and all(math.isfinite(v) for v in neuron):
        data.append(trace("scatter", x=grid, y=neuron[0] * grid + neuron[1],
                          mode="lines", name=text["neuron"],
                          line={"color": NEURON, "width": line_width()}))
    data.append(trace("scatter", x=list(x), y=list(y), mode="markers",
                      name=text["points"], marker={"color": POINTS, "size": 11}))
    if prediction is not None and x_new is not None:
        data.append(trace("scatter", x=[x_new], y=[prediction], mode="markers+text",
                          name=text["prediction"], text=[f"{prediction:.3f}"],
                          textposition="middle left",
                          marker={"color": PREDICTION, "size": 16, "symbol": "star"}))
    layout = _layout(text["title"], text["x"], text["y"])
    layout["yaxis"]["range"] = [min(ys) - y_pad, max(ys) + y_pad]
    layout["xaxis"]["range"] = [grid[0], grid[1]]
    return figure(data, layout)


def _log_ticks(low: float, high: float) -> tuple[list[int], list[str]]:
    powers = list(range(math.floor(low), math.ceil(high) + 1))
    step = max(1, len(powers) // 6)
    kept = powers[::step]
    return kept, [f"{10.0 ** p:g}" for p in kept]


def surface_figure(w_values: np.ndarray, b_values: np.ndarray, loss: np.ndarray,
                   path_w: Sequence[float], path_b: Sequence[float],
                   best: tuple[float, float], current: int | None,
                   text: dict[str, str]) -> go.Figure:
    """Contours of log₁₀(loss) over (w, b), the optimum and the descent path.

    Args:
        loss: (len(b_values), len(w_values)) exact MSE on the grid.
        path_w, path_b: (w, b) epoch by epoch (non-finite entries are dropped).
        current: index into the path to mark, or None.
        text: ``title, w, b, loss, best, path, start, current``.
    """
    loss = np.clip(np.nan_to_num(loss, nan=1e300), LOSS_FLOOR, 1e300)  # JSON-safe
    z = np.log10(loss)
    tickvals, ticktext = _log_ticks(float(z.min()), float(z.max()))
    data = [trace(
        "contour", x=w_values, y=b_values, z=z, customdata=loss, colorscale=VIRIDIS,
        ncontours=22, line={"width": 0.5},
        colorbar={"title": {"text": text["loss"], "side": "right"},
                  "tickvals": tickvals, "ticktext": ticktext, "thickness": 14},
        hovertemplate=f"w = %{{x:.3f}}<br>b = %{{y:.3f}}<br>{text['loss']} = "
                      "%{customdata:.4g}<extra></extra>", name=text["loss"])]
    keep = [i for i, (w, b) in enumerate(zip(path_w, path_b, strict=True))
            if math.isfinite(w) and math.isfinite(b)]
    if keep:
        pw, pb = [path_w[i] for i in keep], [path_b[i] for i in keep]
        data += [trace("scatter", x=pw, y=pb, mode="lines+markers", name=text["path"],
                       line={"color": "white", "width": line_width() * 0.7},
                       marker={"color": NEURON, "size": 4 if len(pw) > 40 else 8}),
                 trace("scatter", x=pw[:1], y=pb[:1], mode="markers",
                       name=text["start"],
                       marker={"color": "white", "size": 12, "symbol": "circle",
                               "line": {"color": "black", "width": 1.5}})]
        if current is not None and current in keep:
            data.append(trace(
                "scatter", x=[path_w[current]], y=[path_b[current]], mode="markers",
                name=text["current"], marker={"color": NEURON, "size": 15,
                                              "line": {"color": "white", "width": 2}}))
    data.append(trace("scatter", x=[best[0]], y=[best[1]], mode="markers",
                      name=text["best"],
                      marker={"color": "white", "size": 14, "symbol": "x",
                              "line": {"color": "black", "width": 1.5}}))
    layout = _layout(text["title"], text["w"], text["b"])
    layout["legend"] = {**_LEGEND, "entrywidth": 0.5, "entrywidthmode": "fraction"}
    layout["xaxis"].update(range=[w_values[0], w_values[-1]], zeroline=False)
    layout["yaxis"].update(range=[b_values[0], b_values[-1]], zeroline=False)
    return figure(data, layout)


def loss_figure(epochs: Sequence[int], losses: Sequence[float], current: int | None,
                text: dict[str, str]) -> go.Figure:
    """Keras' loss per epoch on a log scale (non-finite and zero losses dropped).

    Args:
        current: the epoch to mark, or None. text: ``title, epoch, loss``.
    """
    shown = [(e, v) for e, v in zip(epochs, losses, strict=True)
             if math.isfinite(v) and v > 0]
    xs, ys = [e for e, _ in shown], [v for _, v in shown]
    data = [trace("scatter", x=xs, y=ys, mode="lines", name=text["loss"],
                  line={"color": NEURON, "width": line_width()})]
    marked = [(e, v) for e, v in shown if e == current]
    if marked:
        data.append(trace("scatter", x=[marked[0][0]], y=[marked[0][1]],
                          mode="markers", name=text["loss"], showlegend=False,
                          marker={"color": NEURON, "size": 12}))
    layout = _layout(text["title"], text["epoch"], text["loss"], showlegend=False)
    layout["yaxis"].update(type="log", exponentformat="power", zeroline=False)
    return figure(data, layout)


def weights_figure(epochs: Sequence[int], w: Sequence[float], b: Sequence[float],
                   best: tuple[float, float], current: int | None,
                   text: dict[str, str]) -> go.Figure:
    """w and b epoch by epoch, with the least-squares values as dashed targets.

    Args:
        text: ``title, epoch, value, w, b, w_best, b_best``.
    """
    data = []
    for values, colour, name, target, target_name in (
            (w, W_COLOUR, text["w"], best[0], text["w_best"]),
            (b, B_COLOUR, text["b"], best[1], text["b_best"])):
        data.append(trace("scatter", x=list(epochs), y=list(values), mode="lines",
                          name=name, line={"color": colour, "width": line_width()}))
        ends = [min(epochs, default=1), max(epochs, default=1)]
        data.append(trace("scatter", x=ends, y=[target, target], mode="lines",
                          name=target_name,
                          line={"color": colour, "width": 1.2, "dash": "dash"}))
    if current is not None and current in epochs:
        index = list(epochs).index(current)
        data.append(trace("scatter", x=[current, current], y=[w[index], b[index]],
                          mode="markers", showlegend=False,
                          marker={"color": [W_COLOUR, B_COLOUR], "size": 11}))
    return figure(data, _layout(text["title"], text["epoch"], text["value"]))
