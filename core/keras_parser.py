"""Read a Keras model out of pasted code, without ever running the code.

Students paste what tutorials print: ``keras.Sequential([...])``, ``model.add``
lines, or a functional chain ending in ``keras.Model(inputs, outputs)``. The text
is read with :mod:`ast`; only numbers, strings, tuples, simple arithmetic and
constants defined earlier in the snippet are evaluated, by hand. Nothing is
compiled to run, so ``__import__('os')`` in a paste is refused, never executed.

Statements and models are followed here. :mod:`core.code_paste` cleans the paste
and reads values (``clean_code``, ``CodeError`` and ``PARSE_MESSAGES`` come from
it), :mod:`core.keras_layer_calls` reads one layer call and :mod:`core.keras_chain`
orders a functional model's layers.

>>> shape, layers = parse_keras_code("Sequential([Dense(8, input_shape=(4,))])")
>>> shape, [(layer.kind, layer.args["units"]) for layer in layers]
((4,), [('Dense', 8)])
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Any

from core.code_paste import (
    PARSE_MESSAGES,
    CodeError,
    Unknown,
    clean_code,
    last_name,
    refuse_forbidden,
    snippet,
)
from core.keras_chain import ChainTensor, build_chain
from core.keras_layer_calls import (
    INPUT_CLASSES,
    MODEL_CLASSES,
    LayerCallReader,
    take_shape,
)
from core.layer_spec import LayerSpec

__all__ = ["PARSE_MESSAGES", "CodeError", "Shape", "clean_code", "parse_keras_code"]

Shape = tuple[int | None, ...]


def parse_keras_code(text: str) -> tuple[Shape | None, list[LayerSpec]]:
    """The input shape and layers of the one Keras model built by ``text``.

    Args:
        text: pasted Python: Sequential (list or ``add``), functional, or loose
            layer calls; imports, ``compile``, ``fit`` and the like are skipped.

    Returns:
        ``(input_shape, layers)``; the shape has no batch axis and is None when
        the code never states it.

    Raises:
        CodeError: unreadable code (codes in PARSE_MESSAGES).
        ArchitectureError: an unknown layer or argument (codes in MESSAGES).

    >>> parse_keras_code("x = layers.Flatten()(x)")[1][0].kind
    'Flatten'
    """
    source, cut = clean_code(text)
    try:
        tree = ast.parse(source)
        refuse_forbidden(tree, source)
        return _Reader(source).read(tree)
    except SyntaxError as error:
        line = min(max(error.lineno or 1, 1), len(cut))
        original = re.split(r"\r\n|\r|\n", text)[line - 1].strip()
        raise CodeError("syntax_error", line=line, text=original[:80],
                        column=(error.offset or 1) + cut[line - 1]) from None
    except (RecursionError, MemoryError):
        raise CodeError("too_complex", line=None) from None


@dataclass(eq=False)
class _Sequential:
    line: int
    items: list = field(default_factory=list)  # (layer expression, constants)
    shape: tuple | None = None  # from model.build((None, …))


@dataclass(eq=False)
class _Functional:
    line: int
    output: ChainTensor


@dataclass(eq=False)
class _Layer:
    """A layer object not yet applied: ``dense = layers.Dense(10)``."""

    call: ast.Call
    env: dict


_INTERNAL = (ChainTensor, _Sequential, _Functional, Unknown, _Layer)


class _Reader(LayerCallReader):
    """Follows the top-level statements in order, binding names as Python would."""

    def __init__(self, source: str) -> None:
        super().__init__(source)
        self.names: dict[str, Any] = {}  # constants, tensors, models, layers
        self.models: list[_Sequential | _Functional] = []
        self.loose: list[tuple[ast.AST, dict]] = []  # layer calls outside a model
        self.last: ChainTensor | None = None  # newest layer output, for fragments

    def read(self, tree: ast.Module) -> tuple[tuple | None, list[LayerSpec]]:
        for statement in tree.body:
            self.statement(statement)
        models = [m for m in self.models if not isinstance(m, _Sequential) or m.items]
        if len(models) > 1:
            raise CodeError("several_models", first_line=models[0].line,
                            line=models[1].line)
        if models and isinstance(models[0], _Sequential):
            shape, layers = self.build_sequential(models[0].items)
            return (models[0].shape if shape is None else shape), layers
        if models:
            return build_chain(self, models[0].output, models[0].line, strict=True)
        if self.last:
            return build_chain(self, self.last, self.last.line, strict=False)
        if self.loose:
            return self.build_sequential(self.loose)
        raise CodeError("not_keras", line=None)

    def statement(self, node: ast.stmt) -> None:
        if isinstance(node, ast.Import | ast.ImportFrom):
            self.namespaces |= {alias.asname or "layers" for alias in node.names
                                if alias.name.split(".")[-1] == "layers"}
        elif hasattr(node, "body") or isinstance(node, ast.Match):
            self.refuse_layers_inside(node)
        elif isinstance(node, ast.Assign | ast.AnnAssign) and node.value:
            value = self.evaluate(node.value)
            for target in getattr(node, "targets", [getattr(node, "target", None)]):
                self.bind(target, value, node.value)
        elif isinstance(node, ast.AugAssign):
            self.bind(node.target, Unknown(node), node)
        elif isinstance(node, ast.Expr):
            self.expression(node.value)

    def refuse_layers_inside(self, node: ast.stmt) -> None:
        """Loops and functions would have to run to build their layers: say so."""
        for inner in ast.walk(node):
            func = getattr(inner, "func", None)
            adds = (isinstance(func, ast.Attribute) and func.attr == "add"
                    and isinstance(self.names.get(last_name(func.value)), _Sequential))
            if isinstance(inner, ast.Call) and (
                    adds or self.is_layer(inner) or last_name(func) in MODEL_CLASSES):
                word = self.source.split("\n")[node.lineno - 1].split()[0]
                raise CodeError("unsupported_statement", line=node.lineno,
                                statement=word.rstrip(":"))

    def bind(self, target: ast.AST, value: Any, node: ast.AST) -> None:
        if isinstance(target, ast.Name):
            self.names[target.id] = value
            if isinstance(value, ChainTensor) and value.call is not None:
                self.last = value
        elif isinstance(target, ast.Tuple | ast.List | ast.Starred):
            for name in ast.walk(target):
                if isinstance(name, ast.Name):
                    self.names[name.id] = Unknown(node)

    def evaluate(self, node: ast.expr) -> Any:
        """What an assignment binds: a model, tensor, layer, constant or unknown."""
        if isinstance(node, ast.Call):
            name = last_name(node.func)
            if name == "Sequential":
                return self.sequential(node)
            if name in MODEL_CLASSES:
                return self.functional(node)
            if self.is_application(node):
                return self.tensor(node)
            return _Layer(node, dict(self.names)) if self.is_layer(node) else (
                Unknown(node))
        if isinstance(node, ast.Name) and isinstance(self.names.get(node.id),
                                                      _INTERNAL):
            return self.names[node.id]  # y = x: the same tensor, model or layer
        try:
            return self.value(node, self.names)
        except CodeError as error:
            return Unknown(node, error.code)

    def expression(self, node: ast.expr) -> None:
        """A bare expression: ``model.add(…)``, a model, or loose layer calls."""
        calls = node.elts if isinstance(node, ast.Tuple) else [node]
        if calls and all(isinstance(c, ast.Call) and self.is_layer(c) for c in calls):
            self.loose += [(call, dict(self.names)) for call in calls]
        elif isinstance(node, ast.Call) and last_name(node.func) in MODEL_CLASSES:
            self.evaluate(node)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and isinstance(node.func.value, ast.Name)):
            self.method(node.func.value.id, node)

    def method(self, owner: str, call: ast.Call) -> None:
        """``model.add(layer)`` and ``model.build(batch_shape)`` on a Sequential."""
        method = call.func.attr
        argument = [*call.args, *(keyword.value for keyword in call.keywords)][:1]
        if method == "add" and owner not in self.names and argument and (
                self.is_item(argument[0])):
            self.names[owner] = self.sequential(call.func)  # model = … not pasted
        model = self.names.get(owner)
        if isinstance(model, _Sequential) and argument and method == "add":
            model.items.append((argument[0], dict(self.names)))
        elif isinstance(model, _Sequential) and argument and method == "build":
            model.shape = take_shape(
                {"batch": self.value(argument[0], self.names)}, ("batch",))

    def is_item(self, node: ast.AST) -> bool:
        bound = self.names.get(last_name(node)) if isinstance(node, ast.Name) else None
        return isinstance(bound, _Layer) or (
            isinstance(node, ast.Call) and self.is_layer(node))

    def is_application(self, node: ast.Call) -> bool:
        """``Dense(8)(x)``, ``dense(x)``, ``Input(…)`` or ``layers.concatenate``."""
        func = node.func
        bound = self.names.get(func.id) if isinstance(func, ast.Name) else None
        return (isinstance(node.func, ast.Call) or isinstance(bound, _Layer)
                or last_name(node.func) == "Input" or self.is_concatenate(node))

    def sequential(self, node: ast.Call | ast.expr) -> _Sequential:
        keywords = {k.arg: k.value for k in getattr(node, "keywords", [])}
        items = (getattr(node, "args", None) or [keywords.get("layers")])[0]
        if items is not None and not isinstance(items, ast.List | ast.Tuple):
            self.fail("unsupported_value", items)
        model = _Sequential(node.lineno, [(item, dict(self.names))
                                          for item in getattr(items, "elts", [])])
        self.models.append(model)
        return model

    def functional(self, node: ast.Call) -> _Functional:
        arguments = dict(zip(("inputs", "outputs"), node.args, strict=False))
        arguments |= {k.arg: k.value for k in node.keywords}
        outputs = arguments.get("outputs")
        if isinstance(outputs, ast.List | ast.Tuple) and len(outputs.elts) != 1:
            raise CodeError("several_outputs", line=node.lineno)
        if isinstance(outputs, ast.List | ast.Tuple):
            outputs = outputs.elts[0]
        if outputs is None:
            raise CodeError("unsupported_call", line=node.lineno,
                            call=snippet(self.source, node))
        model = _Functional(node.lineno, self.tensor(outputs))
        self.models.append(model)
        return model

    def tensor(self, node: ast.expr) -> ChainTensor:
        """The tensor an expression of a functional model stands for."""
        if isinstance(node, ast.Name):
            bound = self.names.get(node.id)
            if isinstance(bound, Unknown):
                self.fail(bound.code, bound.node)
            if bound is None:  # a fragment's input, never defined in the snippet
                bound = self.names[node.id] = ChainTensor(node.lineno, undefined=node)
            if not isinstance(bound, ChainTensor):
                self.fail("unsupported_value", node)
            return bound
        if not isinstance(node, ast.Call) or not self.is_application(node):
            raise CodeError("unsupported_call", line=node.lineno,
                            call=snippet(self.source, node))
        if last_name(node.func) == "Input":
            return ChainTensor(node.lineno, shape=self.input_shape(node, self.names))
        if self.is_concatenate(node):
            return ChainTensor(node.lineno, node, self.sources(node.args[:1]),
                           dict(self.names))
        layer = node.func if isinstance(node.func, ast.Call) else (
            self.names[node.func.id].call)
        env = getattr(self.names.get(last_name(node.func)), "env", dict(self.names))
        return ChainTensor(node.lineno, layer, self.sources(node.args[:1]), env)

    def sources(self, arguments: list[ast.expr]) -> tuple[ChainTensor, ...]:
        if not arguments:
            return ()
        first = arguments[0]
        elements = first.elts if isinstance(first, ast.List | ast.Tuple) else [first]
        return tuple(self.tensor(element) for element in elements)

    def build_sequential(self, items: list[tuple[ast.AST, dict]]
                         ) -> tuple[tuple | None, list[LayerSpec]]:
        shape, layers = None, []
        for node, env in items:
            bound = env.get(node.id) if isinstance(node, ast.Name) else None
            if isinstance(bound, _Layer):
                node, env = bound.call, bound.env
            root = bound if isinstance(bound, ChainTensor) and not bound.call else None
            if not root and not isinstance(node, ast.Call):
                raise CodeError("unsupported_call", line=node.lineno,
                                call=snippet(self.source, node))
            if root or last_name(node.func) in INPUT_CLASSES:
                if layers:
                    raise CodeError("misplaced_input", line=node.lineno)
                shape = root.shape if root else self.input_shape(node, env)
                continue
            spec, first_shape = self.layer(node, env)
            shape = first_shape if not layers and shape is None else shape
            layers.append(spec)
        return shape, layers
