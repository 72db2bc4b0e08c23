"""Batch, mini-batch and stochastic gradient descent on one neuron, ŷ = w·x + b.

24 noisy points around a line; plain SGD on the mean squared error, exactly as
Keras' ``Dense(1)`` + ``SGD`` + ``fit(batch_size=b, shuffle=False)`` steps
through one epoch: consecutive batches of ``b`` samples (the last one may be
smaller), one update per batch, the loss of a batch being the mean over it.
Shuffling is done here, one seeded permutation per epoch, so that NumPy and
Keras can be given the very same order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

NUM_SAMPLES = 24
TRUE_W, TRUE_B, NOISE = 2.0, -1.0, 0.6
START_W, START_B = -1.0, 3.0  # far enough from the answer to see the paths
F32 = np.float32


def iterations_per_epoch(num_samples: int, batch_size: int) -> int:
    """Updates per epoch: one per batch, the last batch may be partial.

    >>> iterations_per_epoch(24, 6), iterations_per_epoch(50_000, 32)
    (4, 1563)
    """
    if num_samples < 1 or batch_size < 1:
        raise ValueError("The number of samples and the batch size must be ≥ 1.")
    return math.ceil(num_samples / batch_size)


def make_regression_data(seed: int, num_samples: int = NUM_SAMPLES
                         ) -> tuple[np.ndarray, np.ndarray]:
    """x uniform in [−2, 2] and y = 2x − 1 + Gaussian noise, as float32.

    >>> x, y = make_regression_data(0)
    >>> x.shape, y.dtype
    ((24,), dtype('float32'))
    """
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2.0, 2.0, num_samples)
    y = TRUE_W * x + TRUE_B + rng.normal(0.0, NOISE, num_samples)
    return x.astype(F32), y.astype(F32)


def epoch_orders(seed: int, num_samples: int, num_epochs: int,
                 shuffle: bool) -> list[np.ndarray]:
    """The sample order of each epoch: a fresh seeded permutation when shuffling.

    >>> [o.tolist() for o in epoch_orders(0, 3, 2, shuffle=False)]
    [[0, 1, 2], [0, 1, 2]]
    """
    rng = np.random.default_rng(seed + 1)
    return [rng.permutation(num_samples) if shuffle else np.arange(num_samples)
            for _ in range(num_epochs)]


def least_squares(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """The (w, b) with the smallest MSE: where every descent is heading."""
    w, b = np.polyfit(x.astype(float), y.astype(float), 1)
    return float(w), float(b)


def mse_surface(x: np.ndarray, y: np.ndarray, w_values: np.ndarray,
                b_values: np.ndarray) -> np.ndarray:
    """MSE on a grid: shape (len(b_values), len(w_values))."""
    xs, ys = x.astype(float), y.astype(float)
    grid_w, grid_b = np.meshgrid(w_values, b_values)
    errors = grid_w[..., None] * xs + grid_b[..., None] - ys
    return np.mean(errors**2, axis=-1)


@dataclass(frozen=True)
class DescentPath:
    """(w, b) after every update (index 0 = the start), the loss of each batch
    before its update, and the full-data MSE at the end of each epoch."""

    batch_size: int
    weights: np.ndarray  # (num_updates + 1, 2)
    batch_losses: np.ndarray  # (num_updates,)
    epoch_losses: np.ndarray  # (num_epochs,)
    iterations_per_epoch: int


def minibatch_descent(x: np.ndarray, y: np.ndarray, batch_size: int,
                      learning_rate: float, orders: list[np.ndarray],
                      start: tuple[float, float] = (START_W, START_B)
                      ) -> DescentPath:
    """SGD on the MSE, one update per batch, epochs in the given sample orders.

    Per batch B: ∂L/∂w = 2/|B| Σ (ŷ − y)·x, ∂L/∂b = 2/|B| Σ (ŷ − y);
    w ← w − lr·∂L/∂w, b ← b − lr·∂L/∂b (float32, like Keras).

    >>> x, y = np.array([1.0], "float32"), np.array([3.0], "float32")
    >>> path = minibatch_descent(x, y, 1, 0.25, [np.arange(1)], start=(0.0, 0.0))
    >>> path.weights[-1].tolist()
    [1.5, 1.5]
    """
    lr = F32(learning_rate)
    w, b = F32(start[0]), F32(start[1])
    weights, batch_losses, epoch_losses = [(w, b)], [], []
    with np.errstate(all="ignore"):
        for order in orders:
            xs, ys = x[order], y[order]
            for first in range(0, len(xs), batch_size):
                xb, yb = xs[first:first + batch_size], ys[first:first + batch_size]
                error = w * xb + b - yb
                batch_losses.append(float(np.mean(np.square(error))))
                scale = F32(2.0) / F32(len(xb))
                w = F32(w - lr * (scale * np.sum(error * xb, dtype=F32)))
                b = F32(b - lr * (scale * np.sum(error, dtype=F32)))
                weights.append((w, b))
            epoch_losses.append(float(np.mean(np.square(w * x + b - y))))
    return DescentPath(batch_size, np.array(weights, dtype=np.float64),
                       np.array(batch_losses), np.array(epoch_losses),
                       iterations_per_epoch(len(x), batch_size))
