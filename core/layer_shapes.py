"""Each layer's output shape and parameter count, with the arithmetic written out.

One rule per Keras layer kind, each returning a ``LayerResult``: the output shape
(no batch axis), trainable and non-trainable parameters, the parameter formula
with numbers filled in, how the shape came about, and multiply-accumulates per
sample. Shapes follow Keras 3 exactly, including when Keras refuses.

>>> RULES["Dense"]((3072,), make_layer("Dense", (200,)).args, "Dense #1").formula
'(3,072 + 1)·200 = 614,600'
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from core.layer_result import (
    LayerResult,
    Shape,
    ShapeError,
    bad_value,
    check_activation,
    check_flag,
    check_rank,
    known_size,
    n,
    positive_int,
    sample_axis,
    shape_text,
)
from core.layer_spec import make_layer  # noqa: F401  (used by the doctest)
from core.spatial_rules import SPATIAL_RULES


def _last_axis(shape: Shape, label: str) -> int:
    check_rank(shape, 1, None, label, "(…, features)", "")
    if shape[-1] is None:
        raise ShapeError("unknown_dimension", layer=label, shape=shape_text(shape))
    return shape[-1]


def dense(shape: Shape, args: dict, label: str) -> LayerResult:
    """(n_in + 1)·units, on the last axis of any rank."""
    units = positive_int(args["units"], "units", label)
    check_activation(args, label)
    inputs = _last_axis(shape, label)
    bias = check_flag(args, "use_bias", label)
    params = (inputs + bias) * units
    formula = (f"({n(inputs)} + 1)·{n(units)} = {n(params)}" if bias
               else f"{n(inputs)}·{n(units)} = {n(params)}")
    out = (*shape[:-1], units)
    note = "dense_on_image" if len(shape) >= 3 else None
    return LayerResult(out, params, 0, formula, shape_text(out),
                       known_size(shape[:-1]) * inputs * units, note)


def batch_normalization(shape: Shape, args: dict, label: str) -> LayerResult:
    """γ, β learned (if scale/center); moving mean and variance kept: 4 per channel."""
    axis = sample_axis(args["axis"], len(shape), label)
    channels = shape[axis]
    if channels is None:
        raise ShapeError("unknown_dimension", layer=label, shape=shape_text(shape))
    learned = check_flag(args, "center", label) + check_flag(args, "scale", label)
    trainable, fixed = learned * channels, 2 * channels
    formula = f"{learned + 2}·{n(channels)} = {n(trainable + fixed)}"
    return LayerResult(shape, trainable, fixed, formula, shape_text(shape))


def dropout(shape: Shape, args: dict, label: str) -> LayerResult:
    rate = args["rate"]
    if isinstance(rate, bool) or not isinstance(rate, int | float) \
            or not 0 <= rate <= 1:
        raise bad_value(label, "rate", "fraction", rate)
    return LayerResult(shape, shape_formula=shape_text(shape))


def passthrough(shape: Shape, args: dict, label: str) -> LayerResult:
    """Activation, ReLU, LeakyReLU, Softmax: same shape, nothing learned."""
    if "activation" in args:
        check_activation(args, label)
        if args["activation"] is None:
            raise bad_value(label, "activation", "activation", None)
    return LayerResult(shape, shape_formula=shape_text(shape))


def flatten(shape: Shape, args: dict, label: str) -> LayerResult:
    check_rank(shape, 1, None, label, "(…)", "")
    if None in shape:
        out: Shape = (None,)
    else:
        out = (math.prod(shape),)
    parts = "·".join(n(d) for d in shape)
    formula = f"{parts} = {n(out[0])}" if len(shape) > 1 else n(out[0])
    return LayerResult(out, shape_formula=formula)


def reshape(shape: Shape, args: dict, label: str) -> LayerResult:
    target = args["target_shape"]
    if isinstance(target, int) and not isinstance(target, bool):
        target = (target,)
    if not isinstance(target, list | tuple) or not target or any(
            not isinstance(d, int) or isinstance(d, bool) or d == 0 or d < -1
            for d in target) or list(target).count(-1) > 1:
        raise bad_value(label, "target_shape", "target_shape", args["target_shape"])
    if None in shape:  # Keras builds it; the sizes are checked when data arrives
        out = tuple(None if d == -1 else d for d in target)
        return LayerResult(out, shape_formula=f"? = {shape_text(out)}")
    count = math.prod(shape)
    known = math.prod(d for d in target if d != -1)
    if (-1 in target and count % known) or (-1 not in target and count != known):
        raise ShapeError("reshape_mismatch", layer=label, count=count,
                         target=shape_text(tuple(target)))
    out = tuple(count // known if d == -1 else d for d in target)
    return LayerResult(out, shape_formula=f"{n(count)} = {'·'.join(map(n, out))}")


def recurrent(gates: int, extra_bias: int = 0) -> Callable[..., LayerResult]:
    """SimpleRNN (1 gate), LSTM (4), GRU (3, with a second bias when reset_after)."""

    def rule(shape: Shape, args: dict, label: str) -> LayerResult:
        units = positive_int(args["units"], "units", label)
        check_activation(args, label)
        check_rank(shape, 2, 2, label, "(time steps, features)",
                   "hint_sequence")
        features = _last_axis(shape, label)
        bias = check_flag(args, "use_bias", label)
        second = extra_bias if args.get("reset_after", False) else 0
        per_unit = units + features + (bias + second if bias else 0)
        params = gates * per_unit * units
        terms = f"{n(units)} + {n(features)}" + (f" + {bias + second}" if bias else "")
        formula = (f"{gates}·({terms})·{n(units)} = {n(params)}" if gates > 1
                   else f"({terms})·{n(units)} = {n(params)}")
        steps = shape[0]
        sequences = check_flag(args, "return_sequences", label)
        out = (steps, units) if sequences else (units,)
        macs = (steps or 1) * gates * units * (units + features)
        return LayerResult(out, params, 0, formula, shape_text(out), macs)

    return rule


def embedding(shape: Shape, args: dict, label: str) -> LayerResult:
    vocabulary = positive_int(args["input_dim"], "input_dim", label)
    width = positive_int(args["output_dim"], "output_dim", label)
    params = vocabulary * width
    out = (*shape, width)
    return LayerResult(out, params, 0, f"{n(vocabulary)}·{n(width)} = {n(params)}",
                       shape_text(out))


RULES: dict[str, Callable[[Shape, dict[str, Any], str], LayerResult]] = {
    "Dense": dense, "BatchNormalization": batch_normalization, "Dropout": dropout,
    "Activation": passthrough, "ReLU": passthrough, "LeakyReLU": passthrough,
    "Softmax": passthrough, "Flatten": flatten, "Reshape": reshape,
    "SimpleRNN": recurrent(1), "LSTM": recurrent(4), "GRU": recurrent(3, 1),
    "Embedding": embedding, **SPATIAL_RULES,
}
