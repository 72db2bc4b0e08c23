"""Activation functions and their derivatives, in NumPy, matching Keras 3.

Each entry of ``ACTIVATIONS`` (keyed by its Keras name) keeps a function and its
derivative side by side, with LaTeX formulas, its output range and default
parameters. Everything is computed in float64 with numerically stable formulas,
so an x-range of ±100 never overflows.

>>> float(ACTIVATIONS["relu"].fn(np.array(-2.0)))
0.0
>>> float(ACTIVATIONS["sigmoid"].derivative(np.array(0.0)))
0.25
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
from scipy.special import erf

ArrayFn = Callable[..., np.ndarray]

# SELU's fixed constants (Klambauer et al., 2017), as Keras uses them.
SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805


@dataclass(frozen=True)
class OutputRange:
    """The set of values an activation can output.

    Args:
        low: infimum of the outputs.
        high: supremum of the outputs.
        latex: the interval as LaTeX, with open/closed ends.
    """

    low: float
    high: float
    latex: str


@dataclass(frozen=True)
class Activation:
    """One activation: f and f′ together, their formulas, range and parameters."""

    name: str
    fn: ArrayFn
    derivative: ArrayFn
    formula: str
    derivative_formula: str
    range_fn: Callable[..., OutputRange]
    params: dict[str, Any] = field(default_factory=dict)
    saturating: bool = False
    elementwise: bool = True
    keras_name: str | None = None

    @property
    def range(self) -> OutputRange:
        """Output range with the default parameters."""
        return self.range_fn(**self.params)

    def output_range(self, **params: Any) -> OutputRange:
        """Output range for the given parameters (defaults fill the rest)."""
        return self.range_fn(**resolve_params(self.name, params))


def _as_float(x: Any) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def _sigmoid(x: Any) -> np.ndarray:
    # 0.5·(1 + tanh(x/2)) equals 1/(1+e^−x) and never overflows.
    return 0.5 * (1.0 + np.tanh(0.5 * _as_float(x)))


def _where_positive(x: np.ndarray, positive: Any, other: Any) -> np.ndarray:
    return np.where(x > 0, positive, other)


def _linear(x):
    return _as_float(x)


def _linear_d(x):
    return np.ones_like(_as_float(x))


def _step(x):
    return (_as_float(x) >= 0).astype(np.float64)


def _step_d(x):
    # Zero everywhere (undefined at 0): gradient descent gets no signal from it.
    return np.zeros_like(_as_float(x))


def _sigmoid_d(x):
    s = _sigmoid(x)
    return s * (1.0 - s)


def _tanh(x):
    return np.tanh(_as_float(x))


def _tanh_d(x):
    return 1.0 - np.tanh(_as_float(x)) ** 2


def _relu(x):
    return np.maximum(_as_float(x), 0.0)


def _relu_d(x):
    return (_as_float(x) > 0).astype(np.float64)


def _leaky_relu(x, negative_slope=0.2):
    x = _as_float(x)
    return _where_positive(x, x, negative_slope * x)


def _leaky_relu_d(x, negative_slope=0.2):
    return _where_positive(_as_float(x), 1.0, negative_slope)


def _elu(x, alpha=1.0):
    x = _as_float(x)
    return _where_positive(x, x, alpha * np.expm1(np.minimum(x, 0.0)))


def _elu_d(x, alpha=1.0):
    x = _as_float(x)
    return _where_positive(x, 1.0, alpha * np.exp(np.minimum(x, 0.0)))


def _selu(x):
    return SELU_SCALE * _elu(x, alpha=SELU_ALPHA)


def _selu_d(x):
    # TensorFlow takes the positive branch at exactly 0 (λ, not λα); so do we.
    x = _as_float(x)
    return SELU_SCALE * np.where(x >= 0, 1.0, SELU_ALPHA * np.exp(np.minimum(x, 0.0)))


def _softplus(x):
    return np.logaddexp(0.0, _as_float(x))


def _softsign(x):
    x = _as_float(x)
    return x / (1.0 + np.abs(x))


def _softsign_d(x):
    return 1.0 / (1.0 + np.abs(_as_float(x))) ** 2


def _swish(x):
    x = _as_float(x)
    return x * _sigmoid(x)


def _swish_d(x):
    x = _as_float(x)
    s = _sigmoid(x)
    return s + x * s * (1.0 - s)


_GELU_C = math.sqrt(2.0 / math.pi)


def _gelu(x, approximate=False):
    x = _as_float(x)
    if approximate:
        return 0.5 * x * (1.0 + np.tanh(_GELU_C * (x + 0.044715 * x**3)))
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


def _gelu_d(x, approximate=False):
    x = _as_float(x)
    if approximate:
        inner = _GELU_C * (x + 0.044715 * x**3)
        t = np.tanh(inner)
        d_inner = _GELU_C * (1.0 + 3 * 0.044715 * x**2)
        return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t**2) * d_inner
    cdf = 0.5 * (1.0 + erf(x / math.sqrt(2.0)))
    pdf = np.exp(-0.5 * x**2) / math.sqrt(2.0 * math.pi)
    return cdf + x * pdf


def _hard_sigmoid(x):
    # Keras 3: relu6(x + 3) / 6.
    return np.clip(_as_float(x) / 6.0 + 0.5, 0.0, 1.0)


def _hard_sigmoid_d(x):
    x = _as_float(x)
    return np.where((x > -3.0) & (x < 3.0), 1.0 / 6.0, 0.0)


def _softmax(x, temperature=1.0, axis=-1):
    z = _as_float(x) / temperature
    with np.errstate(over="ignore"):  # z − max may reach −inf; exp(−inf) = 0 is right
        z = z - np.max(z, axis=axis, keepdims=True)  # stable: largest exponent is 0
    e = np.exp(z)
    return e / np.sum(e, axis=axis, keepdims=True)


def _softmax_d(x, temperature=1.0, axis=-1):
    # The Jacobian's diagonal ∂y_i/∂x_i; softmax_jacobian gives the whole matrix.
    y = _softmax(x, temperature=temperature, axis=axis)
    return y * (1.0 - y) / temperature


def softmax_jacobian(x: Any, temperature: float = 1.0) -> np.ndarray:
    """Jacobian of softmax(x / T) for one vector: J_ij = y_i (δ_ij − y_j) / T.

    Args:
        x: a 1-D vector of logits.
        temperature: T > 0.

    Returns:
        An (n, n) array.

    >>> softmax_jacobian([0.0, 0.0]).round(3).tolist()
    [[0.25, -0.25], [-0.25, 0.25]]
    """
    y = _softmax(np.ravel(_as_float(x)), temperature=temperature)
    return (np.diag(y) - np.outer(y, y)) / temperature


def _min_of(fn: ArrayFn, low: float, high: float) -> float:
    """Global minimum of a smooth 1-D function on [low, high], found numerically."""
    x = np.linspace(low, high, 20001)
    i = int(np.argmin(fn(x)))
    fine = np.linspace(x[max(i - 1, 0)], x[min(i + 1, x.size - 1)], 20001)
    return float(np.min(fn(fine)))


def _fixed(low: float, high: float, latex: str) -> Callable[..., OutputRange]:
    return lambda **_: OutputRange(low, high, latex)


_INF = math.inf
_SWISH_MIN = _min_of(_swish, -5.0, 0.0)
_GELU_MIN = _min_of(_gelu, -5.0, 0.0)


def _elu_range(alpha=1.0, **_):
    return OutputRange(-alpha, _INF, rf"(-{alpha:g},\ \infty)")


def _leaky_range(negative_slope=0.2, **_):
    if negative_slope == 0:  # plain ReLU
        return OutputRange(0.0, _INF, r"[0,\ \infty)")
    return OutputRange(-_INF, _INF, r"(-\infty,\ \infty)")


def _gelu_range(approximate=False, **_):
    low = _min_of(lambda x: _gelu(x, approximate=approximate), -5.0, 0.0)
    return OutputRange(low, _INF, rf"[{low:.4f},\ \infty)")


_CASES = r"\begin{cases} %s & x > 0 \\ %s & x \le 0 \end{cases}"

ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in [
        Activation(
            "linear", _linear, _linear_d, r"f(x) = x", r"f'(x) = 1",
            _fixed(-_INF, _INF, r"(-\infty,\ \infty)"), keras_name="linear",
        ),
        Activation(
            "step", _step, _step_d,
            r"f(x) = \begin{cases} 1 & x \ge 0 \\ 0 & x < 0 \end{cases}",
            r"f'(x) = 0 \quad (x \ne 0;\ \text{undefined at } 0)",
            _fixed(0.0, 1.0, r"\{0,\ 1\}"),
        ),
        Activation(
            "sigmoid", _sigmoid, _sigmoid_d, r"\sigma(x) = \frac{1}{1 + e^{-x}}",
            r"\sigma'(x) = \sigma(x)\,\bigl(1 - \sigma(x)\bigr)",
            _fixed(0.0, 1.0, r"(0,\ 1)"), saturating=True, keras_name="sigmoid",
        ),
        Activation(
            "tanh", _tanh, _tanh_d,
            r"\tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}",
            r"\tanh'(x) = 1 - \tanh^2(x)",
            _fixed(-1.0, 1.0, r"(-1,\ 1)"), saturating=True, keras_name="tanh",
        ),
        Activation(
            "relu", _relu, _relu_d, r"f(x) = \max(0,\ x)",
            r"f'(x) = " + _CASES % ("1", "0"),
            _fixed(0.0, _INF, r"[0,\ \infty)"), keras_name="relu",
        ),
        Activation(
            "leaky_relu", _leaky_relu, _leaky_relu_d,
            r"f(x) = " + _CASES % ("x", r"a\,x"),
            r"f'(x) = " + _CASES % ("1", "a"),
            _leaky_range, params={"negative_slope": 0.2}, keras_name="leaky_relu",
        ),
        Activation(
            "elu", _elu, _elu_d,
            r"f(x) = " + _CASES % ("x", r"\alpha\,(e^{x} - 1)"),
            r"f'(x) = " + _CASES % ("1", r"\alpha\,e^{x}"),
            _elu_range, params={"alpha": 1.0}, saturating=True, keras_name="elu",
        ),
        Activation(
            "selu", _selu, _selu_d,
            r"f(x) = \lambda " + _CASES % ("x", r"\alpha\,(e^{x} - 1)")
            + r",\ \lambda \approx 1.0507,\ \alpha \approx 1.6733",
            r"f'(x) = \lambda " + _CASES % ("1", r"\alpha\,e^{x}"),
            _fixed(-SELU_SCALE * SELU_ALPHA, _INF,
                   rf"({-SELU_SCALE * SELU_ALPHA:.4f},\ \infty)"),
            saturating=True, keras_name="selu",
        ),
        Activation(
            "softplus", _softplus, _sigmoid,
            r"f(x) = \log\bigl(1 + e^{x}\bigr)",
            r"f'(x) = \sigma(x) = \frac{1}{1 + e^{-x}}",
            _fixed(0.0, _INF, r"(0,\ \infty)"), saturating=True, keras_name="softplus",
        ),
        Activation(
            "softsign", _softsign, _softsign_d, r"f(x) = \frac{x}{1 + |x|}",
            r"f'(x) = \frac{1}{(1 + |x|)^2}",
            _fixed(-1.0, 1.0, r"(-1,\ 1)"), saturating=True, keras_name="softsign",
        ),
        Activation(
            "swish", _swish, _swish_d, r"f(x) = x\,\sigma(x)",
            r"f'(x) = \sigma(x) + x\,\sigma(x)\,\bigl(1 - \sigma(x)\bigr)",
            _fixed(_SWISH_MIN, _INF, rf"[{_SWISH_MIN:.4f},\ \infty)"),
            keras_name="swish",
        ),
        Activation(
            "gelu", _gelu, _gelu_d,
            r"f(x) = x\,\Phi(x) = \frac{x}{2}\Bigl(1 + \operatorname{erf}"
            r"\bigl(\tfrac{x}{\sqrt{2}}\bigr)\Bigr)",
            r"f'(x) = \Phi(x) + x\,\varphi(x)",
            _gelu_range, params={"approximate": False}, keras_name="gelu",
        ),
        Activation(
            "hard_sigmoid", _hard_sigmoid, _hard_sigmoid_d,
            r"f(x) = \max\Bigl(0,\ "
            r"\min\bigl(1,\ \tfrac{x}{6} + \tfrac{1}{2}\bigr)\Bigr)",
            r"f'(x) = \begin{cases} \tfrac{1}{6} & |x| < 3 \\ 0 & |x| \ge 3 "
            r"\end{cases}",
            _fixed(0.0, 1.0, r"[0,\ 1]"), saturating=True, keras_name="hard_sigmoid",
        ),
        Activation(
            "softmax", _softmax, _softmax_d,
            r"y_i = \frac{e^{x_i / T}}{\sum_j e^{x_j / T}}",
            r"\frac{\partial y_i}{\partial x_j} = \frac{y_i\,(\delta_{ij} - y_j)}{T}",
            _fixed(0.0, 1.0, r"(0,\ 1),\ \textstyle\sum_i y_i = 1"),
            params={"temperature": 1.0}, saturating=True, elementwise=False,
            keras_name="softmax",
        ),
    ]
}


def resolve_params(name: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    """Defaults of activation ``name`` overridden by ``params``, checked.

    Raises:
        KeyError: ``name`` is not in ACTIVATIONS.
        ValueError: an unknown parameter, or a temperature that is not > 0.
    """
    activation = ACTIVATIONS[name]
    given = dict(params or {})
    unknown = set(given) - set(activation.params)
    if unknown:
        raise ValueError(f"{name} has no parameter(s) {sorted(unknown)}")
    merged = {**activation.params, **given}
    if "temperature" in merged and not merged["temperature"] > 0:
        raise ValueError("softmax temperature must be greater than 0")
    return merged
