"""From our layer list to a real Keras model, and to the Keras code a student types.

``build_keras_model`` imports Keras only when it is called, so lessons that only
count parameters never pay for TensorFlow; it refuses networks too big for the
server before importing anything. ``to_keras_code`` writes the same network as a
runnable script, with only the arguments that differ from Keras' defaults.

>>> from core.layer_spec import make_layer
>>> print(to_keras_code((4,), [make_layer("Dense", (10,), {"activation": "relu"})]))
import keras
from keras import layers
<BLANKLINE>
model = keras.Sequential([
    keras.Input(shape=(4,)),
    layers.Dense(10, activation="relu"),
])
model.summary()
<BLANKLINE>
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from core.layer_spec import (
    LAYER_KINDS,
    PAIR_ARGS,
    REQUIRED,
    ArchitectureError,
    LayerSpec,
    as_pair,
)

# Written even when equal to LAYER_KINDS' default: Keras 3 requires
# AveragePooling2D's pool_size, and the documents always spell the window out.
ALWAYS_WRITTEN = frozenset({"pool_size"})
BYTES_PER_PARAM = 4  # float32 weights
MEBIBYTE = 2**20  # the unit model.summary() uses for "(527.79 MB)"


def build_keras_model(input_shape: Sequence[int | None],
                      layers: Sequence[LayerSpec],
                      max_params: int = 150_000_000,
                      param_count: int | None = None,
                      names: Sequence[str] | None = None) -> Any:
    """Build the network as a functional ``keras.Model`` (imports Keras lazily).

    Each layer is ``getattr(keras.layers, spec.kind)(**spec.args)`` applied to the
    previous output, or, for Concatenate, to the outputs listed in ``spec.inputs``
    (−1 is the network's input).

    Args:
        input_shape: the input's shape without the batch axis, e.g. (32, 32, 3).
        layers: the layers in order.
        max_params: the largest network this server agrees to build.
        param_count: the network's total from our summary, checked against
            ``max_params`` before Keras is imported; None skips the check.
        names: optional Keras names for the layers (our summary's row names).

    Returns:
        The built, uncompiled ``keras.Model``.

    Raises:
        ArchitectureError: "too_big_to_build" when param_count > max_params.
        ValueError: whatever Keras raises for a network it cannot build.

    >>> try:
    ...     build_keras_model((4,), [], max_params=10, param_count=11)
    ... except ArchitectureError as error:
    ...     print(error.code, error.details["limit"])
    too_big_to_build 10
    """
    if param_count is not None and param_count > max_params:
        raise ArchitectureError(
            "too_big_to_build", params=param_count,
            megabytes=param_count * BYTES_PER_PARAM / MEBIBYTE, limit=max_params)
    # Imported here, not at the top: TensorFlow takes seconds and hundreds of MB,
    # and only the lessons that build or train a model should pay for it.
    from core.keras_import import load_keras

    keras = load_keras()

    inputs = keras.Input(shape=tuple(input_shape))
    outputs: list[Any] = []
    for index, spec in enumerate(layers):
        keywords = dict(spec.args)
        if names is not None:
            keywords["name"] = names[index]
        layer = getattr(keras.layers, spec.kind)(**keywords)
        sources = [inputs if j == -1 else outputs[j] for j in spec.inputs]
        if not sources:
            sources = [outputs[-1] if outputs else inputs]
        outputs.append(layer(sources if spec.kind == "Concatenate" else sources[0]))
    return keras.Model(inputs, outputs[-1] if outputs else inputs)


def to_keras_code(input_shape: Sequence[int | None],
                  layers: Sequence[LayerSpec]) -> str:
    """Runnable Keras code for the network: Sequential, or functional if it joins.

    Args:
        input_shape: the input's shape without the batch axis.
        layers: the layers in order.

    Returns:
        A script that imports keras, builds ``model`` and prints its summary.

    >>> from core.layer_spec import make_layer
    >>> layer = make_layer("Conv2D", (16, 3), {"strides": 2, "padding": "same"})
    >>> to_keras_code((8, 8, 1), [layer]).splitlines()[5]
    '    layers.Conv2D(16, (3, 3), strides=(2, 2), padding="same"),'
    """
    shape = _literal(tuple(input_shape))
    lines = ["import keras", "from keras import layers", ""]
    if any(spec.inputs for spec in layers):
        lines += [f"inputs = keras.Input(shape={shape})"]
        for index, spec in enumerate(layers):
            lines.append(f"x{index} = {keras_call(spec)}({_sources(spec, index)})")
        last = f"x{len(layers) - 1}" if layers else "inputs"
        lines.append(f"model = keras.Model(inputs, {last})")
    else:
        lines += ["model = keras.Sequential([", f"    keras.Input(shape={shape}),"]
        lines += [f"    {keras_call(spec)}," for spec in layers]
        lines.append("])")
    return "\n".join([*lines, "model.summary()", ""])


def keras_call(spec: LayerSpec) -> str:
    """``layers.Kind(required, …, keyword=value)`` with non-default arguments only.

    The leading required arguments (units, filters and kernel_size, rate, …) are
    written positionally, as Keras' own examples do; the rest by keyword.

    >>> from core.layer_spec import make_layer
    >>> keras_call(make_layer("Dense", (10,), {"activation": "softmax"}))
    'layers.Dense(10, activation="softmax")'
    """
    defaults = LAYER_KINDS[spec.kind]
    positional, keywords, leading = [], [], True
    for argument, default in defaults.items():
        value = spec.args[argument]
        if default is REQUIRED and leading:
            positional.append(_literal(value))
            continue
        leading = False
        if (argument in ALWAYS_WRITTEN
                or value != _normalised_default(spec.kind, argument, default)):
            value = _compact(spec.kind, argument, value)
            keywords.append(f"{argument}={_literal(value)}")
    return f"layers.{spec.kind}({', '.join(positional + keywords)})"


def _sources(spec: LayerSpec, index: int) -> str:
    """The variable(s) a layer is applied to in the functional form."""
    names = ["inputs" if j == -1 else f"x{j}" for j in spec.inputs]
    if not names:
        names = ["inputs" if index == 0 else f"x{index - 1}"]
    if spec.kind == "Concatenate":
        return f"[{', '.join(names)}]"
    return names[0]


def _normalised_default(kind: str, argument: str, default: Any) -> Any:
    """A default in the form make_layer stores values (pairs as 2-tuples)."""
    if kind == "ZeroPadding2D" and argument == "padding":
        return ((default[0], default[0]), (default[1], default[1]))
    if argument in PAIR_ARGS and default is not None:
        return as_pair(default)
    return default


def _compact(kind: str, argument: str, value: Any) -> Any:
    """ZeroPadding2D's ((t, t), (l, l)) back to (t, l), or t when all equal."""
    if kind != "ZeroPadding2D" or argument != "padding":
        return value
    (top, bottom), (left, right) = value
    if top == bottom and left == right:
        return top if top == left else (top, left)
    return value


def _literal(value: Any) -> str:
    """Python source for a value, with double-quoted strings like Keras' docs."""
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list | tuple):
        items = [_literal(item) for item in value]
        if isinstance(value, list):
            return f"[{', '.join(items)}]"
        return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"
    return repr(value)
