"""The playground's pixels: colours for the network's output over the plane and
for each neuron's picture, as PNG data URIs (``components.playground_svg`` lays
them out). A frame of a 2×8 network is ~30 kB and takes a few milliseconds."""

from __future__ import annotations

import base64
import io
from functools import lru_cache

import numpy as np
from PIL import Image

from components.plot_style import NEGATIVE, PALETTE, POSITIVE
from core.playground import PlaygroundSpec, forward, grid

NEURON_RESOLUTION = 20
CLASS_COLOURS = (NEGATIVE, POSITIVE, PALETTE[2])  # class 0, 1, 2
FEATURE_LABELS = {"x1": "x₁", "x2": "x₂", "x1sq": "x₁²", "x2sq": "x₂²",
                  "x1x2": "x₁x₂", "sinx1": "sin(πx₁)", "sinx2": "sin(πx₂)"}


def _rgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=np.float64)


_WHITE = np.full(3, 255.0)


def diverging_rgb(values: np.ndarray) -> np.ndarray:
    """Values in [−1, 1] → colours: NEGATIVE (−1) through white (0) to POSITIVE (1)."""
    v = np.clip(np.nan_to_num(values), -1, 1)[..., None]
    colour = np.where(v >= 0, _rgb(POSITIVE), _rgb(NEGATIVE))
    return (_WHITE + np.abs(v) * (colour - _WHITE)).astype(np.uint8)


def class_rgb(probabilities: np.ndarray) -> np.ndarray:
    """Three-class probabilities (…, 3) → the winning class's colour, paler where
    the network is unsure (⅓ is white)."""
    winner = probabilities.argmax(axis=-1)
    confidence = ((probabilities.max(axis=-1) - 1 / 3) * 1.5)[..., None]
    colours = np.stack([_rgb(c) for c in CLASS_COLOURS])[winner]
    return (_WHITE + np.clip(confidence, 0, 1) * (colours - _WHITE)).astype(np.uint8)


def png_uri(rgb: np.ndarray) -> str:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="PNG", compress_level=1)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


@lru_cache(maxsize=4)
def _grid(resolution: int) -> np.ndarray:
    return grid(resolution)[1]


def output_rgb(output: np.ndarray, task: str, discrete: bool) -> np.ndarray:
    """Colours of the network's output at grid points (n, …) → (n, 3)."""
    if task == "multiclass":
        if discrete:
            output = np.eye(3)[output.argmax(axis=-1)]
        return class_rgb(output)
    values = output[:, 0]
    if task == "binary":
        values = 2 * values - 1 if not discrete else np.where(values >= 0.5, 1.0, -1.0)
    return diverging_rgb(values)


def _picture(rgb_rows: np.ndarray, resolution: int) -> str:
    """Grid-ordered colours → a PNG whose top row is x₂ = +DOMAIN."""
    return png_uri(np.flipud(rgb_rows.reshape(resolution, resolution, 3)))


def neuron_values(spec: PlaygroundSpec, weights, task: str) -> list[np.ndarray]:
    """Each layer's outputs over the NEURON_RESOLUTION grid, scaled to [−1, 1] for
    colouring: tanh as it is, the output's probabilities as 2p − 1, and the rest
    (inputs, ReLU, sigmoid, linear) divided by their largest magnitude."""
    outs = forward(list(weights), spec, _grid(NEURON_RESOLUTION))
    kinds = ["input", *spec.activations, "output"]
    scaled = []
    for kind, values in zip(kinds, outs, strict=True):
        if kind == "tanh":
            scaled.append(values)
        elif kind == "output":
            scaled.append(values if task == "regression" else 2 * values - 1)
        else:
            peak = np.abs(values).max(axis=0, keepdims=True)
            scaled.append(values / np.maximum(peak, 1e-9))
    return scaled
