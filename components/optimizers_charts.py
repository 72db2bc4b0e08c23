"""Plotly figures of the optimizer lesson: the race on a contour map (animated on
the client with Plotly frames and a Play button), the loss per step, and the
mini-batch paths and losses of one neuron.

They take arrays and already translated text.
"""

from __future__ import annotations

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
from core.optimizers import RacePath, thin_path

COLOURS = {"sgd": PALETTE[3], "momentum": PALETTE[1], "rmsprop": PALETTE[2],
           "adam": PALETTE[4]}
BATCH_COLOURS = (PALETTE[0], PALETTE[1], PALETTE[3])
LOSS_FLOOR = 1e-6
VIRIDIS = named_colorscale("Viridis")
MAX_FRAMES, MAX_DRAWN = 30, 120
_LEGEND = {"orientation": "h", "yanchor": "top", "y": -0.14, "x": 0}


def _layout(title: str, x_title: str, y_title: str, height: int = 460) -> dict:
    layout = base_layout(height, top_margin=44)
    layout.update(title={"text": title, "font": {"size": 15}}, legend=_LEGEND,
                  xaxis={"title": {"text": x_title, "standoff": 6}},
                  yaxis={"title": {"text": y_title}})
    return layout


def significant(values: np.ndarray, digits: int = 4) -> np.ndarray:
    """``values`` rounded to ``digits`` significant digits, as float64 that
    print as short as ``f"{v:.4g}"`` does in JSON; vectorised (formatting a
    91×91 grid value by value cost ~20 ms a chart).

    >>> significant(np.array([3.14159, -0.000123456, 98765.4, 0.0, 8.05312e-21])
    ...             ).tolist()
    [3.142, -0.0001235, 98770.0, 0.0, 8.053e-21]
    """
    values = np.asarray(values, dtype=np.float64)
    scaled = np.isfinite(values) & (values != 0)
    exponent = np.floor(np.log10(np.abs(np.where(scaled, values, 1.0))))
    shift = np.where(scaled, digits - 1 - exponent, 0).astype(int)
    exact = np.abs(shift) <= 22  # powers of ten up to 1e22 are exact doubles
    # Multiply or divide by an exact power of ten, never by an inexact 10^-k.
    up = np.power(10.0, np.clip(shift, 0, 22))
    down = np.power(10.0, np.clip(-shift, 0, 22))
    rounded = np.where(exact, np.round(values * up / down) * down / up, values)
    for index in zip(*np.nonzero(~exact), strict=True):  # rare: |x| < 1e-19 …
        rounded[index] = float(f"{values[index]:.{digits}g}")
    return rounded


def _short(values: np.ndarray) -> list:
    """Nested lists with 4 significant digits: small JSON."""
    return significant(values).tolist()


def _contour(xs: np.ndarray, ys: np.ndarray, z: np.ndarray, log_levels: bool,
             loss_name: str, x_name: str = "x", y_name: str = "y",
             animated: bool = True) -> dict:
    """Contours of f, or of log₁₀ f where the values span many decades."""
    z = np.nan_to_num(z, nan=1e30, posinf=1e30).astype(np.float32)  # compact JSON
    shown = np.log10(np.clip(z, LOSS_FLOOR, None)) if log_levels else z
    colorbar = {"title": {"text": ("log₁₀ " if log_levels else "") + loss_name,
                          "side": "right"}, "thickness": 14}
    # Animated: plain lists, not typed arrays: Plotly's animate re-reads the
    # contour and drops a base64-encoded z (the map went blank on ▶ Play).
    # Otherwise float32 arrays, which cost far less to copy and encode.
    def values(array: np.ndarray):
        return _short(array) if animated else array.astype(np.float32)

    contour = {"type": "contour", "x": xs.tolist(), "y": ys.tolist(),
               "z": values(shown), "colorscale": VIRIDIS, "ncontours": 28,
               "line": {"width": 0.5}, "colorbar": colorbar, "name": loss_name,
               "hovertemplate": f"{x_name} = %{{x:.3f}}<br>{y_name} = %{{y:.3f}}<br>"
                                f"{loss_name} = "
                                f"%{{{'customdata' if log_levels else 'z'}:.4g}}"
                                "<extra></extra>"}
    if log_levels:
        contour["customdata"] = values(z)
    return contour


