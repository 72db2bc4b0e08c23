"""Digits drawn the way students draw them, shared by the tests."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

CANVAS = 280  # the drawing canvas' side (MNIST's 28 × 10)


def draw_digit(digit: str, pen: int = 22) -> Image.Image:
    """A digit drawn on the 280 × 280 canvas the way a student draws it: big,
    roughly centred, a thick black pen."""
    picture = Image.new("L", (CANVAS, CANVAS), 255)
    draw = ImageDraw.Draw(picture)
    if digit == "1":
        draw.line((145, 45, 135, 235), fill=0, width=pen)
    elif digit == "0":
        draw.ellipse((85, 45, 195, 235), outline=0, width=pen)
    elif digit == "7":
        draw.line((70, 60, 210, 60), fill=0, width=pen)
        draw.line((210, 60, 130, 235), fill=0, width=pen)
    elif digit == "4":
        draw.line((170, 50, 170, 235), fill=0, width=pen)
        draw.line((90, 50, 80, 160), fill=0, width=pen)
        draw.line((80, 160, 210, 160), fill=0, width=pen)
    elif digit == "2":
        draw.arc((85, 45, 195, 150), start=180, end=40, fill=0, width=pen)
        draw.line((185, 120, 85, 230), fill=0, width=pen)
        draw.line((85, 230, 205, 230), fill=0, width=pen)
    elif digit == "3":
        draw.arc((85, 45, 195, 140), start=200, end=90, fill=0, width=pen)
        draw.arc((80, 135, 200, 235), start=270, end=160, fill=0, width=pen)
    else:
        raise ValueError(digit)
    return picture


def paper() -> np.ndarray:
    """An empty canvas as streamlit-drawable-canvas returns it: white RGBA."""
    return np.full((280, 280, 4), 255, np.uint8)


def drawn_seven() -> np.ndarray:
    """Black strokes of a "7": a bar at the top and a slanted leg."""
    canvas = paper()
    canvas[60:80, 60:220, :3] = 0
    for row in range(160):
        canvas[80 + row, 200 - row // 2:220 - row // 2, :3] = 0
    return canvas
