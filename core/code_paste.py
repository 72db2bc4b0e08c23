"""Safe reading of pasted code: clean it, refuse what reaches out, read its values.

This is the part of reading a paste that knows nothing of Keras. ``clean_code``
undoes web-copy artefacts (typographic quotes, odd spaces, ❶ callouts, Markdown
fences, ``>>>`` prompts) while keeping every line where the user sees it.
``refuse_forbidden`` turns away ``eval``, ``open``, dunder access and the like
before anything else looks at the code. ``ValueReader`` evaluates literal values
by hand (numbers, strings, tuples, simple arithmetic, names bound earlier,
``activations.relu``-style references); nothing is ever compiled or run.

>>> ValueReader("").value(ast.parse("(2 * size, nn.relu)").body[0].value,
...                       {"size": 16})
(32, 'relu')
"""

from __future__ import annotations

import ast
import operator
import re
from dataclasses import dataclass
from typing import Any, NoReturn

from core.layer_spec import ArchitectureError

PARSE_MESSAGES = {
    "syntax_error": "Line {line}, column {column}: this is not valid Python: {text}",
    "not_keras": "No Keras model or layer was found. Paste code such as "
    "keras.Sequential([layers.Dense(10)]).",
    "unsupported_call": "Line {line}: {call} is not a layer or model this page can "
    "read.",
    "unsupported_value": "Line {line}: {text} can only be known by running the code; "
    "write the number itself (e.g. 32) or a constant defined above.",
    "forbidden": "Line {line}: {text} is not allowed in pasted code. Nothing you "
    "paste is ever run.",
    "unsupported_statement": "Line {line}: layers built inside a '{statement}' "
    "block cannot be read without running it; write each layer out.",
    "misplaced_input": "Line {line}: an Input can only come before the first layer.",
    "several_inputs": "Line {line}: this model has several inputs; this page follows "
    "a single input.",
    "several_outputs": "Line {line}: this model has several outputs; this page "
    "follows a single output.",
    "several_models": "Lines {first_line} and {line} both build a model; paste one "
    "model at a time.",
    "not_a_chain": "Line {line}: {kind} does not take the previous layer's output. "
    "Only chains of layers, joined by Concatenate, can be read.",
    "too_complex": "The pasted code is nested too deeply to read.",
}


class CodeError(ArchitectureError):
    """Pasted code this parser cannot read; ``details["line"]`` is 1-based or None."""

    def __init__(self, code: str, **details: Any) -> None:
        self.code, self.layer_index, self.details = code, None, details
        ValueError.__init__(self, PARSE_MESSAGES[code].format(**details))


# Web copy artefacts: typographic quotes, odd spaces, Manning's ❶ callouts and
# full-width punctuation typed with a Chinese input method.
_CLEAN = str.maketrans({
    "“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "\u00a0": " ", "\u202f": " ",
    "\u2009": " ", "\u3000": " ", "\u200b": "", "\ufeff": "", "\u2212": "-",
    **{chr(c): " " for c in [*range(0x2460, 0x2474), *range(0x2776, 0x2794)]},
    **{chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)},
})
_FENCE = re.compile(r"\s*(```|~~~)")
_PROMPT = re.compile(r"\s*(>>>|\.\.\.|In \[\d*\]:|\.\.\.+:)( |$)")
_FIRST_PROMPT = re.compile(r"\s*(>>>|In \[\d*\]:)( |$)")
_FORBIDDEN = frozenset({"eval", "exec", "compile", "open", "getattr", "setattr",
                        "delattr", "globals", "locals", "vars", "breakpoint"})
_ARITHMETIC = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
               ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv}
_LARGEST = 10**12  # keeps doubling constants (a = a * a …) from eating memory
# The types ValueReader.value returns. A name bound to anything else (a tensor,
# layer or model a reader keeps for itself) is not a value it can read.
_VALUES = (int, float, str, tuple, type(None))


def clean_code(text: str) -> tuple[str, list[int]]:
    """Undo web-copy damage while keeping every line where the user sees it.

    Args:
        text: code as pasted, maybe inside Markdown fences or after ``>>>``.

    Returns:
        The cleaned code, with as many lines as ``text``, and for each line the
        number of leading characters removed (prompts, common indentation).

    >>> clean_code(">>> x = ‘a’\\n... y = 2")
    ("x = 'a'\\ny = 2", [4, 4])
    """
    lines = re.split(r"\r\n|\r|\n", text.translate(_CLEAN))
    fenced = any(_FENCE.match(line) for line in lines)
    prompted = any(_FIRST_PROMPT.match(line) for line in lines)
    kept, cut, inside = [], [], False
    for line in lines:
        fence = fenced and _FENCE.match(line)
        inside = inside != bool(fence)
        prompt = _PROMPT.match(line) if prompted else None
        if fence or (fenced and not inside) or (prompted and not prompt):
            line = ""
        start = prompt.end() if prompt else 0
        kept.append(line[start:] if line[start:].strip() else "")
        cut.append(start)
    indent = min((len(s) - len(s.lstrip()) for s in kept if s), default=0)
    return "\n".join(s[indent:] for s in kept), [c + indent for c in cut]


