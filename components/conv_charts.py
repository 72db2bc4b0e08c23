"""Plotly figures for the convolution lesson. They take computed arrays; no maths."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from components.plot_style import style_figure

GRAY = "gray"
DIVERGING = "RdBu"


def image_figure(array: np.ndarray, title: str, diverging: bool = False,
                 height: int = 340) -> go.Figure:
    """A picture or a feature map as a heatmap, pixels square, row 0 on top.

    Feature maps use a diverging scale centred on 0 (blue positive, red negative).
    """
    z = np.asarray(array, dtype=np.float32)
    limit = float(np.max(np.abs(z))) or 1.0
    heatmap = go.Heatmap(
        z=z, colorscale=DIVERGING if diverging else GRAY,
        zmin=-limit if diverging else 0.0, zmax=limit if diverging else 1.0,
        showscale=diverging,  # RdBu: negative red, positive blue
        hovertemplate="row %{y}, col %{x}: %{z:.3f}<extra></extra>")
    fig = go.Figure(heatmap)
    fig.update_yaxes(autorange="reversed", scaleanchor="x", showgrid=False,
                     zeroline=False)
    fig.update_xaxes(showgrid=False, zeroline=False, constrain="domain")
    fig.update_layout(title={"text": title, "font": {"size": 14}})
    return style_figure(fig, height=height)


def grid_figure(values: np.ndarray, title: str, window: tuple | None = None,
                padding_mask: np.ndarray | None = None,
                highlight: tuple[int, int] | None = None) -> go.Figure:
    """A small grid with every number written in its cell.

    Args:
        values: the grid.
        title: shown above it.
        window: ((row0, row1), (col0, col1)) drawn as a frame, [start, stop).
        padding_mask: True where a cell is padding (drawn hatched grey).
        highlight: one (row, col) cell to frame.
    """
    z = np.asarray(values, dtype=np.float64)
    limit = float(np.max(np.abs(z))) or 1.0
    text = np.vectorize(lambda v: f"{v:.2g}")(z)
    fig = go.Figure(go.Heatmap(
        z=z, text=text, texttemplate="%{text}", colorscale=DIVERGING,
        zmin=-limit, zmax=limit, showscale=False,
        xgap=2, ygap=2, hovertemplate="(%{y}, %{x}) = %{z:.4g}<extra></extra>"))
    if padding_mask is not None:
        rows, cols = np.nonzero(padding_mask)
        fig.add_trace(go.Scatter(
            x=cols, y=rows, mode="markers", hoverinfo="skip", showlegend=False,
            marker={"symbol": "square", "size": 26, "color": "rgba(150,150,150,0.45)",
                    "line": {"width": 0}}))
    if window is not None:
        (r0, r1), (c0, c1) = window
        fig.add_shape(type="rect", x0=c0 - 0.5, x1=c1 - 0.5, y0=r0 - 0.5,
                      y1=r1 - 0.5, line={"color": "#E69F00", "width": 4})
    if highlight is not None:
        r, c = highlight
        fig.add_shape(type="rect", x0=c - 0.5, x1=c + 0.5, y0=r - 0.5, y1=r + 0.5,
                      line={"color": "#E69F00", "width": 4})
    fig.update_yaxes(autorange="reversed", scaleanchor="x", showgrid=False,
                     zeroline=False, dtick=1)
    fig.update_xaxes(showgrid=False, zeroline=False, dtick=1, side="top")
    fig.update_layout(title={"text": title, "font": {"size": 14}})
    height = 60 + 34 * max(z.shape)
    return style_figure(fig, height=min(max(height, 220), 420))
