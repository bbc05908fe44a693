"""Scoring formulas: a small, safe expression language that turns a KPI value into a score.

A formula is an arithmetic expression over the name ``value`` (the KPI value), numbers,
``+ - * / **``, unary minus, parentheses, comparisons (``<``, ``<=``, ``>``, ``>=``, ``==``,
``!=``, worth 1 when true and 0 when false) and the functions ``min``, ``max``, ``abs`` and
``clip(x, lo, hi)``. It is parsed with :mod:`ast` and evaluated by walking the tree, never with
``eval``; anything else (other names, attributes, strings, subscripts, lambdas ...) is refused
with a message naming the offending token. Numbers are evaluated as floats, so ``10 ** 10 ** 10``
overflows at once instead of computing a huge integer.

Examples
--------
>>> tree = parse_formula("clip(100 * (value - 60) / (7 - 60), 0, 100)")
>>> evaluate(tree, 20.0)
75.47169811320755
>>> parse_formula("__import__('os')")
Traceback (most recent call last):
...
podium.learn.formulas.FormulaError: only min, max, abs and clip may be called ('__import__')
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable

MAX_LENGTH = 500
"""The longest formula accepted (characters)."""
MAX_DEPTH = 40
"""The deepest nesting accepted (tree levels)."""
FUNCTIONS: dict[str, tuple[int, int | None]] = {
    "min": (2, None),
    "max": (2, None),
    "abs": (1, 1),
    "clip": (3, 3),
}
"""The functions a formula may call, with their least and most number of arguments."""

_BINARY: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}
_COMPARE: dict[type[ast.cmpop], Callable[[float, float], bool]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}
_WHAT = {
    ast.Attribute: "attributes are not allowed",
    ast.Subscript: "subscripts are not allowed",
    ast.BoolOp: "'and'/'or' are not allowed; use min/max",
    ast.IfExp: "'if ... else' is not allowed; use comparisons, min, max or clip",
    ast.Lambda: "lambdas are not allowed",
    ast.List: "lists are not allowed",
    ast.Tuple: "tuples are not allowed",
    ast.Dict: "dictionaries are not allowed",
    ast.Set: "sets are not allowed",
    ast.JoinedStr: "strings are not allowed",
    ast.NamedExpr: "assignments are not allowed",
}


class FormulaError(ValueError):
    """A formula that cannot be parsed, is not allowed, or fails on a value."""


def parse_formula(text: str) -> ast.Expression:
    """Parse and check ``text``; raise :class:`FormulaError` saying what is wrong and where."""
    if not isinstance(text, str) or not text.strip():
        raise FormulaError("write a formula over 'value', e.g. 100 * value")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"a formula has at most {MAX_LENGTH} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as error:
        where = f" at column {error.offset}" if error.offset else " at the end"
        raise FormulaError(f"not a formula{where}: {error.msg}") from None
    _check(tree.body, text.strip(), 1)
    return tree


def _token(node: ast.AST, text: str) -> str:
    return ast.get_source_segment(text, node) or type(node).__name__


def _check(node: ast.AST, text: str, depth: int) -> None:
    """Refuse every node the language does not have."""
    if depth > MAX_DEPTH:
        raise FormulaError(f"the formula nests deeper than {MAX_DEPTH} levels")
    children: list[ast.AST]
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise FormulaError(f"only numbers are allowed as constants ({_token(node, text)!r})")
        return
    if isinstance(node, ast.Name):
        if node.id != "value":
            raise FormulaError(f"names other than 'value' are not allowed ({node.id!r})")
        return
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _BINARY:
            raise FormulaError(f"the operator in {_token(node, text)!r} is not allowed")
        children = [node.left, node.right]
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.USub):
            raise FormulaError(f"only unary minus is allowed ({_token(node, text)!r})")
        children = [node.operand]
    elif isinstance(node, ast.Compare):
        if any(type(op) not in _COMPARE for op in node.ops):
            raise FormulaError(f"only <, <=, >, >=, == and != compare ({_token(node, text)!r})")
        children = [node.left, *node.comparators]
    elif isinstance(node, ast.Call):
        children = _check_call(node, text)
    else:
        what = _WHAT.get(type(node), f"{type(node).__name__} is not allowed")
        raise FormulaError(f"{what} ({_token(node, text)!r})")
    for child in children:
        _check(child, text, depth + 1)


def _check_call(node: ast.Call, text: str) -> list[ast.AST]:
    name = node.func.id if isinstance(node.func, ast.Name) else None
    if name not in FUNCTIONS:
        raise FormulaError(
            f"only min, max, abs and clip may be called ({_token(node.func, text)!r})"
        )
    if node.keywords or any(isinstance(arg, ast.Starred) for arg in node.args):
        raise FormulaError(f"{name} takes plain arguments ({_token(node, text)!r})")
    least, most = FUNCTIONS[name]
    count = len(node.args)
    if count < least or (most is not None and count > most):
        wanted = f"{least}" if least == most else f"at least {least}"
        raise FormulaError(f"{name} takes {wanted} arguments, not {count} ({_token(node, text)!r})")
    return list(node.args)


def evaluate(tree: ast.Expression, value: float) -> float:
    """Evaluate a parsed formula at ``value``; raise :class:`FormulaError` if it fails.

    Division by zero, overflow and results that are not finite numbers are failures.
    """
    try:
        result = _eval(tree.body, float(value))
    except ZeroDivisionError:
        raise FormulaError(f"division by zero at value {value:g}") from None
    except (OverflowError, ValueError, TypeError) as error:
        raise FormulaError(f"cannot evaluate at value {value:g}: {error}") from None
    if not math.isfinite(result):
        raise FormulaError(f"the result at value {value:g} is not a finite number")
    return result


def _eval(node: ast.AST, value: float) -> float:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return float(node.value)
    if isinstance(node, ast.Name):
        return value
    if isinstance(node, ast.BinOp):
        result = _BINARY[type(node.op)](_eval(node.left, value), _eval(node.right, value))
        if isinstance(result, complex):
            raise ValueError("a negative number to a fractional power")
        return float(result)
    if isinstance(node, ast.UnaryOp):
        return -_eval(node.operand, value)
    if isinstance(node, ast.Compare):
        left = _eval(node.left, value)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = _eval(comparator, value)
            if not _COMPARE[type(op)](left, right):
                return 0.0
            left = right
        return 1.0
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        args = [_eval(arg, value) for arg in node.args]
        if node.func.id == "clip":
            return min(max(args[0], args[1]), args[2])
        if node.func.id == "abs":
            return abs(args[0])
        return min(args) if node.func.id == "min" else max(args)
    raise FormulaError(f"{type(node).__name__} is not allowed")  # unreachable after _check
