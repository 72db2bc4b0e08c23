"""Overfitting and regularisation (过拟合与正则化), the NumPy part.

A few noisy points from a smooth curve, a large validation set from the same
curve, polynomial least-squares fits of any degree with their training and
validation errors (the U shape of bias vs variance), the early-stopping rule of
``keras.callbacks.EarlyStopping`` on a list of validation losses, and the L1
diamond vs L2 circle: the minimum of a quadratic loss inside |w₁| + |w₂| ≤ t or
w₁² + w₂² ≤ t². Nothing here imports Keras.

>>> data = make_curve_data(10, seed=0)
>>> len(data.x_train), len(data.x_val)
(10, 200)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

X_RANGE = (-1.0, 1.0)  # inputs in [−1, 1] keep high-degree polynomials well posed
POOL_SIZE = 60  # the most training points a student can ask for
NUM_VAL = 200
MAX_DEGREE = 15
DEFAULT_NOISE = 0.3


def true_curve(x: np.ndarray) -> np.ndarray:
    """The smooth curve behind the data: f(x) = sin(πx)."""
    return np.sin(np.pi * np.asarray(x, dtype=float))


@dataclass(frozen=True)
class CurveData:
    """Training and validation points drawn from ``true_curve`` plus noise."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    noise: float


def make_curve_data(num_train: int, noise: float = DEFAULT_NOISE, seed: int = 0,
                    num_val: int = NUM_VAL) -> CurveData:
    """``num_train`` noisy training points and ``num_val`` validation points.

    y = sin(πx) + ε, ε ~ N(0, noise²). The training points are the first
    ``num_train`` of a seeded pool of ``POOL_SIZE``, so more points keep the old
    ones; the validation set has its own random stream.

    Raises:
        ValueError: fewer than 2 or more than ``POOL_SIZE`` training points, or a
            negative noise level.

    >>> make_curve_data(3, seed=1).x_train.shape
    (3,)
    """
    if not 2 <= num_train <= POOL_SIZE:
        raise ValueError(f"The training set needs 2 to {POOL_SIZE} points, "
                         f"got {num_train}.")
    if not noise >= 0:
        raise ValueError(f"The noise must be ≥ 0, got {noise}.")
    train_rng, val_rng = (np.random.default_rng([seed, part]) for part in (0, 1))
    x_pool = train_rng.uniform(*X_RANGE, POOL_SIZE)
    y_pool = true_curve(x_pool) + train_rng.normal(0.0, noise, POOL_SIZE)
    x_val = np.sort(val_rng.uniform(*X_RANGE, num_val))
    y_val = true_curve(x_val) + val_rng.normal(0.0, noise, num_val)
    return CurveData(x_pool[:num_train], y_pool[:num_train], x_val, y_val, noise)


# --- polynomials: bias vs variance -------------------------------------------------


def fit_polynomial(x: np.ndarray, y: np.ndarray, degree: int) -> np.ndarray:
    """Least-squares polynomial coefficients, highest power first (as np.polyfit).

    Minimises Σ(p(xᵢ) − yᵢ)² with ``np.linalg.lstsq`` on the Vandermonde matrix;
    with fewer points than coefficients it returns the minimum-norm solution
    (one of infinitely many that pass through every point).

    >>> np.round(fit_polynomial(np.array([0., 1, 2]), np.array([1., 3, 5]), 1), 6)
    array([2., 1.])
    """
    if degree < 0:
        raise ValueError(f"The degree must be ≥ 0, got {degree}.")
    vandermonde = np.vander(np.asarray(x, dtype=float), degree + 1)
    coefficients, *_ = np.linalg.lstsq(vandermonde, np.asarray(y, dtype=float),
                                       rcond=None)
    return coefficients


