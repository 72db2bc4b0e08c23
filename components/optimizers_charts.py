"""Plotly figures of the optimizer lesson: the race on a contour map (animated on
the client with Plotly frames and a Play button), the loss per step, and the
mini-batch paths and losses of one neuron.

They take arrays and already translated text.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from components.plot_style import PALETTE, base_layout, line_width
from core.optimizers import RacePath, thin_path

COLOURS = {"sgd": PALETTE[3], "momentum": PALETTE[1], "rmsprop": PALETTE[2],
           "adam": PALETTE[4]}
BATCH_COLOURS = (PALETTE[0], PALETTE[1], PALETTE[3])
LOSS_FLOOR = 1e-6
MAX_FRAMES, MAX_DRAWN = 30, 120
_LEGEND = {"orientation": "h", "yanchor": "top", "y": -0.14, "x": 0}


def _layout(title: str, x_title: str, y_title: str, height: int = 460) -> dict:
    layout = base_layout(height, top_margin=44)
    layout.update(title={"text": title, "font": {"size": 15}}, legend=_LEGEND,
                  xaxis={"title": {"text": x_title, "standoff": 6}},
                  yaxis={"title": y_title})
    return layout


def _short(values: np.ndarray) -> list:
    """Nested lists with 4 significant digits: small JSON."""
    return [[float(f"{v:.4g}") for v in row] for row in values]


def _contour(xs: np.ndarray, ys: np.ndarray, z: np.ndarray, log_levels: bool,
             loss_name: str, x_name: str = "x", y_name: str = "y") -> dict:
    """Contours of f, or of log₁₀ f where the values span many decades."""
    z = np.nan_to_num(z, nan=1e30, posinf=1e30).astype(np.float32)  # compact JSON
    shown = np.log10(np.clip(z, LOSS_FLOOR, None)) if log_levels else z
    colorbar = {"title": {"text": ("log₁₀ " if log_levels else "") + loss_name,
                          "side": "right"}, "thickness": 14}
    # Plain lists, not typed arrays: Plotly's animate re-reads the contour and
    # drops a base64-encoded z (the map went blank on ▶ Play).
    # A dict: figures built with _validate=False skip plotly's slow checks.
    trace = {"type": "contour", "x": xs.tolist(), "y": ys.tolist(), "z": _short(shown),
             "colorscale": "Viridis", "ncontours": 28, "line": {"width": 0.5},
             "colorbar": colorbar, "name": loss_name,
             "hovertemplate": f"{x_name} = %{{x:.3f}}<br>{y_name} = %{{y:.3f}}<br>"
                              f"{loss_name} = "
                              f"%{{{'customdata' if log_levels else 'z'}:.4g}}"
                              "<extra></extra>"}
    if log_levels:
        trace["customdata"] = _short(z)
    return trace


def _markers(points, name: str, symbol: str, colour: str = "white") -> dict:
    return {"type": "scatter", "x": [float(p[0]) for p in points],
            "y": [float(p[1]) for p in points], "mode": "markers", "name": name,
            "marker": {"color": colour, "size": 14, "symbol": symbol,
                       "line": {"color": "black", "width": 1.5}}}


def _trail(points: np.ndarray, shown: np.ndarray, upto: int
           ) -> tuple[list[float], list[float]]:
    """The drawn points of a path up to step ``upto`` (and the point at it), as
    plain lists with 5 significant digits: Plotly's animate mishandles
    base64-encoded arrays (the contour vanished on ▶ Play)."""
    kept = shown[shown <= upto]
    last = min(upto, len(points) - 1)
    indices = [*kept.tolist(), last] if not kept.size or kept[-1] != last else kept
    trail = points[indices]
    return ([float(f"{v:.5g}") for v in trail[:, 0]],
            [float(f"{v:.5g}") for v in trail[:, 1]])


def drawable_length(points: np.ndarray, window) -> int:
    """How many points of a path to draw: all, or up to the first one that has
    left a box three times the window's size (a diverging run)."""
    width, height = window[1] - window[0], window[3] - window[2]
    outside = ((points[:, 0] < window[0] - width) | (points[:, 0] > window[1] + width)
               | (points[:, 1] < window[2] - height)
               | (points[:, 1] > window[3] + height))
    first = np.flatnonzero(outside)
    return int(first[0]) + 1 if first.size else len(points)


