"""The code of the small expressions messages quote most (`self.proj(x)`, `x.view(b, -1)`),
written directly from the nodes' fields, as libcst's code generation writes them.

The analysis names a tensor by its source text when it is not a plain name (``describe``): an
nn.Module's output by its call, a view by what it views. libcst's code generation costs a few
microseconds per node (a context manager per node for positions nobody asks for here); this was
a fiftieth of ``check`` on transformers' files. Names, attributes, calls, subscripts, unary and
binary operations and literals on one line (the whitespace between tokens is plain) are written
here; anything else gives None, and the caller asks libcst. tests/test_quick_code.py compares
both on every such node of real files.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst
from libcst import MaybeSentinel

_TOKENS = (cst.Name, cst.Integer, cst.Float, cst.SimpleString)
_WRITTEN = frozenset({*_TOKENS, cst.Attribute, cst.Call, cst.Subscript, cst.UnaryOperation, cst.BinaryOperation})
_UNARY = {cst.Minus: "-", cst.Plus: "+", cst.BitInvert: "~", cst.Not: "not"}
_BINARY = {
    cst.Add: "+", cst.Subtract: "-", cst.Multiply: "*", cst.Divide: "/", cst.FloorDivide: "//", cst.Modulo: "%",
    cst.Power: "**", cst.MatrixMultiply: "@", cst.LeftShift: "<<", cst.RightShift: ">>", cst.BitAnd: "&",
    cst.BitOr: "|", cst.BitXor: "^",
}


class _Unsupported(Exception):
    """A node (or whitespace) that only libcst's code generation writes."""


def quick_code(node: cst.CSTNode) -> Optional[str]:
    """``Module([]).code_for_node(node)`` for the nodes written here, else None."""
    out: list[str] = []
    try:
        _expression(node, out)
    except _Unsupported:
        return None
    return "".join(out)


def _expression(node, out: list[str]) -> None:
    kind = type(node)
    if kind not in _WRITTEN:
        raise _Unsupported
    for lpar in node.lpar:
        out.append("(")
        _whitespace(lpar.whitespace_after, out)
    if kind is cst.Attribute:
        _expression(node.value, out)
        _operator(node.dot, ".", out)
        _expression(node.attr, out)
    elif kind is cst.Call:
        _expression(node.func, out)
        _whitespace(node.whitespace_after_func, out)
        out.append("(")
        _whitespace(node.whitespace_before_args, out)
        last = len(node.args) - 1
        for index, arg in enumerate(node.args):
            _argument(arg, index != last, out)
        out.append(")")
    elif kind is cst.Subscript:
        _expression(node.value, out)
        _whitespace(node.whitespace_after_value, out)
        out.append("[")
        _whitespace(node.lbracket.whitespace_after, out)
        last = len(node.slice) - 1
        for index, element in enumerate(node.slice):
            _subscript_element(element, index != last, out)
        _whitespace(node.rbracket.whitespace_before, out)
        out.append("]")
    elif kind is cst.UnaryOperation:
        out.append(_token(_UNARY, node.operator))
        _whitespace(node.operator.whitespace_after, out)
        _expression(node.expression, out)
    elif kind is cst.BinaryOperation:
        _expression(node.left, out)
        _operator(node.operator, _token(_BINARY, node.operator), out)
        _expression(node.right, out)
    else:
        out.append(node.value)
    for rpar in node.rpar:
        _whitespace(rpar.whitespace_before, out)
        out.append(")")


def _argument(arg: cst.Arg, default_comma: bool, out: list[str]) -> None:
    out.append(arg.star)
    _whitespace(arg.whitespace_after_star, out)
    if arg.keyword is not None:
        _expression(arg.keyword, out)
    _operator_or_default(arg.equal, "=", " = " if arg.keyword is not None else "", out)
    _expression(arg.value, out)
    _operator_or_default(arg.comma, ",", ", " if default_comma else "", out)
    _whitespace(arg.whitespace_after_arg, out)


def _subscript_element(element: cst.SubscriptElement, default_comma: bool, out: list[str]) -> None:
    part = element.slice
    if type(part) is cst.Index:
        if part.star is not None:
            out.append(part.star)
        if part.whitespace_after_star is not None:
            _whitespace(part.whitespace_after_star, out)
        _expression(part.value, out)
    else:  # a slice
        if part.lower is not None:
            _expression(part.lower, out)
        _operator(part.first_colon, ":", out)
        if part.upper is not None:
            _expression(part.upper, out)
        _operator_or_default(part.second_colon, ":", ":" if part.step is not None else "", out)
        if part.step is not None:
            _expression(part.step, out)
    _operator_or_default(element.comma, ",", ", " if default_comma else "", out)


def _token(tokens: dict, operator: cst.CSTNode) -> str:
    token = tokens.get(type(operator))
    if token is None:
        raise _Unsupported
    return token


def _operator_or_default(node, token: str, default: str, out: list[str]) -> None:
    """An operator libcst may leave as ``MaybeSentinel.DEFAULT``, which it writes as ``default``."""
    if node is MaybeSentinel.DEFAULT:
        out.append(default)
    else:
        _operator(node, token, out)


def _operator(node, token: str, out: list[str]) -> None:
    _whitespace(node.whitespace_before, out)
    out.append(token)
    _whitespace(node.whitespace_after, out)


def _whitespace(node, out: list[str]) -> None:
    if type(node) is not cst.SimpleWhitespace:
        raise _Unsupported  # a line break with comments: libcst's indentation rules apply
    out.append(node.value)
