"""What a layer is, as data: its Keras class name and its Keras arguments.

``LAYER_KINDS`` is keyed by Keras class names and holds each layer's arguments
with Keras' own defaults and positional order, so ``make_layer("Conv2D", (16, 3))``
means exactly what ``keras.layers.Conv2D(16, 3)`` means. ``ArchitectureError``
is the one error of the architecture lessons: a ``code`` the UI translates, the
layer it concerns, and the numbers that went wrong.

>>> make_layer("MaxPool2D", (2,)).args["pool_size"]
(2, 2)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

REQUIRED = object()  # marks an argument Keras requires

_CONV = {"filters": REQUIRED, "kernel_size": REQUIRED, "strides": (1, 1),
         "padding": "valid", "data_format": None, "dilation_rate": (1, 1),
         "groups": 1, "activation": None, "use_bias": True}
_CONV_TRANSPOSE = {"filters": REQUIRED, "kernel_size": REQUIRED, "strides": (1, 1),
                   "padding": "valid", "output_padding": None, "data_format": None,
                   "dilation_rate": (1, 1), "activation": None, "use_bias": True}
_POOL = {"pool_size": (2, 2), "strides": None, "padding": "valid",
         "data_format": None}
_GLOBAL_POOL = {"data_format": None, "keepdims": False}
_RNN = {"units": REQUIRED, "activation": "tanh", "use_bias": True,
        "return_sequences": False}
_GATED = {"units": REQUIRED, "activation": "tanh", "recurrent_activation": "sigmoid",
          "use_bias": True, "return_sequences": False}

# Keras class name → {argument: default}, in Keras' positional order.
LAYER_KINDS: dict[str, dict[str, Any]] = {
    "Dense": {"units": REQUIRED, "activation": None, "use_bias": True},
    "Conv2D": dict(_CONV),
    "Conv2DTranspose": dict(_CONV_TRANSPOSE),
    "MaxPooling2D": dict(_POOL),
    "AveragePooling2D": {**_POOL, "pool_size": REQUIRED},  # Keras 3 requires it
    "GlobalAveragePooling2D": dict(_GLOBAL_POOL),
    "GlobalMaxPooling2D": dict(_GLOBAL_POOL),
    "ZeroPadding2D": {"padding": (1, 1), "data_format": None},
    "BatchNormalization": {"axis": -1, "momentum": 0.99, "epsilon": 0.001,
                           "center": True, "scale": True},
    "Dropout": {"rate": REQUIRED, "noise_shape": None, "seed": None},
    "Activation": {"activation": REQUIRED},
    "ReLU": {"max_value": None, "negative_slope": 0.0, "threshold": 0.0},
    "LeakyReLU": {"negative_slope": 0.3},
    "Softmax": {"axis": -1},
    "Flatten": {"data_format": None},
    "Reshape": {"target_shape": REQUIRED},
    "SimpleRNN": dict(_RNN),
    "LSTM": dict(_GATED),
    "GRU": {**_GATED, "reset_after": True},
    "Embedding": {"input_dim": REQUIRED, "output_dim": REQUIRED},
    "Concatenate": {"axis": -1},
}
# Keras spells some layers two ways; summaries use the first name.
ALIASES = {"MaxPool2D": "MaxPooling2D", "AvgPool2D": "AveragePooling2D",
           "AveragePool2D": "AveragePooling2D",
           "GlobalAvgPool2D": "GlobalAveragePooling2D",
           "GlobalMaxPool2D": "GlobalMaxPooling2D",
           "Convolution2D": "Conv2D", "Convolution2DTranspose": "Conv2DTranspose"}
# Accepted anywhere, irrelevant to shapes and parameter counts.
IGNORED_ARGS = frozenset({
    "name", "dtype", "trainable", "kernel_initializer", "bias_initializer",
    "recurrent_initializer", "kernel_regularizer", "bias_regularizer",
    "recurrent_regularizer", "activity_regularizer", "kernel_constraint",
    "bias_constraint", "recurrent_constraint", "dropout", "recurrent_dropout",
    "beta_initializer", "gamma_initializer", "moving_mean_initializer",
    "moving_variance_initializer", "beta_regularizer", "gamma_regularizer",
    "embeddings_initializer", "embeddings_regularizer", "mask_zero", "unroll",
    "return_state", "go_backwards", "stateful", "unit_forget_bias",
    "input_length", "input_shape", "batch_size",
})
PAIR_ARGS = ("kernel_size", "strides", "dilation_rate", "pool_size",
             "output_padding")

MESSAGES = {
    "unknown_layer": "Line {line}: {kind} is not a layer this calculator knows. "
    "Known layers: {known}.",
    "unknown_argument": "Line {line}: {kind} has no argument {argument!r}.",
    "missing_argument": "Line {line}: {kind} needs {argument} (e.g. {example}).",
    "too_many_arguments": "Line {line}: {kind} takes at most {limit} positional "
    "arguments, got {count}.",
    "duplicate_argument": "Line {line}: {kind} got {argument} twice.",
    "bad_value": "{layer}: {argument} must be {expected}, got {value}.",
    "channels_first": "{layer}: data_format='channels_first' is not supported here; "
    "shapes are height × width × channels.",
    "empty": "The network has no layers yet. Add one, pick a preset, or paste code.",
    "bad_input_shape": "The input shape must be whole numbers ≥ 1 (e.g. 32, 32, 3), "
    "got {shape}.",
    "too_small": "{layer}: {arithmetic} — the {window} window no longer fits the "
    "{size} input. Use padding='same', a smaller {what}, or less stride earlier.",
    "needs_rank": "{layer} needs an input of shape {expected}, but gets {shape}. "
    "{hint}",
    "unknown_dimension": "{layer}: the input {shape} has an unknown size (None) "
    "where {layer} must know it.",
    "reshape_mismatch": "{layer}: cannot arrange {count:,} numbers as {target}.",
    "concat_mismatch": "{layer}: shapes {shapes} differ outside the joined axis.",
    "unused_layer": "{layer}: nothing reads this layer's output, so Keras would "
    "leave it out of the model. Connect it, or remove it.",
    "dilation_with_stride": "{layer}: Keras does not allow strides > 1 together "
    "with dilation_rate > 1.",
    "too_big_to_build": "The network has {params:,} parameters ({megabytes:,.0f} MB "
    "of float32 weights), more than the {limit:,} this server builds. Its summary "
    "is shown; make it smaller to build it.",
}


class ArchitectureError(ValueError):
    """A network that cannot be read or built: ``code`` plus the numbers involved.

    ``layer_index`` is the position of the offending layer (0-based, in the list
    of layers) or None when the problem is not one layer's.
    """

    def __init__(self, code: str, layer_index: int | None = None,
                 **details: Any) -> None:
        self.code, self.layer_index, self.details = code, layer_index, details
        super().__init__(MESSAGES[code].format(**details))


@dataclass(frozen=True)
class LayerSpec:
    """One layer: its Keras class name and all its arguments (defaults filled in).

    ``inputs`` is only used by Concatenate: indexes of earlier layers (−1 is the
    network's input) whose outputs it joins; empty means "the previous layer".
    """

    kind: str
    args: dict[str, Any] = field(default_factory=dict)
    inputs: tuple[int, ...] = ()

    def __hash__(self) -> int:
        return hash((self.kind, repr(sorted(self.args.items())), self.inputs))


def canonical_kind(kind: str, line: int = 0) -> str:
    """The registry's name for a Keras class name or alias; unknown → error."""
    kind = ALIASES.get(kind, kind)
    if kind not in LAYER_KINDS:
        raise ArchitectureError("unknown_layer", line=line, kind=kind,
                                known=", ".join(LAYER_KINDS))
    return kind


def make_layer(kind: str, positional: tuple = (), keywords: dict | None = None,
               line: int = 0, inputs: tuple[int, ...] = ()) -> LayerSpec:
    """Bind arguments the way the Keras constructor would, then fill defaults.

    Args:
        kind: a Keras layer class name or alias ("MaxPool2D").
        positional, keywords: the call's arguments, as Python values.
        line: the source line, for messages about pasted code.
        inputs: for Concatenate, which earlier layers it joins.

    Returns:
        A LayerSpec whose ``args`` has every argument of ``LAYER_KINDS[kind]``;
        pair arguments (kernel_size, strides, …) become (rows, columns).

    Raises:
        ArchitectureError: unknown layer or argument, missing or doubled argument.
    """
    name = kind
    kind = canonical_kind(kind, line)
    defaults = LAYER_KINDS[kind]
    if len(positional) > len(defaults):
        raise ArchitectureError("too_many_arguments", line=line, kind=name,
                                limit=len(defaults), count=len(positional))
    args = dict(zip(defaults, positional, strict=False))
    for argument, value in (keywords or {}).items():
        if argument in args:
            raise ArchitectureError("duplicate_argument", line=line, kind=name,
                                    argument=argument)
        if argument not in defaults and argument not in IGNORED_ARGS:
            raise ArchitectureError("unknown_argument", line=line, kind=name,
                                    argument=argument)
        if argument in defaults:
            args[argument] = value
    for argument, default in defaults.items():
        if argument not in args:
            if default is REQUIRED:
                raise ArchitectureError("missing_argument", line=line, kind=name,
                                        argument=argument,
                                        example=_EXAMPLES.get(argument, "1"))
            args[argument] = default
    for argument in PAIR_ARGS:
        if argument in args and args[argument] is not None:
            args[argument] = as_pair(args[argument])
    if kind == "ZeroPadding2D":
        args["padding"] = _padding_pairs(args["padding"])
    return LayerSpec(kind, args, tuple(inputs))


_EXAMPLES = {"units": "Dense(64)", "filters": "Conv2D(32, 3)",
             "kernel_size": "Conv2D(32, 3)", "rate": "Dropout(0.5)",
             "activation": "Activation('relu')", "target_shape": "Reshape((7, 7, 64))",
             "input_dim": "Embedding(1000, 16)", "output_dim": "Embedding(1000, 16)",
             "pool_size": "AveragePooling2D(2)"}


def as_pair(value: Any) -> tuple:
    """3 → (3, 3); [3, 5] → (3, 5); anything else is returned for checking later."""
    if isinstance(value, list | tuple):
        return tuple(value) if len(value) == 2 else tuple(value)
    return (value, value)


def _padding_pairs(value: Any) -> tuple:
    """ZeroPadding2D's padding: 1, (1, 2) or ((top, bottom), (left, right))."""
    if isinstance(value, list | tuple) and len(value) == 2:
        first, second = value
        if isinstance(first, list | tuple) and isinstance(second, list | tuple):
            return (tuple(first), tuple(second))
        return ((first, first), (second, second))
    return ((value, value), (value, value))


def layer_arguments(spec: LayerSpec) -> str:
    """The shortest Keras call arguments that rebuild ``spec`` (inverse of make_layer).

    Required arguments go first, by position; others only when not the default;
    a square pair (3, 3) is written 3.

    >>> layer_arguments(make_layer("Conv2D", (16, (3, 3)), {"padding": "same"}))
    "16, 3, padding='same'"
    """
    defaults = LAYER_KINDS[spec.kind]
    parts: list[str] = []
    for argument, default in defaults.items():
        value = spec.args.get(argument, default)
        if argument in PAIR_ARGS and isinstance(value, tuple) and len(value) == 2 \
                and value[0] == value[1]:
            value = value[0]
        if default is REQUIRED:
            parts.append(repr(value))
        elif _differs(spec.kind, argument, spec.args.get(argument, default)):
            parts.append(f"{argument}={value!r}")
    return ", ".join(parts)


def _differs(kind: str, argument: str, value: Any) -> bool:
    default = LAYER_KINDS[kind][argument]
    if argument in PAIR_ARGS and default is not None:
        default = as_pair(default)
    if kind == "ZeroPadding2D" and argument == "padding":
        default = _padding_pairs(default)
    return value != default
