"""Shape rules of the image layers: Conv2D, its transpose, pooling, zero padding.

Sizes follow Keras (TensorFlow) exactly: "valid" gives ⌊(n − f) / s⌋ + 1 and is
refused when that is 0 or less; "same" gives ⌈n / s⌉; a dilated kernel covers
(f − 1)·d + 1 pixels; a transposed convolution gives n·s + max(f − s, 0) ("valid")
or n·s ("same").

>>> conv_size(32, 4, 2, "same", 1)
(16, '⌈32 / 2⌉ = 16')
"""

from __future__ import annotations

from typing import Any

from core.layer_result import (
    LayerResult,
    Shape,
    ShapeError,
    bad_value,
    check_activation,
    check_flag,
    check_rank,
    n,
    positive_int,
    sample_axis,
    shape_text,
)


def _pair(value: Any, argument: str, label: str, low: int = 1) -> tuple[int, int]:
    """Two whole numbers ≥ ``low`` (1, or 0 for output_padding)."""
    if not isinstance(value, tuple) or len(value) != 2 or any(
            isinstance(v, bool) or not isinstance(v, int) or v < low for v in value):
        raise bad_value(label, argument, "pair" if low else "non_negative", value)
    return value


def _padding(args: dict, label: str) -> str:
    padding = args["padding"]
    if not isinstance(padding, str) or padding.lower() not in ("valid", "same"):
        raise bad_value(label, "padding", "padding", padding)
    if args.get("data_format") not in (None, "channels_last"):
        raise ShapeError("channels_first", layer=label)
    return padding.lower()


def _image(shape: Shape, label: str) -> tuple[int | None, int | None, int]:
    check_rank(shape, 3, 3, label, "(height, width, channels)", "hint_image")
    if shape[2] is None:
        raise ShapeError("unknown_dimension", layer=label, shape=shape_text(shape))
    return shape[0], shape[1], shape[2]


