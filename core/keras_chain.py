"""The layers of a functional model, in order, from the tensors that join them.

:mod:`core.keras_parser` records each tensor of a functional snippet
(``x = layers.Dense(8)(x)``) as a ``ChainTensor``: the layer call that made it
and the tensors it took. ``build_chain`` walks back from the output and lists the
layers in call order, checking the model is a chain (each layer takes the one
before) joined only by Concatenate, from a single input.

>>> reader = LayerCallReader("Flatten()")
>>> flatten = ast.parse(reader.source).body[0].value
>>> output = ChainTensor(1, flatten, (ChainTensor(1, shape=(28, 28)),))
>>> shape, layers = build_chain(reader, output, line=1, strict=True)
>>> shape, [layer.kind for layer in layers]
((28, 28), ['Flatten'])
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from core.code_paste import CodeError, last_name
from core.keras_layer_calls import LayerCallReader
from core.layer_spec import ALIASES, LayerSpec, make_layer


@dataclass(eq=False)
class ChainTensor:
    """A tensor of a functional model: an input (``call`` None) or a layer's output."""

    line: int
    call: ast.Call | None = None
    sources: tuple[ChainTensor, ...] = ()
    env: dict = field(default_factory=dict)
    shape: tuple | None = None
    undefined: ast.Name | None = None  # an input name the snippet never defines


def build_chain(reader: LayerCallReader, output: ChainTensor, line: int,
                strict: bool) -> tuple[tuple | None, list[LayerSpec]]:
    """Layers from the model's input to ``output``, in call order.

    A fragment (no ``Model`` call, ``strict`` False) may start from a name it
    never defines; a model must define its input.

    Args:
        reader: the reader of the pasted code, to read each layer call.
        output: the model's output tensor.
        line: the line to blame when the model has several inputs.
        strict: whether the input must be defined in the snippet.

    Returns:
        ``(input_shape, layers)``, the shape None when no Input states it.

    Raises:
        CodeError: several inputs, a layer off the chain, or an undefined input.
    """
    layers: list[LayerSpec] = []
    index: dict[ChainTensor, int] = {}
    roots: list[ChainTensor] = []

    def visit(tensor: ChainTensor) -> int:
        if tensor not in index:
            inputs = tuple(visit(source) for source in tensor.sources)
            if tensor.call is None:
                roots.append(tensor)
            index[tensor] = (_link(reader, tensor, inputs, layers) if tensor.call
                             else -1)
        return index[tensor]

    visit(output)
    if len(roots) > 1:
        raise CodeError("several_inputs", line=line)
    if strict and roots and roots[0].undefined:
        reader.fail("unsupported_value", roots[0].undefined)
    return (roots[0].shape if roots else None), layers


def _link(reader: LayerCallReader, tensor: ChainTensor, inputs: tuple[int, ...],
          layers: list[LayerSpec]) -> int:
    """Append ``tensor``'s layer; only Concatenate may take other than the last."""
    call, env = tensor.call, tensor.env
    if reader.is_concatenate(call):
        positional, keywords = reader.arguments(call, env, skip=1)
        spec = make_layer("Concatenate", positional, keywords, call.lineno, inputs)
    else:
        kind = last_name(call.func)
        joins = ALIASES.get(kind, kind) == "Concatenate"
        spec = reader.layer(call, env, inputs if joins else ())[0]
        if not joins and inputs != (len(layers) - 1,):
            raise CodeError("not_a_chain", line=tensor.line, kind=spec.kind)
    layers.append(spec)
    return len(layers) - 1
