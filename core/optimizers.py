"""The optimizer race: exact NumPy mirrors of Keras 3's SGD, momentum, RMSprop and
Adam, stepping a point (x, y) down a loss landscape.

Each mirror follows ``keras/src/optimizers/{sgd,rmsprop,adam}.py`` line by line,
in float32 like a ``keras.Variable``, with Keras' defaults (RMSprop rho=0.9,
Adam beta_1=0.9, beta_2=0.999, both epsilon=1e-7). The update rules, with g the
gradient and lr the learning rate:

- SGD: θ ← θ − lr·g
- momentum: m ← 0.9·m − lr·g; θ ← θ + m
- RMSprop: v ← ρ·v + (1 − ρ)·g²; θ ← θ − lr·g / √(v + ε)
- Adam: m ← m + (g − m)(1 − β₁); v ← v + (g² − v)(1 − β₂);
  θ ← θ − m·α / (√v + ε) with α = lr·√(1 − β₂ᵗ) / (1 − β₁ᵗ)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.landscapes import Landscape, nearest_minimum
from core.models import MOMENTUM, OPTIMIZERS

__all__ = ["OPTIMIZERS", "RMSPROP_RHO", "ADAM_BETAS", "EPSILON", "HUGE", "TOLERANCE",
           "RacePath", "step_rule", "run_optimizer", "run_race", "summarize_path"]

RMSPROP_RHO, ADAM_BETAS, EPSILON = 0.9, (0.9, 0.999), 1e-7
HUGE = 1e6  # a coordinate this far out (or inf/NaN) means the run diverged
TOLERANCE = 0.05  # "arrived": this close to a minimum
F32 = np.float32


def step_rule(name: str, learning_rate: float):
    """A function ``update(theta, gradient, state, step) -> theta`` for one optimizer.

    ``state`` is a dict the rule keeps its slots in (Keras' optimizer variables);
    ``step`` counts from 0 like ``optimizer.iterations``. All in float32.

    >>> update = step_rule("sgd", 0.1)
    >>> update(np.array([1.0, 2.0], "float32"), np.array([2.0, 4.0], "float32"), {}, 0)
    array([0.8, 1.6], dtype=float32)
    """
    lr = F32(learning_rate)
    if name not in OPTIMIZERS:
        raise ValueError(f"Unknown optimizer {name!r}; use one of {OPTIMIZERS}.")

    def sgd(theta, g, state, step):
        return theta - g * lr

    def momentum(theta, g, state, step):
        m = state.get("m", np.zeros_like(theta))
        state["m"] = m * F32(MOMENTUM) - g * lr
        return theta + state["m"]

    def rmsprop(theta, g, state, step):
        v = state.get("v", np.zeros_like(theta))
        state["v"] = F32(RMSPROP_RHO) * v + F32(1 - RMSPROP_RHO) * np.square(g)
        return theta - (lr * g) / np.sqrt(state["v"] + F32(EPSILON))

    def adam(theta, g, state, step):
        beta_1, beta_2 = ADAM_BETAS
        local_step = F32(step + 1)
        beta_1_power = np.power(F32(beta_1), local_step)
        beta_2_power = np.power(F32(beta_2), local_step)
        alpha = lr * np.sqrt(F32(1) - beta_2_power) / (F32(1) - beta_1_power)
        m = state.get("m", np.zeros_like(theta))
        v = state.get("v", np.zeros_like(theta))
        state["m"] = m + (g - m) * F32(1 - beta_1)
        state["v"] = v + (np.square(g) - v) * F32(1 - beta_2)
        return theta - (state["m"] * alpha) / (np.sqrt(state["v"]) + F32(EPSILON))

    return {"sgd": sgd, "momentum": momentum, "rmsprop": rmsprop, "adam": adam}[name]


@dataclass(frozen=True)
class RacePath:
    """One optimizer's run: positions[k] is θ after k steps (positions[0] = start).

    ``diverged_at`` is the step whose result left the finite world (|θ| > HUGE,
    inf or NaN); that point is not in ``positions``.
    """

    name: str
    positions: np.ndarray  # (num_points, 2), float64 copies of the float32 values
    losses: np.ndarray
    num_steps: int
    diverged_at: int | None = None


def is_diverged(theta: np.ndarray) -> bool:
    return not np.all(np.isfinite(theta)) or float(np.max(np.abs(theta))) > HUGE


def run_optimizer(name: str, landscape: Landscape, learning_rate: float,
                  num_steps: int, start: tuple[float, float]) -> RacePath:
    """Step ``num_steps`` times from ``start``; stop early on divergence.

    >>> from core.landscapes import LANDSCAPES
    >>> path = run_optimizer("sgd", LANDSCAPES["bowl"], 0.25, 2, (1.0, -2.0))
    >>> path.positions.tolist()
    [[1.0, -2.0], [0.5, -1.0], [0.25, -0.5]]
    """
    update = step_rule(name, learning_rate)
    theta = np.array(start, dtype=F32)
    positions, state, diverged_at = [theta.copy()], {}, None
    with np.errstate(all="ignore"):  # overflow is what we detect, not an error
        for step in range(num_steps):
            gradient = np.array(landscape.gradient(theta[0], theta[1]), dtype=F32)
            theta = update(theta, gradient, state, step).astype(F32)
            if is_diverged(theta):
                diverged_at = step + 1
                break
            positions.append(theta.copy())
        points = np.array(positions, dtype=np.float64)
        losses = landscape.fn(points[:, 0], points[:, 1])
    return RacePath(name, points, losses, num_steps, diverged_at)


def run_race(landscape: Landscape, names: tuple[str, ...], learning_rate: float,
             num_steps: int, start: tuple[float, float]) -> dict[str, RacePath]:
    """Every optimizer in ``names`` from the same start with the same settings."""
    return {name: run_optimizer(name, landscape, learning_rate, num_steps, start)
            for name in names}


@dataclass(frozen=True)
class PathSummary:
    """What a run did, for the results table and the learning-rate sentences.

    ``outcome`` is one of: "diverged", "arrived", "stuck_saddle", "still"
    (never moved), "not_arrived".
    """

    outcome: str
    final_loss: float
    distance: float  # from the final point to the nearest minimum
    start_distance: float
    arrived_at: int | None  # first step within TOLERANCE of a minimum
    diverged_at: int | None
    travelled: float  # the length of the path
    gradient_norm: float  # at the final point


def summarize_path(path: RacePath, landscape: Landscape) -> PathSummary:
    """Outcome, final loss, distance to the nearest minimum and arrival step."""
    points = path.positions
    distances = np.array([nearest_minimum(landscape, x, y)[1] for x, y in points])
    within = np.flatnonzero(distances < TOLERANCE)
    arrived_at = int(within[0]) if within.size else None
    final = points[-1]
    gradient_norm = float(np.hypot(*landscape.gradient(final[0], final[1])))
    travelled = float(np.sum(np.hypot(*np.diff(points, axis=0).T))) \
        if len(points) > 1 else 0.0
    if path.diverged_at is not None:
        outcome = "diverged"
    elif arrived_at is not None:
        outcome = "arrived"
    elif travelled == 0.0:
        outcome = "still"
    elif gradient_norm < 1e-4 and any(
            np.hypot(final[0] - sx, final[1] - sy) < TOLERANCE
            for sx, sy in landscape.saddles):
        outcome = "stuck_saddle"
    else:
        outcome = "not_arrived"
    return PathSummary(outcome, float(path.losses[-1]), float(distances[-1]),
                       float(distances[0]), arrived_at, path.diverged_at, travelled,
                       gradient_norm)


def thin_path(points: np.ndarray, max_points: int = 200) -> np.ndarray:
    """Indices of at most ``max_points`` evenly spread points, first and last kept.

    >>> thin_path(np.zeros((10, 2)), 4).tolist()
    [0, 3, 6, 9]
    """
    count = len(points)
    if count <= max_points:
        return np.arange(count)
    return np.unique(np.linspace(0, count - 1, max_points).round().astype(int))
