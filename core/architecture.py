"""A whole network's shapes and parameter counts, row by row like model.summary().

``summarize(input_shape, layers)`` walks the layers (``LayerSpec``) from the input
shape, applying each layer's Keras rule (``core.layer_shapes.RULES``). It stops
at the first layer Keras would refuse with a ``ShapeError`` that names the layer,
shows the arithmetic, and carries the rows that did work (``error.rows``).

>>> from core.layer_spec import make_layer
>>> summary = summarize((32, 32, 3), [make_layer("Flatten"),
...                                   make_layer("Dense", (200,))])
>>> summary.total_params, summary.rows[1].formula
(614600, '(3,072 + 1)·200 = 614,600')
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from core.layer_result import LayerResult, Shape, ShapeError, known_size, shape_text
from core.layer_shapes import RULES
from core.layer_spec import ArchitectureError, LayerSpec, make_layer
from core.spatial_rules import concatenate

__all__ = ["ArchitectureError", "LayerSpec", "ShapeError", "Summary", "SummaryRow",
           "keras_name", "make_layer", "summarize"]
BYTES_PER_NUMBER = 4  # float32


@dataclass(frozen=True)
class SummaryRow:
    """One layer of the summary (shapes without the batch axis)."""

    index: int
    name: str
    kind: str
    input_shape: Shape
    output_shape: Shape
    trainable: int
    non_trainable: int
    formula: str
    shape_formula: str
    macs: int
    note: str | None

    @property
    def params(self) -> int:
        return self.trainable + self.non_trainable


@dataclass(frozen=True)
class Summary:
    """The network's rows and totals, as Keras' ``model.summary()`` reports them."""

    input_shape: Shape
    rows: tuple[SummaryRow, ...]

    @property
    def output_shape(self) -> Shape:
        return self.rows[-1].output_shape if self.rows else self.input_shape

    @property
    def trainable_params(self) -> int:
        return sum(row.trainable for row in self.rows)

    @property
    def non_trainable_params(self) -> int:
        return sum(row.non_trainable for row in self.rows)

    @property
    def total_params(self) -> int:
        return self.trainable_params + self.non_trainable_params

    @property
    def param_bytes(self) -> int:
        """Weights as float32, as saved or held in memory."""
        return self.total_params * BYTES_PER_NUMBER

    @property
    def activation_bytes(self) -> int:
        """Float32 values one sample produces, the input and every layer's output
        (unknown lengths counted as 1)."""
        shapes = [self.input_shape] + [row.output_shape for row in self.rows]
        return sum(known_size(shape) for shape in shapes) * BYTES_PER_NUMBER

    @property
    def total_macs(self) -> int:
        return sum(row.macs for row in self.rows)

    @property
    def largest_row(self) -> SummaryRow | None:
        """Where most weights sit (often the first Dense after Flatten)."""
        return max(self.rows, key=lambda row: row.params, default=None)


def keras_name(kind: str) -> str:
    """Keras' automatic layer name: Conv2D → conv2d, LeakyReLU → leaky_re_lu."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", kind)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def layer_label(index: int, spec: LayerSpec) -> str:
    """How messages name a layer: "Conv2D #3" (counting from 1)."""
    return f"{spec.kind} #{index + 1}"


def check_input_shape(input_shape: Sequence) -> Shape:
    """Whole numbers ≥ 1 (or None for a length not fixed in advance)."""
    shape = tuple(input_shape) if isinstance(input_shape, list | tuple) else None
    if not shape or any(d is not None and (isinstance(d, bool) or not isinstance(d, int)
                                           or d < 1) for d in shape):
        raise ArchitectureError("bad_input_shape", shape=repr(input_shape))
    return shape


def _apply(index: int, spec: LayerSpec, shapes: list[Shape]) -> LayerResult:
    label = layer_label(index, spec)
    if spec.kind == "Concatenate":
        sources = spec.inputs or (index - 1,)
        if any(not -1 <= source < index for source in sources):
            raise ShapeError("concat_mismatch", index, layer=label,
                             shapes=repr(sources))
        return concatenate([shapes[source + 1] for source in sources], spec.args,
                           label)
    return RULES[spec.kind](shapes[index], spec.args, label)


def summarize(input_shape: Sequence, layers: Sequence[LayerSpec]) -> Summary:
    """Every layer's output shape, parameters, formula and work, for one sample.

    Args:
        input_shape: the input's shape without the batch axis, e.g. (32, 32, 3).
        layers: the network, first layer first.

    Returns:
        A Summary; its totals match Keras' ``count_params()``.

    Raises:
        ArchitectureError: "empty" or "bad_input_shape".
        ShapeError: at the first layer Keras would refuse; ``layer_index`` is its
            position and ``rows`` the rows before it.
    """
    shape = check_input_shape(input_shape)
    if not layers:
        raise ArchitectureError("empty")
    shapes: list[Shape] = [shape]  # shapes[i] is layer i's input
    rows: list[SummaryRow] = []
    counts: dict[str, int] = {}
    for index, spec in enumerate(layers):
        try:
            result = _apply(index, spec, shapes)
        except ShapeError as error:
            error.layer_index, error.rows = index, tuple(rows)
            raise
        base = keras_name(spec.kind)
        count = counts.get(base, 0)
        counts[base] = count + 1
        rows.append(SummaryRow(
            index, base if count == 0 else f"{base}_{count}", spec.kind,
            shapes[index], result.output_shape, result.trainable,
            result.non_trainable, result.formula, result.shape_formula, result.macs,
            result.note))
        shapes.append(result.output_shape)
    _check_all_used(layers, rows)
    return Summary(shape, tuple(rows))


def _check_all_used(layers: Sequence[LayerSpec], rows: list[SummaryRow]) -> None:
    """A layer whose output nothing reads would not be part of the Keras model."""
    used = {len(layers) - 1}
    for index, spec in enumerate(layers):
        used.update(spec.inputs or (index - 1,))
    for index, spec in enumerate(layers):
        if index not in used:
            error = ShapeError("unused_layer", index, layer=layer_label(index, spec))
            error.rows = tuple(rows[:index])
            raise error


def describe_shape(shape: Shape) -> str:
    """(None, 16, 16, 10) as Keras prints it, with the batch axis."""
    return shape_text((None, *shape))
