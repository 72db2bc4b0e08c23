"""What one layer does to a shape, and the checks every shape rule shares.

>>> shape_text((3072,))
'(3072,)'
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from core.layer_spec import ArchitectureError

Shape = tuple[int | None, ...]
KERAS_ACTIVATIONS = frozenset({
    "linear", "relu", "relu6", "sigmoid", "hard_sigmoid", "tanh", "softmax",
    "log_softmax", "elu", "selu", "gelu", "swish", "silu", "softplus", "softsign",
    "exponential", "leaky_relu", "mish", "hard_silu", "hard_swish", "celu", "glu",
    "sparse_plus", "squareplus", "tanh_shrink", "hard_tanh", "soft_shrink",
    "hard_shrink", "threshold", "sparsemax"})
RANK_HINTS = {
    "hint_image": "Image layers need height × width × channels: put Flatten after "
    "the last image layer, or give a 2-D input a channel axis, e.g. (28, 28, 1).",
    "hint_sequence": "Recurrent layers need (time steps, features): e.g. (None, 1) "
    "for one number per step, or an Embedding before them.",
}


EXPECTED = {
    "positive": "a whole number ≥ 1",
    "pair": "a whole number ≥ 1 or a pair of them",
    "non_negative": "whole numbers ≥ 0",
    "activation": "the name of a Keras activation such as 'relu'",
    "flag": "True or False",
    "fraction": "a fraction between 0 and 1",
    "padding": "'valid' or 'same'",
    "target_shape": "whole numbers ≥ 1, with at most one −1",
    "axis": "an axis between {low} and {high}, but not 0 (the batch axis)",
    "groups": "a number that divides both the input channels and the filters",
}


class ShapeError(ArchitectureError):
    """A layer that cannot take the shape it receives (Keras would refuse too)."""


def bad_value(label: str, argument: str, expected_code: str, value: Any,
              **extra: Any) -> ShapeError:
    """The error for an argument Keras would not accept (``raise bad_value(…)``)."""
    return ShapeError("bad_value", layer=label, argument=argument,
                      expected=EXPECTED[expected_code].format(**extra),
                      expected_code=expected_code, value=repr(value), **extra)


@dataclass(frozen=True)
class LayerResult:
    """What one layer does to the shape and how many numbers it learns."""

    output_shape: Shape
    trainable: int = 0
    non_trainable: int = 0
    formula: str = "0"
    shape_formula: str = ""
    macs: int = 0
    note: str | None = None  # a hint code, e.g. "dense_on_image"


def n(value: int | None) -> str:
    """A number as the documents print it: 614,600; None as "?"."""
    return "?" if value is None else f"{value:,}"


def shape_text(shape: Shape) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + \
        ("," if len(shape) == 1 else "") + ")"


def known_size(shape: Shape) -> int:
    """Numbers per sample, counting unknown (None) axes as 1."""
    return math.prod(d for d in shape if d is not None)


def check_rank(shape: Shape, low: int, high: int | None, label: str,
               expected: str, hint: str) -> None:
    if len(shape) < low or (high is not None and len(shape) > high):
        raise ShapeError("needs_rank", layer=label, expected=expected,
                         shape=shape_text(shape), hint=RANK_HINTS.get(hint, ""),
                         hint_code=hint)


def positive_int(value: Any, argument: str, label: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise bad_value(label, argument, "positive", value)
    return value


def check_activation(args: dict, label: str, argument: str = "activation") -> None:
    value = args[argument]
    if value is not None and (not isinstance(value, str)
                              or value.lower() not in KERAS_ACTIVATIONS):
        raise bad_value(label, argument, "activation", value)


def check_flag(args: dict, argument: str, label: str) -> bool:
    if not isinstance(args[argument], bool):
        raise bad_value(label, argument, "flag", args[argument])
    return args[argument]


def sample_axis(axis: Any, rank: int, label: str) -> int:
    """Keras' ``axis`` counts the batch axis: 1 … rank or −rank … −1 → 0 … rank − 1.

    >>> sample_axis(-1, 3, "BatchNormalization #1"), sample_axis(1, 3, "")
    (2, 0)
    """
    if isinstance(axis, bool) or not isinstance(axis, int) or axis == 0 \
            or not -rank <= axis <= rank:
        raise bad_value(label, "axis", "axis", axis, low=-rank, high=rank)
    return axis - 1 if axis > 0 else axis + rank
