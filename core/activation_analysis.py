"""What the activations lesson computes around ACTIVATIONS: curves, probes, checks.

Input checks return problem codes (never translated text): the UI turns a code
into a message in the reader's language.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any, Iterable

import numpy as np

from core.activations import ACTIVATIONS, resolve_params

X_LIMIT = 100.0  # beyond ±100 every activation is flat or linear; nothing new to see
DEFAULT_X_RANGE = (-6.0, 6.0)
NUM_POINTS = 501
LOW_GRADIENT = 0.05  # |f′| below this is where learning crawls (梯度消失)
TEMPERATURE_RANGE = (0.05, 10.0)
MAX_LOGITS = 12
LOGIT_LIMIT = 1e6  # beyond this softmax is one-hot anyway; keeps bars drawable

# Which activation where (CURRICULUM §2): the use, the usual choices, a Keras line.
RECOMMENDATIONS: list[dict[str, Any]] = [
    {"use": "hidden", "activations": ("relu", "leaky_relu", "tanh"),
     "keras": 'layers.Dense(200, activation="relu")'},
    {"use": "binary", "activations": ("sigmoid",),
     "keras": 'layers.Dense(1, activation="sigmoid")'},
    {"use": "multiclass", "activations": ("softmax",),
     "keras": 'layers.Dense(10, activation="softmax")'},
    {"use": "regression", "activations": ("linear",),
     "keras": "layers.Dense(1)"},
    {"use": "positive", "activations": ("relu", "softplus"),
     "keras": 'layers.Dense(1, activation="softplus")'},
    {"use": "bounded", "activations": ("sigmoid", "tanh"),
     "keras": 'layers.Dense(1, activation="tanh")'},
]


@dataclass(frozen=True)
class Curve:
    """f and f′ of one activation sampled over an x-range."""

    name: str
    x: np.ndarray
    y: np.ndarray
    dy: np.ndarray
    low_gradient: list[tuple[float, float]]


def check_x_range(x_min: Any, x_max: Any) -> tuple[float, float, list[str]]:
    """Make an x-range safe to plot.

    Returns:
        (x_min, x_max, problems): problems are codes — ``x_range_not_number``,
        ``x_range_inverted`` (the default range is used instead) and
        ``x_range_clamped`` (ends were pulled in to ±X_LIMIT).

    >>> check_x_range(3, -3)
    (-6.0, 6.0, ['x_range_inverted'])
    """
    try:
        low, high = float(x_min), float(x_max)
    except (TypeError, ValueError):
        return (*DEFAULT_X_RANGE, ["x_range_not_number"])
    if math.isnan(low) or math.isnan(high):
        return (*DEFAULT_X_RANGE, ["x_range_not_number"])
    problems = []
    if low < -X_LIMIT or high > X_LIMIT:
        low, high = max(low, -X_LIMIT), min(high, X_LIMIT)
        problems.append("x_range_clamped")
    if not low < high:
        return (*DEFAULT_X_RANGE, problems + ["x_range_inverted"])
    return low, high, problems


def check_temperature(temperature: Any) -> tuple[float, list[str]]:
    """Clamp a softmax temperature into TEMPERATURE_RANGE (T must be > 0)."""
    try:
        value = float(temperature)
    except (TypeError, ValueError):
        return 1.0, ["temperature_not_number"]
    if math.isnan(value):
        return 1.0, ["temperature_not_number"]
    low, high = TEMPERATURE_RANGE
    if value <= 0:
        return low, ["temperature_not_positive"]
    if value < low or value > high:
        return float(min(max(value, low), high)), ["temperature_clamped"]
    return value, []


def low_gradient_intervals(
    x: np.ndarray, dy: np.ndarray, threshold: float = LOW_GRADIENT
) -> list[tuple[float, float]]:
    """Maximal runs of x where |f′(x)| < threshold, as (start, end) pairs."""
    flat = np.concatenate([[False], np.abs(dy) < threshold, [False]])
    change = np.diff(flat.astype(np.int8))
    starts, ends = np.flatnonzero(change == 1), np.flatnonzero(change == -1) - 1
    return [(float(x[i]), float(x[j])) for i, j in zip(starts, ends, strict=True)]


def sample_curve(
    name: str, x_min: float, x_max: float, num_points: int = NUM_POINTS,
    params: dict[str, Any] | None = None,
) -> Curve:
    """Sample f and f′ of an element-wise activation over [x_min, x_max].

    >>> c = sample_curve("relu", -1, 1, 3)
    >>> c.y.tolist(), c.dy.tolist()
    ([0.0, 0.0, 1.0], [0.0, 0.0, 1.0])
    """
    activation = ACTIVATIONS[name]
    if not activation.elementwise:
        raise ValueError(f"{name} acts on a whole vector; it has no 1-D curve")
    merged = resolve_params(name, params)
    x = np.linspace(x_min, x_max, num_points)
    y = activation.fn(x, **merged)
    dy = activation.derivative(x, **merged)
    return Curve(name, x, y, dy, low_gradient_intervals(x, dy))


def nice_step(span: float, num_steps: int = 200) -> float:
    """The largest round step (1, 2 or 5 × 10^k) giving at least ``num_steps``.

    >>> nice_step(12), nice_step(15), nice_step(200)
    (0.05, 0.05, 1.0)
    """
    raw = span / num_steps
    exponent = math.floor(math.log10(raw))
    best = 10.0**exponent
    for factor in (2, 5):
        if factor * 10.0**exponent <= raw * 1.000001:
            best = factor * 10.0**exponent
    return round(best, 12)


def probe(name: str, x0: float, params: dict[str, Any] | None = None) -> dict:
    """f(x0), f′(x0) and the tangent line's intercept at one point."""
    activation = ACTIVATIONS[name]
    merged = resolve_params(name, params)
    y0 = float(activation.fn(np.array(x0), **merged))
    slope = float(activation.derivative(np.array(x0), **merged))
    return {"x": float(x0), "y": y0, "slope": slope, "intercept": y0 - slope * x0}


