"""Charts of the "classify an image" lesson: top-k probabilities and where the
model looked (occlusion sensitivity)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from components.plot_style import NEGATIVE, PALETTE, POSITIVE, base_layout
from core.imaging import encode_png

_HIDDEN = {"visible": False, "showgrid": False, "zeroline": False}


def picture_png(pixels: np.ndarray, side: int = 168) -> bytes:
    """A small picture enlarged to about ``side`` pixels, without blur."""
    pixels = np.asarray(pixels, dtype=np.uint8)
    scale = max(1, side // max(pixels.shape[:2]))
    big = np.repeat(np.repeat(pixels, scale, axis=0), scale, axis=1)
    return encode_png(big)


def topk_figure(names: Sequence[str], probabilities: Sequence[float],
                title: str) -> go.Figure:
    """Horizontal bars, the most probable class on top, with percentages."""
    values = [float(p) for p in probabilities][::-1]
    labels = list(names)[::-1]
    colours = [PALETTE[1]] * (len(values) - 1) + [PALETTE[0]]
    layout = base_layout(60 + 38 * len(values))
    layout.update(title={"text": title, "x": 0, "font": {"size": 15}},
                  xaxis={"range": [0, 1.12], "tickformat": ".0%", "showgrid": True},
                  yaxis={"automargin": True, "type": "category"}, showlegend=False,
                  bargap=0.25)
    return go.Figure(
        data=[go.Bar(x=values, y=labels, orientation="h", marker_color=colours,
                     text=[f"{v:.1%}" for v in values], textposition="outside",
                     cliponaxis=False, hovertemplate="%{y}: %{x:.2%}<extra></extra>")],
        layout=layout)


def occlusion_figure(drop: np.ndarray, title: str, colour_title: str) -> go.Figure:
    """The probability drop per pixel: blue = hiding it hurt the prediction (the
    model used it), red = hiding it helped; centred on 0, pixels square."""
    values = np.asarray(drop, dtype=np.float64)
    top = float(np.max(np.abs(values))) or 1.0
    heatmap = go.Heatmap(
        z=values, zmin=-top, zmax=top, zmid=0,
        colorscale=[[0, NEGATIVE], [0.5, "#ffffff"], [1, POSITIVE]],
        colorbar={"title": {"text": colour_title}, "tickformat": ".0%"},
        hovertemplate="%{z:.1%}<extra></extra>")
    layout = base_layout(340)
    layout.update(title={"text": title, "x": 0, "font": {"size": 15}},
                  xaxis=_HIDDEN, yaxis={**_HIDDEN, "autorange": "reversed",
                                        "scaleanchor": "x"})
    return go.Figure(data=[heatmap], layout=layout)
