"""Runnable code for the current settings of a lesson ("show me the code").

Every string returned here is a complete Python script; the test suite runs them.
"""

from __future__ import annotations

from typing import Any

from core.activations import ACTIVATIONS, resolve_params

# Stand-alone NumPy definitions a student can paste: f and f′ side by side.
_NUMPY_DEFS = {
    "linear": ("x", "np.ones_like(x)"),
    "step": ("np.where(x >= 0, 1.0, 0.0)", "np.zeros_like(x)  # 0 everywhere"),
    "sigmoid": ("1 / (1 + np.exp(-x))", "sigmoid(x) * (1 - sigmoid(x))"),
    "tanh": ("np.tanh(x)", "1 - np.tanh(x) ** 2"),
    "relu": ("np.maximum(0, x)", "np.where(x > 0, 1.0, 0.0)"),
    "leaky_relu": ("np.where(x > 0, x, negative_slope * x)",
                   "np.where(x > 0, 1.0, negative_slope)"),
    "elu": ("np.where(x > 0, x, alpha * (np.exp(x) - 1))",
            "np.where(x > 0, 1.0, alpha * np.exp(x))"),
    "selu": ("SCALE * np.where(x > 0, x, ALPHA * (np.exp(x) - 1))",
             "SCALE * np.where(x >= 0, 1.0, ALPHA * np.exp(x))"),
    "softplus": ("np.log1p(np.exp(x))", "1 / (1 + np.exp(-x))"),
    "softsign": ("x / (1 + np.abs(x))", "1 / (1 + np.abs(x)) ** 2"),
    "swish": ("x / (1 + np.exp(-x))",
              "sigmoid(x) + x * sigmoid(x) * (1 - sigmoid(x))"),
    "gelu": ("0.5 * x * (1 + erf(x / np.sqrt(2)))",
             "0.5 * (1 + erf(x / np.sqrt(2)))"
             " + x * np.exp(-x**2 / 2) / np.sqrt(2 * np.pi)"),
    "gelu_approximate": (
        "0.5 * x * (1 + np.tanh(C * (x + 0.044715 * x**3)))",
        "0.5 * (1 + np.tanh(C * (x + 0.044715 * x**3))) + 0.5 * x * "
        "(1 - np.tanh(C * (x + 0.044715 * x**3)) ** 2) * C * (1 + 3 * 0.044715 * x**2)",
    ),
    "hard_sigmoid": ("np.clip(x / 6 + 0.5, 0, 1)",
                     "np.where(np.abs(x) < 3, 1 / 6, 0.0)"),
}

_PREAMBLES = {
    "selu": "SCALE, ALPHA = 1.0507009873554805, 1.6732632423543772",
    "gelu": "erf = np.vectorize(math.erf)",
    "gelu_approximate": "C = np.sqrt(2 / np.pi)",
}


def _call_args(params: dict[str, Any]) -> str:
    return "".join(f", {key}={value!r}" for key, value in params.items())


def _numeric_params(name: str, params: dict[str, dict[str, Any]]) -> dict[str, Any]:
    merged = resolve_params(name, params.get(name))
    return {k: v for k, v in merged.items() if k != "approximate"}


def _numpy_key(name: str, params: dict[str, dict[str, Any]]) -> str:
    if name == "gelu" and resolve_params(name, params.get(name))["approximate"]:
        return "gelu_approximate"
    return name


def numpy_activation_code(
    names: list[str], params: dict[str, dict[str, Any]], x_min: float, x_max: float
) -> str:
    """A NumPy script defining f and f′ for each element-wise name and printing them.

    >>> "def relu(x)" in numpy_activation_code(["relu"], {}, -3, 3)
    True
    """
    used = [n for n in names if ACTIVATIONS[n].elementwise]
    lines = ["import math", "", "import numpy as np", "", ""]
    if any(n in ("swish", "softplus") for n in used) and "sigmoid" not in used:
        lines += ["def sigmoid(x):", "    return 1 / (1 + np.exp(-x))", "", ""]
    for name in used:
        key = _numpy_key(name, params)
        signature = _call_args(_numeric_params(name, params))
        f_src, d_src = _NUMPY_DEFS[key]
        if key in _PREAMBLES:
            lines += [_PREAMBLES[key], ""]
        lines += [f"def {name}(x{signature}):", f"    return {f_src}", "", ""]
        lines += [f"def {name}_derivative(x{signature}):", f"    return {d_src}",
                  "", ""]
    lines += [f"x = np.linspace({float(x_min)!r}, {float(x_max)!r}, 9)",
              "print('x', x.round(3))"]
    for name in used:
        call = _call_args(_numeric_params(name, params))
        lines += [f"print('{name}', {name}(x{call}).round(4))",
                  f"print('{name} derivative', {name}_derivative(x{call}).round(4))"]
    return "\n".join(lines) + "\n"