def refuse_forbidden(tree: ast.AST, source: str) -> None:
    """Refuse builtins that reach outside (eval, open…) and any dunder access.

    Args:
        tree: the parsed ``source``.
        source: the cleaned code, to quote the refused part.

    Raises:
        CodeError: ``forbidden``, at the first offending name in reading order.

    >>> try:
    ...     refuse_forbidden(ast.parse("x = open('f')"), "x = open('f')")
    ... except CodeError as error:
    ...     print(error.code, error.details)
    forbidden {'line': 1, 'text': 'open'}
    """
    found = [node for node in ast.walk(tree)
             if (isinstance(node, ast.Name) and (node.id in _FORBIDDEN or (
                 _dunder(node.id) and node.id != "__name__")))
             or (isinstance(node, ast.Attribute) and _dunder(node.attr))]
    if found:
        node = min(found, key=lambda n: (n.lineno, n.col_offset))
        raise CodeError("forbidden", line=node.lineno, text=snippet(source, node))


def _dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__")


def snippet(source: str, node: ast.AST) -> str:
    """``node``'s code on one line, cut to 60 characters, to quote in a message.

    >>> snippet("f(1,\\n  2)", ast.parse("f(1,\\n  2)").body[0].value)
    'f(1, 2)'
    """
    text = " ".join((ast.get_source_segment(source, node) or "").split())
    return text if len(text) <= 60 else text[:57] + "..."


def last_name(node: ast.AST | None) -> str | None:
    """The last part of a dotted name: ``Dense`` for Dense or tf.keras.layers.Dense.

    >>> last_name(ast.parse("tf.keras.layers.Dense").body[0].value)
    'Dense'
    """
    return node.id if isinstance(node, ast.Name) else (
        node.attr if isinstance(node, ast.Attribute) else None)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@dataclass(eq=False)
class Unknown:
    """A name bound to something only running the code could tell.

    Reading the name later raises ``code`` at ``node``, where it was bound.
    """

    node: ast.AST
    code: str = "unsupported_value"


class ValueReader:
    """Evaluates literal values of pasted code by hand; nothing is ever run.

    Values are numbers, strings, None, tuples (lists read as tuples), ``+ - * /
    //`` on numbers, names bound earlier to values and references such as
    ``keras.activations.relu`` (read as ``"relu"``). Anything else is refused
    with a CodeError quoting the code; readers of whole snippets extend this.
    """

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, code: str, node: ast.AST) -> NoReturn:
        raise CodeError(code, line=node.lineno, text=snippet(self.source, node))

    def value(self, node: ast.AST, env: dict) -> Any:
        """Evaluate the safe subset: literals, tuples, arithmetic, known constants.

        Args:
            node: the expression to read.
            env: names bound so far; an ``Unknown`` raises its own error.

        Raises:
            CodeError: ``unsupported_value``, or ``forbidden`` for a lambda.
        """
        if isinstance(node, ast.Constant) and isinstance(
                node.value, int | float | str | type(None)):
            return node.value
        if isinstance(node, ast.Tuple | ast.List):
            return tuple(self.value(element, env) for element in node.elts)
        if isinstance(node, ast.UnaryOp | ast.BinOp):
            return self.arithmetic(node, env)
        bound = env.get(node.id) if isinstance(node, ast.Name) else None
        if isinstance(bound, Unknown):
            self.fail(bound.code, bound.node)
        if isinstance(node, ast.Name) and node.id in env and (
                isinstance(bound, _VALUES)):
            return bound
        if isinstance(node, ast.Attribute) and (
                last_name(node.value) in ("activations", "nn")):
            return node.attr  # keras.activations.relu, tf.nn.relu → "relu"
        lambdas = any(isinstance(inner, ast.Lambda) for inner in ast.walk(node))
        self.fail("forbidden" if lambdas else "unsupported_value", node)

    def arithmetic(self, node: ast.UnaryOp | ast.BinOp, env: dict) -> int | float:
        """``-a``, ``+a`` or ``a ∘ b`` on numbers, refused past ±10¹²."""
        if isinstance(node, ast.UnaryOp):
            operands = [self.value(node.operand, env)]
            apply = {ast.USub: operator.neg, ast.UAdd: operator.pos}.get(type(node.op))
        else:
            operands = [self.value(node.left, env), self.value(node.right, env)]
            apply = _ARITHMETIC.get(type(node.op))
        if apply is None or not all(_is_number(operand) for operand in operands):
            self.fail("unsupported_value", node)
        try:
            result = apply(*operands)
        except ArithmeticError:
            result = None
        if result is None or not abs(result) <= _LARGEST:
            self.fail("unsupported_value", node)
        return result

    def arguments(self, call: ast.Call, env: dict, skip: int = 0
                  ) -> tuple[tuple, dict]:
        """A call's positional (after ``skip``) and keyword arguments, as values."""
        keywords = {}
        for keyword in call.keywords:
            if keyword.arg is None:  # **options
                self.fail("unsupported_value", keyword.value)
            keywords[keyword.arg] = self.value(keyword.value, env)
        return tuple(self.value(arg, env) for arg in call.args[skip:]), keywords