def _markers(points, name: str, symbol: str, colour: str = "white") -> dict:
    return {"type": "scatter", "x": [float(p[0]) for p in points],
            "y": [float(p[1]) for p in points], "mode": "markers", "name": name,
            "marker": {"color": colour, "size": 14, "symbol": symbol,
                       "line": {"color": "black", "width": 1.5}}}


def _trail(points: np.ndarray, shown: np.ndarray, upto: int
           ) -> tuple[list[float], list[float]]:
    """The drawn points of a path up to step ``upto`` (and the point at it), as
    plain lists: Plotly's animate mishandles base64-encoded arrays (the contour
    vanished on ▶ Play). ``points`` are already rounded (``significant``)."""
    kept = shown[shown <= upto]
    last = min(upto, len(points) - 1)
    indices = [*kept.tolist(), last] if not kept.size or kept[-1] != last else kept
    trail = points[indices]
    return trail[:, 0].tolist(), trail[:, 1].tolist()


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
    drawn = {name: significant(path.positions[:drawable_length(path.positions,
                                                                window)], 5)
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
    race = figure(data, layout)
    # Figure(frames=…) validates every frame's traces even with _validate=False
    # (~0.15 s for 30 frames): set the frames as given, unvalidated Frames.
    race._frame_objs = tuple(go.Frame(frame, _validate=False) for frame in frames)
    return race


def loss_steps_figure(paths: dict[str, RacePath], text: dict[str, str]) -> go.Figure:
    """f at every step for each optimizer, on a log scale."""
    data = []
    for name, path in paths.items():
        losses = np.clip(np.nan_to_num(path.losses, nan=1e30), LOSS_FLOOR, 1e30)
        data.append(trace("scatter", x=np.arange(len(losses)), y=losses,
                          mode="lines", name=text[name],
                          line={"color": COLOURS[name], "width": line_width()}))
    layout = _layout(text["title"], text["step"], text["loss"], height=380)
    layout["yaxis"].update(type="log", exponentformat="power")
    return figure(data, layout)


def batch_paths_figure(grid: tuple[np.ndarray, np.ndarray, np.ndarray],
                       runs: list[tuple[str, np.ndarray]], best: tuple[float, float],
                       text: dict[str, str]) -> go.Figure:
    """MSE contours over (w, b) with one descent path per batch size."""
    data = [_contour(*grid, True, text["loss"], "w", "b", animated=False)]
    for (name, weights), colour in zip(runs, BATCH_COLOURS, strict=False):
        keep = thin_path(weights, 600)
        drawn = weights[keep].astype(np.float32)
        data.append(trace("scatter", x=drawn[:, 0], y=drawn[:, 1],
                          mode="lines+markers", name=name,
                          line={"color": colour, "width": line_width() * 0.7},
                          marker={"size": 4}))
    data.append(_markers([best], text["best"], "star"))
    layout = _layout(text["title"], "w", "b", height=460)
    layout["xaxis"].update(range=[grid[0][0], grid[0][-1]], zeroline=False)
    layout["yaxis"].update(range=[grid[1][0], grid[1][-1]], zeroline=False)
    return figure(data, layout)


def batch_loss_figure(runs: list[tuple[str, np.ndarray, np.ndarray, int]],
                      text: dict[str, str]) -> go.Figure:
    """Each batch's loss (thin line, x = epochs as fractions) and the full-data
    loss after every epoch (markers), per batch size, on a log scale."""
    data = []
    for (name, batch_losses, epoch_losses, per_epoch), colour in zip(
            runs, BATCH_COLOURS, strict=False):
        iterations = np.arange(1, len(batch_losses) + 1) / per_epoch
        data.append(trace("scatter", x=iterations,
                          y=np.clip(batch_losses, 1e-3, None), mode="lines",
                          name=text["per_iteration"].format(name=name),
                          line={"color": colour, "width": 1}, opacity=0.6))
        data.append(trace("scatter", x=np.arange(1, len(epoch_losses) + 1),
                          y=np.clip(epoch_losses, LOSS_FLOOR, None),
                          mode="lines+markers",
                          name=text["per_epoch"].format(name=name),
                          line={"color": colour, "width": line_width()},
                          marker={"size": 8}))
    layout = _layout(text["title"], text["epoch"], text["loss"], height=460)
    layout["yaxis"].update(type="log", exponentformat="power")
    layout["legend"] = {**_LEGEND, "y": -0.18}
    return figure(data, layout)
