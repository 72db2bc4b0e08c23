"""Plotly figures for the convolution lesson. They take computed arrays; no maths.

Each figure is built in one unvalidated ``figure(data, layout)`` call: a page
draws up to thirteen of them, and Plotly's checks cost more than the maths.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from components.plot_style import base_layout, figure, named_colorscale, trace

GRAY = named_colorscale("gray")
DIVERGING = named_colorscale("RdBu")  # negative red, positive blue
_AXIS = {"showgrid": False, "zeroline": False, "constrain": "domain"}


def _title(text: str) -> dict:
    return {"text": text, "font": {"size": 14}}


def image_figure(array: np.ndarray, title: str, diverging: bool = False,
                 height: int = 340, picture: bool | None = None) -> go.Figure:
    """A picture or a feature map as a heatmap, pixels square, row 0 on top.

    Args:
        array: the values.
        title: shown above.
        diverging: a feature map: blue positive, red negative, centred on 0.
        height: in pixels.
        picture: values in [0, 1] (gray scale 0…1); default: not diverging.
            Otherwise a non-diverging map is scaled 0…max (e.g. |response|).
    """
    z = np.asarray(array, dtype=np.float32)
    picture = (not diverging) if picture is None else picture
    top = float(np.max(np.abs(z))) or 1.0
    low, high = (-top, top) if diverging else (0.0, 1.0 if picture else top)
    heatmap = trace(
        "heatmap", z=z, colorscale=DIVERGING if diverging else GRAY, zmin=low,
        zmax=high, showscale=not picture,
        hovertemplate="row %{y}, col %{x}: %{z:.3f}<extra></extra>")
    layout = base_layout(height)
    layout.update(title=_title(title), xaxis=_AXIS,
                  yaxis={**_AXIS, "autorange": "reversed", "scaleanchor": "x"})
    return figure([heatmap], layout)


def grid_figure(values: np.ndarray, title: str, window: tuple | None = None,
                padding_mask: np.ndarray | None = None,
                highlight: tuple[int, int] | None = None) -> go.Figure:
    """A small grid with every number written in its cell.

    Args:
        values: the grid.
        title: shown above it.
        window: ((row0, row1), (col0, col1)) drawn as a frame, [start, stop).
        padding_mask: True where a cell is padding (drawn shaded grey).
        highlight: one (row, col) cell to frame.
    """
    z = np.asarray(values, dtype=np.float64)
    limit = float(np.max(np.abs(z))) or 1.0
    text = [[f"{v:.2g}" for v in row] for row in z.tolist()]
    data = [trace(
        "heatmap", z=z, text=text, texttemplate="%{text}", colorscale=DIVERGING,
        zmin=-limit, zmax=limit, showscale=False, xgap=2, ygap=2,
        hovertemplate="(%{y}, %{x}) = %{z:.4g}<extra></extra>")]
    if padding_mask is not None:
        rows, cols = np.nonzero(padding_mask)
        data.append(trace(
            "scatter", x=cols, y=rows, mode="markers", hoverinfo="skip",
            showlegend=False,
            marker={"symbol": "square", "size": 26, "color": "rgba(150,150,150,0.45)",
                    "line": {"width": 0}}))
    frames = []
    if window is not None:
        (r0, r1), (c0, c1) = window
        frames.append((r0, r1, c0, c1))
    if highlight is not None:
        frames.append((highlight[0], highlight[0] + 1, highlight[1], highlight[1] + 1))
    shapes = [{"type": "rect", "x0": c0 - 0.5, "x1": c1 - 0.5, "y0": r0 - 0.5,
               "y1": r1 - 0.5, "line": {"color": "#E69F00", "width": 4}}
              for r0, r1, c0, c1 in frames]
    ticks = {**_AXIS, "tickmode": "array"}
    layout = base_layout(min(max(80 + 34 * max(z.shape), 240), 440), top_margin=80)
    layout.update(
        title=_title(title), shapes=shapes,
        xaxis={**ticks, "tickvals": list(range(z.shape[1])), "side": "top"},
        yaxis={**ticks, "tickvals": list(range(z.shape[0])), "autorange": "reversed",
               "scaleanchor": "x"})
    return figure(data, layout)
