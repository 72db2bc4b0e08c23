"""Recurrent networks (循环神经网络) in NumPy: the unrolled forward pass, the
parameter counts of SimpleRNN, GRU and LSTM, and the Jacobian product behind
vanishing gradients (梯度消失).

The documents' notation (S1 §9): the hidden state (记忆单元) a⟨t⟩ is carried
forward, and the same W_ax, W_aa, b_a (and W_ya, b_y) are shared by every time
step:

    a⟨t⟩ = tanh(W_aa·a⟨t−1⟩ + W_ax·x⟨t⟩ + b_a),   ŷ⟨t⟩ = W_ya·a⟨t⟩ + b_y.

Keras' ``SimpleRNN`` stores the transposes: ``kernel`` = W_axᵀ (m×n),
``recurrent_kernel`` = W_aaᵀ (n×n), ``bias`` = b_a.

>>> weights = make_weights(num_units=2, num_features=1, seed=0)
>>> steps = rnn_forward(weights, np.array([[0.5], [-1.0]]))
>>> len(steps), steps[0].a_prev.tolist()
(2, [0.0, 0.0])
>>> parameter_count("gru", units=4, features=1)
84
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

KINDS = ("simple_rnn", "gru", "lstm")
KERAS_LAYERS = {"simple_rnn": "SimpleRNN", "gru": "GRU", "lstm": "LSTM"}


@dataclass(frozen=True)
class RnnWeights:
    """W_ax (n×m), W_aa (n×n), b_a (n), W_ya (1×n), b_y (1) in the documents'
    orientation (matrix times column vector)."""

    w_ax: np.ndarray
    w_aa: np.ndarray
    b_a: np.ndarray
    w_ya: np.ndarray
    b_y: np.ndarray

    @property
    def num_units(self) -> int:
        return self.w_aa.shape[0]

    def keras_weights(self) -> list[np.ndarray]:
        """[kernel, recurrent_kernel, bias] as ``SimpleRNN.set_weights`` wants."""
        return [self.w_ax.T.copy(), self.w_aa.T.copy(), self.b_a.copy()]


def make_weights(num_units: int, num_features: int = 1, seed: int = 0,
                 scale: float = 1.0) -> RnnWeights:
    """Seeded weights, uniform in [−scale, scale] (rounded to 2 decimals so the
    step-by-step numbers stay readable)."""
    rng = np.random.default_rng(seed)

    def draw(*shape: int) -> np.ndarray:
        return np.round(rng.uniform(-scale, scale, shape), 2)

    return RnnWeights(draw(num_units, num_features), draw(num_units, num_units),
                      draw(num_units), draw(1, num_units), draw(1))


@dataclass(frozen=True)
class RnnStep:
    """One time step t (1-based) with every intermediate number."""

    t: int
    x: np.ndarray  # x⟨t⟩ (m)
    a_prev: np.ndarray  # a⟨t−1⟩ (n)
    recurrent_part: np.ndarray  # W_aa·a⟨t−1⟩
    input_part: np.ndarray  # W_ax·x⟨t⟩
    z: np.ndarray  # the sum with b_a
    a: np.ndarray  # a⟨t⟩ = tanh(z)
    y_hat: float  # ŷ⟨t⟩ = W_ya·a⟨t⟩ + b_y


def rnn_forward(weights: RnnWeights, x: np.ndarray,
                a0: np.ndarray | None = None) -> list[RnnStep]:
    """Run the cell over ``x`` (shape (T, m)); return every step's numbers.

    Returns:
        T steps; ``[s.a for s in steps]`` equals Keras' ``SimpleRNN(n,
        return_sequences=True)`` output with ``weights.keras_weights()``.
    """
    x = np.asarray(x, dtype=float).reshape(len(x), -1)
    a = np.zeros(weights.num_units) if a0 is None else np.asarray(a0, float)
    steps = []
    for t, x_t in enumerate(x, start=1):
        recurrent_part, input_part = weights.w_aa @ a, weights.w_ax @ x_t
        z = recurrent_part + input_part + weights.b_a
        a_new = np.tanh(z)
        y_hat = float((weights.w_ya @ a_new + weights.b_y)[0])
        steps.append(RnnStep(t, x_t, a, recurrent_part, input_part, z, a_new, y_hat))
        a = a_new
    return steps


def hidden_states(weights: RnnWeights, x: np.ndarray) -> np.ndarray:
    """a⟨1⟩ … a⟨T⟩ as an array of shape (T, n)."""
    return np.array([step.a for step in rnn_forward(weights, x)])


def input_gradient_norms(weights: RnnWeights, x: np.ndarray) -> np.ndarray:
    """‖∂a⟨T⟩/∂x⟨T−k⟩‖ for k = 0 … T−1, by the chain rule through time.

    ∂a⟨t⟩/∂a⟨t−1⟩ = diag(1 − a⟨t⟩²)·W_aa and ∂a⟨t⟩/∂x⟨t⟩ = diag(1 − a⟨t⟩²)·W_ax, so

        ∂a⟨T⟩/∂x⟨T−k⟩ = [Π_{j=T−k+1..T} diag(1 − a⟨j⟩²)·W_aa]·diag(1 − a⟨T−k⟩²)·W_ax.

    Each factor is a matrix product that, when its largest singular value is
    below 1, shrinks the product geometrically with k: the gradient vanishes.

    Returns:
        Frobenius norms, index k (0 = the last step).
    """
    states = hidden_states(weights, x)
    product = np.eye(weights.num_units)  # ∂a⟨T⟩/∂a⟨T−k⟩, grown one step per k
    norms = []
    for k in range(len(states)):
        derivative = 1.0 - states[-1 - k] ** 2
        norms.append(float(np.linalg.norm(product @ (derivative[:, None]
                                                     * weights.w_ax))))
        product = product @ (derivative[:, None] * weights.w_aa)
    return np.array(norms)


# --- parameter counts ---------------------------------------------------------


def parameter_count(kind: str, units: int, features: int) -> int:
    """Trainable parameters of one recurrent layer (Keras' defaults).

    SimpleRNN n(n + m + 1); GRU 3n(n + m + 2) (``reset_after=True`` keeps a
    second bias for the recurrent part of each of the 3 gates); LSTM
    4n(n + m + 1) (four gates, one bias each).

    Raises:
        ValueError: an unknown ``kind``.
    """
    n, m = units, features
    counts = {"simple_rnn": n * (n + m + 1), "gru": 3 * n * (n + m + 2),
              "lstm": 4 * n * (n + m + 1)}
    if kind not in counts:
        raise ValueError(f"Unknown recurrent layer {kind!r}; use one of {KINDS}.")
    return counts[kind]


def dense_head_count(units: int, outputs: int = 1) -> int:
    """Dense(outputs) after n units: n·outputs weights + outputs biases."""
    return units * outputs + outputs


@dataclass(frozen=True)
class ParameterRow:
    """One model's count, as a formula with the user's numbers."""

    kind: str
    formula: str
    substituted: str
    recurrent: int
    head: int

    @property
    def total(self) -> int:
        return self.recurrent + self.head


FORMULAS = {"simple_rnn": ("n(n + m + 1)", 1, 1), "gru": ("3n(n + m + 2)", 3, 2),
            "lstm": ("4n(n + m + 1)", 4, 1)}


def parameter_rows(units: int, features: int) -> list[ParameterRow]:
    """The three layers' counts with the Dense(1) head, formulas filled in.

    >>> parameter_rows(2, 1)[0].substituted
    '2·(2 + 1 + 1) = 8'
    """
    rows = []
    for kind in KINDS:
        formula, gates, biases = FORMULAS[kind]
        factor = f"{gates}·" if gates > 1 else ""
        count = parameter_count(kind, units, features)
        rows.append(ParameterRow(
            kind, formula,
            f"{factor}{units}·({units} + {features} + {biases}) = {count}",
            count, dense_head_count(units)))
    return rows