def conv_size(size: int | None, window: int, stride: int, padding: str,
              dilation: int = 1) -> tuple[int | None, str]:
    """Output length along one axis and the arithmetic; ≤ 0 means it does not fit."""
    if size is None:
        return None, "?"
    span = (window - 1) * dilation + 1
    if padding == "same":
        out = -(-size // stride)
        return out, (f"⌈{size} / {stride}⌉ = {out}" if stride > 1 else str(out))
    out = (size - span) // stride + 1
    if stride == 1:
        return out, f"{size} − {span} + 1 = {out}"
    return out, f"⌊({size} − {span}) / {stride}⌋ + 1 = {out}"


def _spatial(shape: Shape, window: tuple[int, int], strides: tuple[int, int],
             padding: str, dilation: tuple[int, int], label: str,
             what: str) -> tuple[tuple[int | None, int | None], str]:
    rows, cols = shape[0], shape[1]
    (out_r, text_r), (out_c, text_c) = (
        conv_size(size, w, s, padding, d)
        for size, w, s, d in zip((rows, cols), window, strides, dilation, strict=True))
    for out, text, size, w, d in ((out_r, text_r, rows, window[0], dilation[0]),
                                  (out_c, text_c, cols, window[1], dilation[1])):
        if out is not None and out <= 0:
            span = (w - 1) * d + 1
            raise ShapeError("too_small", layer=label, arithmetic=text,
                             window=f"{span}×{span}" if window[0] == window[1]
                             else f"{window[0]}×{window[1]}",
                             size=f"{rows}×{cols}", what=what, input_size=size)
    formula = text_r if text_r == text_c else f"{text_r}; {text_c}"
    return (out_r, out_c), formula


def _conv_args(args: dict, label: str) -> tuple:
    """The checks Conv2D and Conv2DTranspose share, in Keras' order."""
    filters = positive_int(args["filters"], "filters", label)
    kernel = _pair(args["kernel_size"], "kernel_size", label)
    strides = _pair(args["strides"], "strides", label)
    dilation = _pair(args["dilation_rate"], "dilation_rate", label)
    padding = _padding(args, label)
    check_activation(args, label)
    bias = check_flag(args, "use_bias", label)
    if max(strides) > 1 and max(dilation) > 1:
        raise ShapeError("dilation_with_stride", layer=label)
    return filters, kernel, strides, dilation, padding, bias


def conv2d(shape: Shape, args: dict, label: str) -> LayerResult:
    """(f·f·c/groups + 1)·k parameters; out ⌊(n − f)/s⌋ + 1 or ⌈n/s⌉."""
    filters, kernel, strides, dilation, padding, bias = _conv_args(args, label)
    groups = positive_int(args["groups"], "groups", label)
    rows, cols, channels = _image(shape, label)
    if channels % groups or filters % groups:
        raise bad_value(label, "groups", "groups", groups)
    (out_r, out_c), shape_formula = _spatial(shape, kernel, strides, padding,
                                             dilation, label, "kernel_size")
    weights = kernel[0] * kernel[1] * (channels // groups)
    params = (weights + bias) * filters
    depth = n(channels) if groups == 1 else f"{n(channels)}/{groups}"
    formula = (f"({kernel[0]}·{kernel[1]}·{depth} + 1)·{n(filters)} = {n(params)}"
               if bias else f"{kernel[0]}·{kernel[1]}·{depth}·{n(filters)} = "
               f"{n(params)}")
    macs = (out_r or 1) * (out_c or 1) * weights * filters
    return LayerResult((out_r, out_c, filters), params, 0, formula, shape_formula,
                       macs)


def _transpose_size(size: int | None, span: int, stride: int, padding: str,
                    extra: int | None) -> tuple[int | None, str]:
    """Keras' deconv_output_length along one axis, with its arithmetic."""
    if size is None:
        return None, "?"
    if extra is None:
        if padding == "same":
            return size * stride, f"{size}·{stride} = {size * stride}"
        out = size * stride + max(span - stride, 0)
        return out, f"{size}·{stride} + max({span} − {stride}, 0) = {out}"
    cut = span // 2 if padding == "same" else 0
    out = (size - 1) * stride + span - 2 * cut + extra
    return out, f"({size} − 1)·{stride} + {span} − 2·{cut} + {extra} = {out}"


def conv2d_transpose(shape: Shape, args: dict, label: str) -> LayerResult:
    """Spreads each pixel over an f×f patch: out n·s + max(f − s, 0) or n·s."""
    filters, kernel, strides, dilation, padding, bias = _conv_args(args, label)
    rows, cols, channels = _image(shape, label)
    extra = args["output_padding"]
    extra = None if extra is None else _pair(extra, "output_padding", label, 0)
    sizes, texts = [], []
    for axis, (size, f, s, d) in enumerate(zip((rows, cols), kernel, strides,
                                                dilation, strict=True)):
        out, text = _transpose_size(size, (f - 1) * d + 1, s, padding,
                                    None if extra is None else extra[axis])
        sizes.append(out)
        texts.append(text)
    weights = kernel[0] * kernel[1] * channels
    params = (weights + bias) * filters
    formula = f"({kernel[0]}·{kernel[1]}·{n(channels)} + {int(bias)})·{n(filters)} = " \
        f"{n(params)}"
    shape_formula = texts[0] if texts[0] == texts[1] else "; ".join(texts)
    macs = (rows or 1) * (cols or 1) * weights * filters
    return LayerResult((sizes[0], sizes[1], filters), params, 0, formula,
                       shape_formula, macs)


def pooling(shape: Shape, args: dict, label: str) -> LayerResult:
    """No weights: each window becomes its maximum or its average."""

    window = _pair(args["pool_size"], "pool_size", label)
    strides = window if args["strides"] is None else _pair(args["strides"],
                                                            "strides", label)
    padding = _padding(args, label)
    rows, cols, channels = _image(shape, label)
    (out_r, out_c), shape_formula = _spatial(shape, window, strides, padding, (1, 1),
                                             label, "pool_size")
    return LayerResult((out_r, out_c, channels), shape_formula=shape_formula)


def global_pooling(shape: Shape, args: dict, label: str) -> LayerResult:

    _padding({"padding": "valid", **{"data_format": args["data_format"]}}, label)
    rows, cols, channels = _image(shape, label)
    keep = check_flag(args, "keepdims", label)
    out = (1, 1, channels) if keep else (channels,)
    return LayerResult(out, shape_formula=shape_text(out))


def zero_padding(shape: Shape, args: dict, label: str) -> LayerResult:

    (top, bottom), (left, right) = args["padding"]
    for value in (top, bottom, left, right):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise bad_value(label, "padding", "non_negative", args["padding"])
    rows, cols, channels = _image(shape, label)
    out = (None if rows is None else rows + top + bottom,
           None if cols is None else cols + left + right, channels)
    formula = f"{rows} + {top} + {bottom} = {out[0]}; {cols} + {left} + {right} = " \
        f"{out[1]}"
    return LayerResult(out, shape_formula=formula)


def concatenate(shapes: list[Shape], args: dict, label: str) -> LayerResult:
    """Joins shapes along ``axis``; every other axis must agree."""

    ranks = {len(s) for s in shapes}
    if len(ranks) != 1:
        raise ShapeError("concat_mismatch", layer=label,
                         shapes=", ".join(map(shape_text, shapes)))
    axis = sample_axis(args["axis"], len(shapes[0]), label)
    for position in range(len(shapes[0])):
        sizes = {s[position] for s in shapes}
        if position != axis and len(sizes) > 1:
            raise ShapeError("concat_mismatch", layer=label,
                             shapes=", ".join(map(shape_text, shapes)))
    joined = [s[axis] for s in shapes]
    total = None if None in joined else sum(joined)
    out = tuple(total if i == axis else shapes[0][i] for i in range(len(shapes[0])))
    return LayerResult(out, shape_formula=" + ".join(map(str, joined)) + f" = {total}")


SPATIAL_RULES = {
    "Conv2D": conv2d, "Conv2DTranspose": conv2d_transpose,
    "MaxPooling2D": pooling, "AveragePooling2D": pooling,
    "GlobalAveragePooling2D": global_pooling, "GlobalMaxPooling2D": global_pooling,
    "ZeroPadding2D": zero_padding,
}