def mean_squared_error(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """MSE = mean((y − ŷ)²)."""
    return float(np.mean((np.asarray(y_true) - np.asarray(y_pred)) ** 2))


@dataclass(frozen=True)
class PolynomialFit:
    """One degree's coefficients and its errors on both sets."""

    degree: int
    coefficients: np.ndarray
    train_error: float
    val_error: float


def polynomial_fit(data: CurveData, degree: int) -> PolynomialFit:
    """Fit ``degree`` on the training points; measure MSE on both sets."""
    coefficients = fit_polynomial(data.x_train, data.y_train, degree)
    return PolynomialFit(
        degree, coefficients,
        mean_squared_error(data.y_train, np.polyval(coefficients, data.x_train)),
        mean_squared_error(data.y_val, np.polyval(coefficients, data.x_val)))


def errors_by_degree(data: CurveData, max_degree: int = MAX_DEGREE
                     ) -> list[PolynomialFit]:
    """Fits of degree 0 … min(max_degree, n − 1): the U-shaped validation curve."""
    top = min(max_degree, len(data.x_train) - 1)
    return [polynomial_fit(data, degree) for degree in range(top + 1)]


def best_degree(fits: list[PolynomialFit]) -> int:
    """The degree with the smallest validation error."""
    return min(fits, key=lambda fit: fit.val_error).degree


def diagnose(fit: PolynomialFit, best: PolynomialFit, tolerance: float = 0.1) -> str:
    """"good" within ``tolerance`` (relative) of the best validation error, else
    "underfitting" (fewer degrees: high bias) or "overfitting" (more: high
    variance).

    >>> a, b = (PolynomialFit(d, np.zeros(1), 0.1, e) for d, e in ((1, .5), (3, .1)))
    >>> diagnose(a, b), diagnose(b, b)
    ('underfitting', 'good')
    """
    if fit.val_error <= best.val_error * (1 + tolerance):
        return "good"
    return "underfitting" if fit.degree < best.degree else "overfitting"


# --- early stopping ---------------------------------------------------------------


@dataclass(frozen=True)
class EarlyStop:
    """1-based epochs: the best validation loss, and where training would stop
    (None: it would run to the end)."""

    best_epoch: int
    stop_epoch: int | None


def early_stopping(val_losses: list[float], patience: int) -> EarlyStop:
    """Keras' ``EarlyStopping(monitor="val_loss", patience=patience)`` on a history.

    Each epoch without a new minimum adds one to a counter that a new minimum
    resets; when the counter reaches ``patience`` (and it is not the first epoch)
    training stops.

    Raises:
        ValueError: an empty history or a negative patience.

    >>> early_stopping([3.0, 2.0, 2.5, 2.6, 2.7], patience=2)
    EarlyStop(best_epoch=2, stop_epoch=4)
    """
    if not val_losses or patience < 0:
        raise ValueError("Early stopping needs at least one epoch and patience ≥ 0.")
    best, best_epoch, wait = math.inf, 0, 0
    for epoch, loss in enumerate(val_losses):
        wait += 1
        if loss < best:  # Keras: np.less(current - min_delta, best), min_delta 0
            best, best_epoch, wait = loss, epoch, 0
        elif wait >= patience and epoch > 0:
            return EarlyStop(best_epoch + 1, epoch + 1)
    return EarlyStop(best_epoch + 1, None)


# --- the L1 diamond and the L2 circle ----------------------------------------------

LOSS_CENTRE = np.array([1.6, 0.7])  # the unconstrained minimum (w₁*, w₂*)
LOSS_MATRIX = np.array([[1.0, 0.45], [0.45, 0.7]])  # curvature of the bowl


def quadratic_loss(w1: np.ndarray, w2: np.ndarray, centre: np.ndarray = LOSS_CENTRE,
                   matrix: np.ndarray = LOSS_MATRIX) -> np.ndarray:
    """L(w) = (w − c)ᵀ A (w − c) on a grid (or at points) of (w₁, w₂)."""
    d1, d2 = np.asarray(w1) - centre[0], np.asarray(w2) - centre[1]
    return matrix[0, 0] * d1**2 + 2 * matrix[0, 1] * d1 * d2 + matrix[1, 1] * d2**2


def _segment_minimum(start: np.ndarray, end: np.ndarray, centre: np.ndarray,
                     matrix: np.ndarray) -> np.ndarray:
    """The point of the segment start→end closest to the centre in A's metric."""
    direction = end - start
    curvature = direction @ matrix @ direction
    s = 0.0 if curvature <= 0 else (direction @ matrix @ (centre - start)) / curvature
    s = min(max(s, 0.0), 1.0)
    point = start + s * direction
    # The ends are the diamond's corners: return them exactly (a weight of 0.0).
    return start.copy() if s == 0.0 else end.copy() if s == 1.0 else point


def l1_constrained_minimum(t: float, centre: np.ndarray = LOSS_CENTRE,
                           matrix: np.ndarray = LOSS_MATRIX) -> np.ndarray:
    """argmin L(w) subject to |w₁| + |w₂| ≤ t (the diamond).

    Inside: the centre itself. Otherwise the minimum lies on one of the four
    edges; each is a 1-D quadratic minimised in closed form and clamped to the
    edge, so a corner (one weight exactly 0.0) comes out exactly.

    >>> l1_constrained_minimum(1.0).tolist()
    [1.0, 0.0]
    """
    _check_t(t)
    if np.abs(centre).sum() <= t:
        return centre.astype(float).copy()
    corners = [np.array(p, dtype=float) * t for p in ((1, 0), (0, 1), (-1, 0),
                                                       (0, -1))]
    candidates = [_segment_minimum(corners[i], corners[(i + 1) % 4], centre, matrix)
                  for i in range(4)]
    losses = [quadratic_loss(c[0], c[1], centre, matrix) for c in candidates]
    return candidates[int(np.argmin(losses))]


def l2_constrained_minimum(t: float, centre: np.ndarray = LOSS_CENTRE,
                           matrix: np.ndarray = LOSS_MATRIX) -> np.ndarray:
    """argmin L(w) subject to w₁² + w₂² ≤ t² (the circle).

    Outside the circle the answer is w(λ) = (A + λI)⁻¹ A c with ‖w(λ)‖ = t for
    the Lagrange multiplier λ > 0, found by bisection (‖w(λ)‖ falls as λ grows).

    >>> bool(abs(np.linalg.norm(l2_constrained_minimum(1.0)) - 1) < 1e-9)
    True
    """
    _check_t(t)
    if np.linalg.norm(centre) <= t:
        return centre.astype(float).copy()

    def solution(lam: float) -> np.ndarray:
        return np.linalg.solve(matrix + lam * np.eye(2), matrix @ centre)

    low, high = 0.0, 1.0
    while np.linalg.norm(solution(high)) > t:
        high *= 2
    for _ in range(200):
        middle = (low + high) / 2
        low, high = (middle, high) if np.linalg.norm(solution(middle)) > t else (
            low, middle)
    return solution(high)


def _check_t(t: float) -> None:
    if not (math.isfinite(t) and t > 0):
        raise ValueError(f"The constraint size t must be a number > 0, got {t}.")


def soft_threshold(z: np.ndarray, threshold: float) -> np.ndarray:
    """L1's proximal step: sign(z)·max(|z| − threshold, 0) — small values become
    exactly 0.0, which plain gradient steps on |w| never do.

    >>> soft_threshold(np.array([-2.0, 0.3, 1.0]), 0.5).tolist()
    [-1.5, 0.0, 0.5]
    """
    return np.sign(z) * np.maximum(np.abs(z) - threshold, 0.0)
