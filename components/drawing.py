"""A drawing canvas that returns pixels and keeps the drawing across page visits.

Wraps streamlit-drawable-canvas (a Components v2 package). It is imported only
when a canvas is drawn: the package registers its files at import time, which
works inside ``streamlit run`` and AppTest but not in a bare interpreter.

The canvas keeps its strokes in the browser while it stays on screen. When the
user leaves the page and comes back, the widget is mounted afresh; we then hand
it the last drawing we saw, so nothing drawn is lost. While it stays mounted we
never feed its own output back (that would redraw it under the pen).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st


@dataclass(frozen=True)
class Pen:
    """How the canvas looks: ink on paper, and the pen's width in canvas pixels."""

    ink: str = "#000000"
    paper: str = "#ffffff"
    width: int = 14
    size: int = 280  # canvas side in pixels (MNIST's 28 × 10)


def drawing_canvas(key: str, pen: Pen = Pen()) -> np.ndarray | None:
    """Show the canvas; return the drawing as RGBA uint8 (size × size × 4).

    Returns None while nothing has been drawn (or the canvas was cleared).
    """
    from streamlit_drawable_canvas import st_canvas  # registers the component

    saved_json, saved_pixels = f"{key}__json", f"{key}__pixels"
    initial_key = f"{key}__initial"
    if key not in st.session_state:  # mounted afresh: restore the last drawing
        st.session_state[initial_key] = st.session_state.get(saved_json)
    st.space(40)  # the canvas' toolbar floats above it
    result = st_canvas(
        stroke_width=pen.width, stroke_color=pen.ink, background_color=pen.paper,
        height=pen.size, width=pen.size, drawing_mode="freedraw", key=key,
        return_image_data=True, initial_drawing=st.session_state[initial_key])
    objects = (result.json_data or {}).get("objects") or []
    pixels = result.image_data if result.json_data is not None else None
    if result.json_data is not None and (pixels is not None or not objects):
        st.session_state[saved_json] = result.json_data if objects else None
        st.session_state[saved_pixels] = pixels if objects else None
    return st.session_state.get(saved_pixels)


def digit_canvas(key: str, pen_key: str, help_text: str) -> np.ndarray | None:
    """A canvas for one digit beside its pen-width slider (6–40 px) and help.

    Args:
        key: the canvas' widget key.
        pen_key: the slider's key (a lesson setting, so it is in the URL).
        help_text: shown under the slider.
    """
    from components.i18n import t

    canvas_column, help_column = st.columns([1, 1], vertical_alignment="center")
    with help_column:
        width = st.slider(t("drawing.pen"), 6, 40, key=pen_key, step=2)
        st.caption(help_text)
    with canvas_column:
        return drawing_canvas(key, Pen(width=width))
