"""One look for every chart: a colour-blind-safe palette and a projector mode."""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

if TYPE_CHECKING:  # the home page uses this module but must not pay for plotly
    import plotly.graph_objects as go

# Okabe & Ito (2008): distinguishable with every common colour-vision deficiency.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9",
           "#F0E442", "#000000"]
POSITIVE, NEGATIVE = "#0072B2", "#D55E00"
PRESENTATION_KEY = "presentation"


def is_presentation() -> bool:
    """Whether the sidebar's presentation mode (large fonts, thick lines) is on."""
    return bool(st.session_state.get(PRESENTATION_KEY, False))


def line_width() -> float:
    return 5.0 if is_presentation() else 2.5


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def base_layout(height: int, top_margin: int = 40) -> dict:
    """Fonts, margins and size as one layout dict (presentation mode aware).

    Building a figure in one ``go.Figure(data, layout)`` call is ~7× faster than
    a chain of ``update_*`` calls, which matters for pages with many charts.
    """
    big = is_presentation()
    return {"height": int(height * (1.25 if big else 1.0)),
            "font": {"size": 22 if big else 14},
            "margin": {"l": 10, "r": 10, "t": top_margin, "b": 10},
            "hoverlabel": {"font_size": 20 if big else 13}}


def style_figure(fig: go.Figure, height: int = 420) -> go.Figure:
    """Apply fonts, margins and sizes (larger in presentation mode)."""
    big = is_presentation()
    fig.update_layout(
        **base_layout(height),
        legend={"orientation": "h", "y": -0.15, "font": {"size": 20 if big else 13}},
    )
    # Axis fonts explicitly: Streamlit's chart theme would otherwise keep them small.
    axis_font = {"tickfont": {"size": 20 if big else 12},
                 "title_font": {"size": 22 if big else 14}}
    fig.update_xaxes(zeroline=True, zerolinewidth=1.5, zerolinecolor="#888",
                     **axis_font)
    fig.update_yaxes(zeroline=True, zerolinewidth=1.5, zerolinecolor="#888",
                     **axis_font)
    return fig


# st.image arguments for our small pictures: full column width, sent as PNG
# (Streamlit's default re-encodes as JPEG, which blurs pixel-exact digits).
CRISP_IMAGE = {"width": "stretch", "output_format": "PNG"}