def parse_logits(cells: Iterable[Any]) -> tuple[np.ndarray, list[tuple[str, int]]]:
    """Read a softmax input vector from table cells or text pieces.

    Empty cells are skipped; text that is not a number is skipped; both are
    reported as (code, 1-based row) so the user can fix exactly that cell.
    """
    values, problems = [], []
    for row, cell in enumerate(cells, start=1):
        if cell is None or (isinstance(cell, float) and math.isnan(cell)):
            problems.append(("logit_empty", row))
            continue
        text = str(cell).strip()
        if not text:
            problems.append(("logit_empty", row))
            continue
        try:
            value = float(text)
        except ValueError:
            problems.append(("logit_not_number", row))
            continue
        if not math.isfinite(value):
            problems.append(("logit_not_number", row))
            continue
        if abs(value) > LOGIT_LIMIT:
            problems.append(("logit_clamped", row))
            value = math.copysign(LOGIT_LIMIT, value)
        values.append(value)
    if len(values) > MAX_LOGITS:
        problems.append(("logit_too_many", MAX_LOGITS))
        values = values[:MAX_LOGITS]
    return np.array(values, dtype=np.float64), problems


@functools.lru_cache(maxsize=256)
def _max_slope(name: str, params: tuple) -> float:
    """max |f′| over [−X_LIMIT, X_LIMIT] (plus x = 0 exactly), cached per setting."""
    derivative, kwargs = ACTIVATIONS[name].derivative, dict(params)
    grid = np.append(np.linspace(-X_LIMIT, X_LIMIT, 200001), 0.0)
    return float(np.max(np.abs(derivative(grid, **kwargs))))


def gradient_through_layers(
    name: str, x0: float, num_layers: int, params: dict[str, Any] | None = None
) -> dict[str, float]:
    """How much of a gradient survives ``num_layers`` layers of this activation.

    By the chain rule each layer multiplies the gradient by f′(z) (weights aside).
    Returns the factor at the probe point, f′(x0)^n, and the best case over all
    inputs, (max |f′|)^n — for sigmoid 0.25^n, the textbook vanishing gradient.

    >>> gradient_through_layers("sigmoid", 0.0, 3)["best_case"]
    0.015625
    """
    merged = resolve_params(name, params)
    best = _max_slope(name, tuple(sorted(merged.items())))
    at_x0 = float(ACTIVATIONS[name].derivative(np.array(x0), **merged))
    return {"at_x0": at_x0 ** num_layers, "best_case": best ** num_layers,
            "max_slope": best}