def _keras_layer_lines(name: str, params: dict[str, Any]) -> list[str]:
    """Two ways to put ``name`` into a model: inside Dense, or as its own layer."""
    defaults = ACTIVATIONS[name].params
    custom = {k: v for k, v in params.items() if defaults.get(k) != v}
    if name == "step":
        return ["    # Keras has no step activation: its gradient is 0 everywhere,",
                "    # so gradient descent could not learn through it. A Lambda can",
                "    # still show it:",
                "    layers.Dense(200),",
                '    layers.Lambda(lambda z: keras.ops.cast(z >= 0, "float32")),']
    if name == "leaky_relu" and custom:
        return ["    layers.Dense(200),",
                f"    layers.LeakyReLU(negative_slope={params['negative_slope']!r}),"]
    if name == "elu" and custom:
        return ["    layers.Dense(200),", f"    layers.ELU(alpha={params['alpha']!r}),"]
    if name == "gelu" and custom:
        return ["    layers.Dense(200),",
                "    layers.Activation(lambda z: keras.activations.gelu(z, "
                "approximate=True)),"]
    return [f'    layers.Dense(200, activation="{name}"),  # inside the layer',
            "    layers.Dense(150),                          # or as its own layer",
            f'    layers.Activation("{name}"),']


def keras_activation_code(name: str, params: dict[str, Any] | None = None) -> str:
    """A Keras script: the activation on a few values, its derivative by autodiff
    (tf.GradientTape), and the two ways to use it in a model."""
    merged = resolve_params(name, params)
    header = ['import os', '', 'os.environ["KERAS_BACKEND"] = "tensorflow"', '',
              'import keras', 'import numpy as np', 'import tensorflow as tf',
              'from keras import layers', '',
              'x = tf.constant(np.linspace(-4, 4, 9), dtype="float32")',
              'with tf.GradientTape() as tape:', '    tape.watch(x)']
    if name == "step":
        header += ['    y = keras.ops.cast(x >= 0, "float32")  # no Keras built-in']
    else:
        header += [f"    y = keras.activations.{name}(x{_call_args(merged)})"]
    header += ['print("f(x) ", np.round(y.numpy(), 4))',
               'print("f\'(x)", tape.gradient(y, x))  # autodiff; None for step',
               '', 'model = keras.Sequential([', '    keras.Input(shape=(3072,)),']
    footer = ['    layers.Dense(10, activation="softmax"),', '])', 'model.summary()']
    return "\n".join(header + _keras_layer_lines(name, merged) + footer) + "\n"


def softmax_code(logits: list[float], temperature: float) -> str:
    """NumPy and Keras softmax with a temperature, printed side by side."""
    return "\n".join([
        'import os', '', 'os.environ["KERAS_BACKEND"] = "tensorflow"', '',
        'import keras', 'import numpy as np', '', '',
        'def softmax(z, temperature=1.0):',
        '    z = np.asarray(z, dtype=float) / temperature',
        '    e = np.exp(z - z.max())  # subtract the max: no overflow for big logits',
        '    return e / e.sum()', '', '',
        f'logits = np.array({[float(v) for v in logits]!r})',
        f'temperature = {float(temperature)!r}',
        'print("NumPy", softmax(logits, temperature).round(4))',
        'keras_probs = keras.activations.softmax(logits[None, :] / temperature)',
        'print("Keras", keras.ops.convert_to_numpy(keras_probs)[0].round(4))',
    ]) + "\n"
