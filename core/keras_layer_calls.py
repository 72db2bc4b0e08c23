"""Keras layer calls in pasted code: which calls build layers, and what each builds.

``LayerCallReader`` tells a layer constructor (``Dense(8)``, ``layers.Conv2D``,
``tf.keras.layers.Input``) from any other call, and reads one into a
:class:`~core.layer_spec.LayerSpec` with Keras 2 spellings (``alpha``,
``input_dim``) brought up to date. Following statements, models and chains of
layers is :mod:`core.keras_parser`'s job.

>>> reader = LayerCallReader("Dense(8, input_dim=4)")
>>> spec, shape = reader.layer(ast.parse(reader.source).body[0].value, {})
>>> spec.kind, spec.args["units"], shape
('Dense', 8, (4,))
"""

from __future__ import annotations

import ast

from core.code_paste import CodeError, ValueReader, last_name, snippet
from core.layer_spec import (
    ALIASES,
    LAYER_KINDS,
    ArchitectureError,
    LayerSpec,
    make_layer,
)

INPUT_CLASSES = frozenset({"Input", "InputLayer"})
MODEL_CLASSES = frozenset({"Sequential", "Model", "Functional"})
_INPUT_ARGS = frozenset({"shape", "input_shape", "batch_shape", "batch_input_shape",
                         "batch_size", "name", "dtype", "sparse", "ragged"})


def take_shape(keywords: dict, names: tuple[str, ...]) -> tuple | None:
    """Pop the shape arguments in ``names``; ``batch_*`` ones lose the batch axis.

    >>> take_shape({"batch_input_shape": (None, 28, 28)}, ("batch_input_shape",))
    (28, 28)
    """
    shape = None
    for name in names:
        if name in keywords:
            value = keywords.pop(name)
            value = tuple(value) if isinstance(value, tuple) else (value,)
            shape = value[1:] if name.startswith("batch") else value
    return shape


class LayerCallReader(ValueReader):
    """Recognises Keras layer calls and reads their arguments into LayerSpecs."""

    def __init__(self, source: str) -> None:
        super().__init__(source)
        self.namespaces = {"layers"}  # modules whose every call is a layer

    def is_layer(self, node: ast.AST) -> bool:
        """A call to a layer class: a known name, or any name in ``layers.``."""
        func = getattr(node, "func", None)
        name = last_name(func)
        inside = isinstance(func, ast.Attribute) and (
            last_name(func.value) in self.namespaces)
        return name is not None and (inside or name in INPUT_CLASSES or (
            ALIASES.get(name, name) in LAYER_KINDS))

    def is_concatenate(self, node: ast.Call) -> bool:
        """The functional ``concatenate([a, b])``, bare or from a layers module."""
        return last_name(node.func) == "concatenate" and (
            isinstance(node.func, ast.Name) or self.is_layer(node))

    def layer(self, call: ast.Call, env: dict, inputs: tuple[int, ...] = ()
              ) -> tuple[LayerSpec, tuple | None]:
        """The LayerSpec a constructor call builds, and its ``input_shape``.

        Args:
            call: the constructor call, e.g. ``layers.Dense(8)``.
            env: the names bound where the call was written.
            inputs: indices of the layers it takes, for a Concatenate.

        Raises:
            CodeError: a model nested in a model, or an unreadable argument.
            ArchitectureError: an unknown layer or argument (codes in MESSAGES).
        """
        kind = last_name(call.func)
        if kind is None or kind in MODEL_CLASSES:  # a model nested in a model
            raise CodeError("unsupported_call", line=call.lineno,
                            call=snippet(self.source, call))
        positional, keywords = self.arguments(call, env)
        if ALIASES.get(kind, kind) == "LeakyReLU" and "alpha" in keywords:
            if "negative_slope" in keywords:  # Keras 2 called it alpha
                raise ArchitectureError("duplicate_argument", line=call.lineno,
                                        kind=kind, argument="negative_slope")
            keywords["negative_slope"] = keywords.pop("alpha")
        if kind != "Embedding" and "input_dim" in keywords:
            keywords["input_shape"] = keywords.pop("input_dim")
        shape = take_shape(keywords, ("input_shape", "batch_input_shape"))
        return make_layer(kind, positional, keywords, call.lineno, inputs), shape

    def input_shape(self, call: ast.Call, env: dict) -> tuple | None:
        """The shape, without batch axis, an ``Input(…)`` or ``InputLayer`` states."""
        positional, keywords = self.arguments(call, env)
        if positional:
            keywords.setdefault("shape", positional[0])
        for argument in set(keywords) - _INPUT_ARGS:
            raise ArchitectureError("unknown_argument", line=call.lineno,
                                    kind=last_name(call.func), argument=argument)
        return take_shape(keywords, ("shape", "input_shape", "batch_shape",
                                     "batch_input_shape"))
