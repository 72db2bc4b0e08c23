"""Loss landscapes: five 2-D test functions f(x, y) with their analytic gradients.

Each function is written with ``+ - * **`` only, so the same Python function
evaluates NumPy arrays (the contour plot, the NumPy optimizers) and TensorFlow
tensors (``tf.GradientTape`` differentiates it for the real Keras race and for
the tests that check the hand-written gradients).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

Window = tuple[float, float, float, float]  # x_min, x_max, y_min, y_max


@dataclass(frozen=True)
class Landscape:
    """A test function, its gradient, its minima and a window to draw.

    ``presets`` are learning rates that make plain SGD crawl, converge and blow
    up on this function (found with ``max_stable_learning_rate``-style reasoning:
    the largest curvature along the way sets the limit lr < 2 / curvature).
    """

    key: str
    formula: str  # LaTeX
    source: str  # the same f as Python code, for "show me the code"
    fn: Callable[[Any, Any], Any]
    gradient: Callable[[Any, Any], tuple[Any, Any]]
    minima: tuple[tuple[float, float], ...]
    window: Window
    start: tuple[float, float]
    presets: dict[str, float]
    saddles: tuple[tuple[float, float], ...] = ()
    log_levels: bool = False

    def loss(self, x: Any, y: Any) -> Any:
        return self.fn(x, y)


def _bowl(x: Any, y: Any) -> Any:
    return x**2 + y**2


def _bowl_gradient(x: Any, y: Any) -> tuple[Any, Any]:
    return 2 * x, 2 * y


def _valley(x: Any, y: Any) -> Any:
    return 0.1 * x**2 + 2 * y**2


def _valley_gradient(x: Any, y: Any) -> tuple[Any, Any]:
    return 0.2 * x, 4 * y


def _rosenbrock(x: Any, y: Any) -> Any:
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def _rosenbrock_gradient(x: Any, y: Any) -> tuple[Any, Any]:
    return -2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)


def _saddle(x: Any, y: Any) -> Any:
    # x² plus a double well in y: a saddle at (0, 0) between minima at (0, ±1).
    return x**2 + 0.25 * (y**2 - 1) ** 2


def _saddle_gradient(x: Any, y: Any) -> tuple[Any, Any]:
    return 2 * x, y * (y**2 - 1)


def _himmelblau(x: Any, y: Any) -> Any:
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


def _himmelblau_gradient(x: Any, y: Any) -> tuple[Any, Any]:
    a, b = x**2 + y - 11, x + y**2 - 7
    return 4 * x * a + 2 * b, 2 * a + 4 * y * b


LANDSCAPES: dict[str, Landscape] = {
    "bowl": Landscape(
        "bowl", r"f(x, y) = x^2 + y^2", "x**2 + y**2", _bowl, _bowl_gradient,
        ((0.0, 0.0),), (-2.0, 2.0, -2.0, 2.0), (-1.5, 1.7),
        {"too_small": 0.002, "good": 0.1, "too_large": 1.1}),
    "valley": Landscape(
        "valley", r"f(x, y) = 0.1\,x^2 + 2\,y^2", "0.1 * x**2 + 2 * y**2", _valley,
        _valley_gradient, ((0.0, 0.0),), (-5.0, 5.0, -2.0, 2.0), (-4.5, 1.5),
        {"too_small": 0.005, "good": 0.2, "too_large": 0.55}),
    "rosenbrock": Landscape(
        "rosenbrock", r"f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2",
        "(1 - x) ** 2 + 100 * (y - x**2) ** 2", _rosenbrock, _rosenbrock_gradient,
        ((1.0, 1.0),), (-2.0, 2.0, -1.0, 3.0), (-1.2, 1.0),
        {"too_small": 0.00005, "good": 0.001, "too_large": 0.004}, log_levels=True),
    "saddle": Landscape(
        "saddle", r"f(x, y) = x^2 + \tfrac14\,(y^2 - 1)^2",
        "x**2 + 0.25 * (y**2 - 1) ** 2", _saddle, _saddle_gradient,
        ((0.0, -1.0), (0.0, 1.0)), (-2.0, 2.0, -2.0, 2.0), (-1.8, 0.05),
        {"too_small": 0.002, "good": 0.1, "too_large": 1.1},
        saddles=((0.0, 0.0),)),
    "himmelblau": Landscape(
        "himmelblau", r"f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
        "(x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2", _himmelblau,
        _himmelblau_gradient,
        ((3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186),
         (3.584428, -1.848126)),
        (-5.0, 5.0, -5.0, 5.0), (-0.5, -0.5),
        {"too_small": 0.0002, "good": 0.01, "too_large": 0.05}, log_levels=True),
}


def nearest_minimum(landscape: Landscape, x: float, y: float
                    ) -> tuple[tuple[float, float], float]:
    """The minimum closest to (x, y) and its Euclidean distance.

    >>> nearest_minimum(LANDSCAPES["bowl"], 3.0, 4.0)
    ((0.0, 0.0), 5.0)
    """
    distances = [float(np.hypot(x - mx, y - my)) for mx, my in landscape.minima]
    index = int(np.argmin(distances))
    return landscape.minima[index], distances[index]


def contains(window: Window, x: float, y: float) -> bool:
    """Whether (x, y) lies inside the drawn window (edges included)."""
    return window[0] <= x <= window[1] and window[2] <= y <= window[3]


def widen_window(window: Window, points: list[tuple[float, float]],
                 margin: float = 0.1) -> Window:
    """The window grown just enough to hold every finite point, plus a margin.

    >>> widen_window((-1.0, 1.0, -1.0, 1.0), [(3.0, 0.0)])
    (-1.4, 3.4, -1.0, 1.0)
    """
    x_min, x_max, y_min, y_max = window
    finite = [(x, y) for x, y in points if np.isfinite(x) and np.isfinite(y)]
    xs = [x_min, x_max] + [x for x, _ in finite]
    ys = [y_min, y_max] + [y for _, y in finite]
    new = [min(xs), max(xs), min(ys), max(ys)]
    grow_x = margin * (new[1] - new[0]) if (new[0], new[1]) != (x_min, x_max) else 0
    grow_y = margin * (new[3] - new[2]) if (new[2], new[3]) != (y_min, y_max) else 0
    return (round(new[0] - grow_x, 9), round(new[1] + grow_x, 9),
            round(new[2] - grow_y, 9), round(new[3] + grow_y, 9))


def loss_grid(landscape: Landscape, window: Window, num: int = 101
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x values, y values and f on the grid: shape (len(y), len(x)).

    >>> xs, ys, z = loss_grid(LANDSCAPES["bowl"], (-1.0, 1.0, -1.0, 1.0), num=3)
    >>> z.tolist()
    [[2.0, 1.0, 2.0], [1.0, 0.0, 1.0], [2.0, 1.0, 2.0]]
    """
    xs = np.linspace(window[0], window[1], num)
    ys = np.linspace(window[2], window[3], num)
    grid_x, grid_y = np.meshgrid(xs, ys)
    return xs, ys, landscape.fn(grid_x, grid_y)
