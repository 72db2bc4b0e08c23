"""Pictures and charts of the denoising lesson: crisp enlarged digits, the code as
bars, and the 2-D map of the codes of test digits."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from PIL import Image, ImageDraw

from components.plot_style import PALETTE, base_layout
from core.imaging import encode_png
from core.mnist_prep import MnistInput

BOX_COLOUR = (230, 159, 0)  # Okabe–Ito orange
CENTRE_COLOUR = (0, 114, 178)  # Okabe–Ito blue
# Ten label colours (Tableau 10): Okabe–Ito has only eight, and two of its blues
# and greens would share a map of ten classes.
LABEL_COLOURS = ("#4E79A7", "#F28E2B", "#E15759", "#76B7B2", "#59A14F", "#EDC948",
                 "#B07AA1", "#FF9DA7", "#9C755F", "#BAB0AC")


def to_pixels(image: np.ndarray) -> np.ndarray:
    """uint8 pixels from uint8 or from floats in [−1, 1] (the model's scale)."""
    image = np.asarray(image)
    if image.dtype == np.uint8:
        return image
    return np.clip(np.rint(image * 128 + 128), 0, 255).astype(np.uint8)


def enlarge(image: np.ndarray, scale: int = 8) -> bytes:
    """A digit as PNG, each pixel a scale × scale square (no blur)."""
    pixels = to_pixels(image)
    return encode_png(np.kron(pixels, np.ones((scale, scale), np.uint8)))


def _rgb(gray: np.ndarray, scale: int) -> Image.Image:
    big = np.kron(gray, np.ones((scale, scale), np.uint8))
    return Image.fromarray(big).convert("RGB")


def drawing_with_box(prep: MnistInput, size: int = 224) -> bytes:
    """Step 1: the drawing as ink (bright), with the ink's bounding box."""
    picture = Image.fromarray(prep.ink).convert("RGB")
    scale = size / max(prep.ink.shape)
    picture = picture.resize((round(prep.ink.shape[1] * scale),
                              round(prep.ink.shape[0] * scale)),
                             Image.Resampling.BOX)
    top, left, bottom, right = (round(v * scale) for v in prep.box)
    ImageDraw.Draw(picture).rectangle(
        (left, top, max(right - 1, left), max(bottom - 1, top)),
        outline=BOX_COLOUR, width=3)
    return encode_png(picture)


def cropped(prep: MnistInput, size: int = 224) -> bytes:
    """Step 2: only the ink's box, its shape kept, centred in a square."""
    top, left, bottom, right = prep.box
    crop = prep.ink[top:bottom, left:right]
    scale = size / max(crop.shape)
    width = max(1, round(crop.shape[1] * scale))
    height = max(1, round(crop.shape[0] * scale))
    picture = Image.fromarray(crop).resize((width, height), Image.Resampling.BOX)
    square = Image.new("L", (size, size), 0)
    square.paste(picture, ((size - width) // 2, (size - height) // 2))
    return encode_png(square)


def fitted(prep: MnistInput, scale: int = 8) -> bytes:
    """Step 3: fitted into 20 × 20, shown inside a 20 × 20 frame."""
    frame = np.zeros((20, 20), np.uint8)
    height, width = prep.fitted.shape
    top, left = (20 - height) // 2, (20 - width) // 2
    frame[top:top + height, left:left + width] = prep.fitted
    picture = _rgb(frame, scale)
    ImageDraw.Draw(picture).rectangle((0, 0, 20 * scale - 1, 20 * scale - 1),
                                      outline=BOX_COLOUR, width=2)
    return encode_png(picture)


def centred(prep: MnistInput, scale: int = 8) -> bytes:
    """Step 4: the 28 × 28 digit; a cross at its centre of mass, a dot mid-field."""
    picture = _rgb(prep.image, scale)
    draw = ImageDraw.Draw(picture)
    row, col = prep.centre_of_mass
    y, x = (row + 0.5) * scale, (col + 0.5) * scale
    arm = 2 * scale
    draw.line((x - arm, y, x + arm, y), fill=CENTRE_COLOUR, width=3)
    draw.line((x, y - arm, x, y + arm), fill=CENTRE_COLOUR, width=3)
    middle = (14 + 0.5) * scale  # MNIST's centre of mass: pixel (14, 14)
    draw.ellipse((middle - 4, middle - 4, middle + 4, middle + 4), outline=BOX_COLOUR,
                 width=2)
    return encode_png(picture)


def code_figure(code: np.ndarray, title: str, unit_label: str) -> go.Figure:
    """The code of the current digit: one bar per unit (ReLU: never negative)."""
    values = np.asarray(code, dtype=np.float64)
    units = np.arange(1, len(values) + 1)
    layout = base_layout(260)
    layout.update(title={"text": title, "x": 0, "font": {"size": 15}},
                  xaxis={"title": {"text": unit_label}, "dtick": 4 if len(values) > 16
                         else 1},
                  yaxis={"rangemode": "tozero"}, bargap=0.15, showlegend=False)
    return go.Figure(
        data=[go.Bar(x=units, y=values, marker_color=PALETTE[0],
                     hovertemplate="%{x}: %{y:.3f}<extra></extra>")],
        layout=layout)


def projection_figure(points: np.ndarray, labels: np.ndarray, current: np.ndarray,
                      names: Sequence[str], title: str, axis_titles: Sequence[str],
                      current_name: str) -> go.Figure:
    """Test digits' codes on two principal axes, one colour per label; the current
    digit is a large star."""
    data = []
    for label in range(10):
        chosen = labels == label
        data.append(go.Scattergl(
            x=points[chosen, 0], y=points[chosen, 1], mode="markers",
            name=names[label], marker={"size": 5, "color": LABEL_COLOURS[label],
                                       "opacity": 0.7},
            hovertemplate=f"{names[label]}<extra></extra>"))
    data.append(go.Scatter(
        x=[float(current[0])], y=[float(current[1])], mode="markers",
        name=current_name, marker={"size": 22, "symbol": "star", "color": "#000000",
                                   "line": {"color": "#ffffff", "width": 2}},
        hovertemplate=f"{current_name}<extra></extra>"))
    layout = base_layout(460)
    layout.update(title={"text": title, "x": 0, "font": {"size": 15}},
                  xaxis={"title": {"text": axis_titles[0]}, "zeroline": False},
                  yaxis={"title": {"text": axis_titles[1]}, "zeroline": False},
                  legend={"orientation": "v", "itemsizing": "constant"})
    return go.Figure(data=data, layout=layout)