def race_figure(grid: tuple[np.ndarray, np.ndarray, np.ndarray], log_levels: bool,
                minima, saddles, paths: dict[str, RacePath], window,
                text: dict[str, str]) -> go.Figure:
    """The contour map, minima (and saddles), and every optimizer's path.

    The first view shows the whole race; Play replays it step by step in the
    browser (Plotly frames update only the path traces, not the contour).

    Args:
        grid: x values, y values, f on the grid. text: ``title, loss, minimum,
            saddle, start, play, pause, step`` and one name per optimizer.
    """
    data = [_contour(*grid, log_levels, text["loss"]), _markers(minima, text["minimum"],
                                                               "star")]
    if saddles:
        data.append(_markers(saddles, text["saddle"], "x"))
    first = next(iter(paths.values()))
    data.append(_markers(first.positions[:1], text["start"], "circle"))
    drawn = {name: path.positions[:drawable_length(path.positions, window)]
             for name, path in paths.items()}
    shown = {name: thin_path(points, MAX_DRAWN) for name, points in drawn.items()}
    longest = max(len(points) for points in drawn.values()) - 1
    moving = list(range(len(data), len(data) + len(paths)))
    for name, points in drawn.items():
        xs, ys = _trail(points, shown[name], longest)
        data.append({"type": "scatter", "x": xs, "y": ys, "mode": "lines+markers",
                     "name": text[name], "marker": {"size": 5},
                     "line": {"color": COLOURS[name], "width": line_width()}})
    steps = np.unique(np.linspace(0, longest, min(MAX_FRAMES, longest + 1))
                      .round().astype(int)) if longest > 0 else np.array([0])
    frames = []
    for step in steps:
        trails = [_trail(points, shown[name], step) for name, points in drawn.items()]
        # The contour rides along as an empty update with a full redraw: a
        # frame of scatter traces alone makes Plotly drop the contour layer.
        # Plain dicts, not validated: 30 frames of go.Scatter cost ~0.3 s.
        frames.append({"name": str(step), "traces": [0, *moving], "data": [
            {"type": "contour"},
            *({"type": "scatter", "x": xs, "y": ys} for xs, ys in trails)]})
    layout = _layout("", "x", "y", height=560)
    layout.pop("title")
    layout["margin"].update(t=10, b=70, l=56)  # animate forgets automargins
    layout["xaxis"].update(range=[window[0], window[1]], zeroline=False)
    layout["yaxis"].update(range=[window[2], window[3]], zeroline=False)
    layout["legend"] = {"orientation": "h", "x": 0, "y": 1.01, "yanchor": "bottom"}
    layout["updatemenus"] = [{
        "type": "buttons", "direction": "left", "x": 0, "y": 0, "xanchor": "left",
        "yanchor": "top", "pad": {"t": 48}, "showactive": False,
        "buttons": [
            {"label": "▶ " + text["play"], "method": "animate",
             "args": [None, {"frame": {"duration": 100, "redraw": True},
                             "transition": {"duration": 0}, "fromcurrent": False,
                             "mode": "immediate"}]},
            {"label": "❚❚ " + text["pause"], "method": "animate",
             "args": [[None], {"frame": {"duration": 0, "redraw": False},
                               "mode": "immediate"}]}]}]
    layout["sliders"] = [{
        "active": len(steps) - 1, "x": 0.22, "y": 0, "len": 0.78, "yanchor": "top",
        "pad": {"t": 36},
        "currentvalue": {"prefix": text["step"] + " "},
        "steps": [{"label": str(step), "method": "animate",
                   "args": [[str(step)], {"frame": {"duration": 0, "redraw": True},
                                          "mode": "immediate"}]}
                  for step in steps]}]
    return go.Figure(data, layout, frames, _validate=False)


def loss_steps_figure(paths: dict[str, RacePath], text: dict[str, str]) -> go.Figure:
    """f at every step for each optimizer, on a log scale."""
    data = []
    for name, path in paths.items():
        losses = np.clip(np.nan_to_num(path.losses, nan=1e30), LOSS_FLOOR, 1e30)
        data.append(go.Scatter(x=np.arange(len(losses)), y=losses, mode="lines",
                               name=text[name], line={"color": COLOURS[name],
                                                      "width": line_width()}))
    layout = _layout(text["title"], text["step"], text["loss"], height=380)
    layout["yaxis"].update(type="log", exponentformat="power")
    return go.Figure(data, layout)


def batch_paths_figure(grid: tuple[np.ndarray, np.ndarray, np.ndarray],
                       runs: list[tuple[str, np.ndarray]], best: tuple[float, float],
                       text: dict[str, str]) -> go.Figure:
    """MSE contours over (w, b) with one descent path per batch size."""
    data = [_contour(*grid, True, text["loss"], "w", "b")]
    for (name, weights), colour in zip(runs, BATCH_COLOURS, strict=False):
        keep = thin_path(weights, 600)
        drawn = weights[keep].astype(np.float32)
        data.append(go.Scatter(x=drawn[:, 0], y=drawn[:, 1],
                               mode="lines+markers", name=name,
                               line={"color": colour, "width": line_width() * 0.7},
                               marker={"size": 4}))
    data.append(_markers([best], text["best"], "star"))
    layout = _layout(text["title"], "w", "b", height=460)
    layout["xaxis"].update(range=[grid[0][0], grid[0][-1]], zeroline=False)
    layout["yaxis"].update(range=[grid[1][0], grid[1][-1]], zeroline=False)
    return go.Figure(data, layout)


def batch_loss_figure(runs: list[tuple[str, np.ndarray, np.ndarray, int]],
                      text: dict[str, str]) -> go.Figure:
    """Each batch's loss (thin line, x = epochs as fractions) and the full-data
    loss after every epoch (markers), per batch size, on a log scale."""
    data = []
    for (name, batch_losses, epoch_losses, per_epoch), colour in zip(
            runs, BATCH_COLOURS, strict=False):
        iterations = np.arange(1, len(batch_losses) + 1) / per_epoch
        data.append(go.Scatter(x=iterations, y=np.clip(batch_losses, 1e-3, None),
                               mode="lines",
                               name=text["per_iteration"].format(name=name),
                               line={"color": colour, "width": 1}, opacity=0.6))
        data.append(go.Scatter(x=np.arange(1, len(epoch_losses) + 1),
                               y=np.clip(epoch_losses, LOSS_FLOOR, None),
                               mode="lines+markers",
                               name=text["per_epoch"].format(name=name),
                               line={"color": colour, "width": line_width()},
                               marker={"size": 8}))
    layout = _layout(text["title"], text["epoch"], text["loss"], height=460)
    layout["yaxis"].update(type="log", exponentformat="power")
    layout["legend"] = {**_LEGEND, "y": -0.18}
    return go.Figure(data, layout)
