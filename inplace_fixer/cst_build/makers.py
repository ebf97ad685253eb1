"""Makers of libcst nodes from given fields, with libcst's defaults for the rest.

A maker sets the fields directly, as libcst's parser does with its checks off (cst_parse.py):
a node's constructor checks its fields (a tenth of a microsecond each), and a tree built from an
AST Python's parser accepted needs no check. The makers take the fields that hold code,
positionally; whitespace, commas and parentheses get libcst's defaults, which are immutable and
shared by every node.
"""

from __future__ import annotations

import ast
import dataclasses
from typing import Any, Callable

import libcst as cst

DEFAULT = cst.MaybeSentinel.DEFAULT


def factory(cls: type, *given: str, **fixed: Any) -> Callable[..., Any]:
    """A function making a ``cls`` from the fields ``given`` (positionally, in that order), with
    ``fixed`` values and libcst's defaults for the rest, without the node's checks."""
    values: dict[str, Any] = {}
    for field in dataclasses.fields(cls):
        if field.name in given:
            continue
        if field.name in fixed:
            values[field.name] = fixed[field.name]
        elif field.default is not dataclasses.MISSING:
            values[field.name] = field.default
        elif field.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
            values[field.name] = field.default_factory()  # type: ignore[misc]
        else:
            raise TypeError(f"{cls.__name__}.{field.name} has no default")
    namespace: dict[str, Any] = {"_new": object.__new__, "_set": object.__setattr__, "_cls": cls}
    lines = [f"def make({', '.join(given)}):", "    node = _new(_cls)"]
    for name in given:
        lines.append(f"    _set(node, {name!r}, {name})")
    for index, (name, value) in enumerate(values.items()):
        namespace[f"_v{index}"] = value
        lines.append(f"    _set(node, {name!r}, _v{index})")
    lines.append("    return node")
    exec("\n".join(lines), namespace)  # noqa: S102 - code made here from field names only
    return namespace["make"]


Name = factory(cst.Name, "value", lpar=(), rpar=())
Attribute = factory(cst.Attribute, "value", "attr", lpar=(), rpar=())
Call = factory(cst.Call, "func", "args", lpar=(), rpar=())
Arg = factory(cst.Arg, "value", "keyword", "star")
# `f(a=1)`, as PEP 8 writes it (libcst's default `=` has a space on either side).
KeywordArg = factory(
    cst.Arg, "value", "keyword", "star",
    equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")),
)
Integer = factory(cst.Integer, "value", lpar=(), rpar=())
Float = factory(cst.Float, "value", lpar=(), rpar=())
Imaginary = factory(cst.Imaginary, "value", lpar=(), rpar=())
SimpleString = factory(cst.SimpleString, "value", lpar=(), rpar=())
Concatenated = factory(cst.ConcatenatedString, "left", "right", lpar=(), rpar=())
Ellipsis = factory(cst.Ellipsis, lpar=(), rpar=())
BinaryOperation = factory(cst.BinaryOperation, "left", "operator", "right", lpar=(), rpar=())
BooleanOperation = factory(cst.BooleanOperation, "left", "operator", "right", lpar=(), rpar=())
UnaryOperation = factory(cst.UnaryOperation, "operator", "expression", lpar=(), rpar=())
Comparison = factory(cst.Comparison, "left", "comparisons", lpar=(), rpar=())
ComparisonTarget = factory(cst.ComparisonTarget, "operator", "comparator")
IfExp = factory(cst.IfExp, "test", "body", "orelse", lpar=(), rpar=())
Lambda = factory(cst.Lambda, "params", "body")
Subscript = factory(cst.Subscript, "value", "slice", lpar=(), rpar=())
SubscriptElement = factory(cst.SubscriptElement, "slice")
Index = factory(cst.Index, "value", "star")
Slice = factory(cst.Slice, "lower", "upper", "step")
Tuple = factory(cst.Tuple, "elements", lpar=(), rpar=())
List = factory(cst.List, "elements", lpar=(), rpar=())
Set = factory(cst.Set, "elements", lpar=(), rpar=())
Dict = factory(cst.Dict, "elements", lpar=(), rpar=())
Element = factory(cst.Element, "value")
StarredElement = factory(cst.StarredElement, "value", lpar=(), rpar=())
DictElement = factory(cst.DictElement, "key", "value")
StarredDictElement = factory(cst.StarredDictElement, "value")
ListComp = factory(cst.ListComp, "elt", "for_in", lpar=(), rpar=())
SetComp = factory(cst.SetComp, "elt", "for_in", lpar=(), rpar=())
DictComp = factory(cst.DictComp, "key", "value", "for_in", lpar=(), rpar=())
GeneratorExp = factory(cst.GeneratorExp, "elt", "for_in", lpar=(), rpar=())
CompFor = factory(cst.CompFor, "target", "iter", "ifs", "inner_for_in", "asynchronous")
CompIf = factory(cst.CompIf, "test")
NamedExpr = factory(cst.NamedExpr, "target", "value", lpar=(), rpar=())
Await = factory(cst.Await, "expression", lpar=(), rpar=())
Yield = factory(cst.Yield, "value", lpar=(), rpar=())
From = factory(cst.From, "item")
Param = factory(cst.Param, "name", "annotation", "default", "star")
Parameters = factory(cst.Parameters, "params", "star_arg", "kwonly_params", "star_kwarg", "posonly_params", "posonly_ind")
Annotation = factory(cst.Annotation, "annotation")

Module = factory(cst.Module, "body")
SimpleStatementLine = factory(cst.SimpleStatementLine, "body")
SimpleStatementSuite = factory(cst.SimpleStatementSuite, "body")
IndentedBlock = factory(cst.IndentedBlock, "body")
Expr = factory(cst.Expr, "value")
Assign = factory(cst.Assign, "targets", "value")
AssignTarget = factory(cst.AssignTarget, "target")
AugAssign = factory(cst.AugAssign, "target", "operator", "value")
AnnAssign = factory(cst.AnnAssign, "target", "annotation", "value")
Return = factory(cst.Return, "value")
Raise = factory(cst.Raise, "exc", "cause")
Assert = factory(cst.Assert, "test", "msg")
Del = factory(cst.Del, "target")
Global = factory(cst.Global, "names")
Nonlocal = factory(cst.Nonlocal, "names")
NameItem = factory(cst.NameItem, "name")
Import = factory(cst.Import, "names")
ImportFrom = factory(cst.ImportFrom, "module", "names", "relative")
ImportAlias = factory(cst.ImportAlias, "name", "asname")
AsName = factory(cst.AsName, "name")
FunctionDef = factory(cst.FunctionDef, "name", "params", "body", "decorators", "returns", "asynchronous")
ClassDef = factory(cst.ClassDef, "name", "body", "bases", "keywords", "decorators", lpar=DEFAULT, rpar=DEFAULT)
Decorator = factory(cst.Decorator, "decorator")
If = factory(cst.If, "test", "body", "orelse")
Else = factory(cst.Else, "body")
For = factory(cst.For, "target", "iter", "body", "orelse", "asynchronous")
While = factory(cst.While, "test", "body", "orelse")
Try = factory(cst.Try, "body", "handlers", "orelse", "finalbody")
TryStar = factory(cst.TryStar, "body", "handlers", "orelse", "finalbody")
ExceptHandler = factory(cst.ExceptHandler, "body", "type", "name")
ExceptStarHandler = factory(cst.ExceptStarHandler, "body", "type", "name")
Finally = factory(cst.Finally, "body")
With = factory(cst.With, "items", "body", "asynchronous")
WithItem = factory(cst.WithItem, "item", "asname")

# Nodes with no code of their own are made anew for each place, never shared: a node stands for
# one place of the code (the analysis keys facts by node, pairing.py pairs places).
Pass = factory(cst.Pass)
Break = factory(cst.Break)
Continue = factory(cst.Continue)
Asynchronous = factory(cst.Asynchronous)
ParamStar = factory(cst.ParamStar)
ParamSlash = factory(cst.ParamSlash)
Dot = factory(cst.Dot)
ImportStar = factory(cst.ImportStar)
COMMA = cst.Comma()  # layout only (a field pairing.py leaves out)

BINARY = {
    ast.Add: factory(cst.Add), ast.Sub: factory(cst.Subtract), ast.Mult: factory(cst.Multiply), ast.Div: factory(cst.Divide),
    ast.FloorDiv: factory(cst.FloorDivide), ast.Mod: factory(cst.Modulo), ast.Pow: factory(cst.Power),
    ast.LShift: factory(cst.LeftShift), ast.RShift: factory(cst.RightShift), ast.BitOr: factory(cst.BitOr),
    ast.BitXor: factory(cst.BitXor), ast.BitAnd: factory(cst.BitAnd), ast.MatMult: factory(cst.MatrixMultiply),
}
AUGMENTED = {
    ast.Add: factory(cst.AddAssign), ast.Sub: factory(cst.SubtractAssign), ast.Mult: factory(cst.MultiplyAssign),
    ast.Div: factory(cst.DivideAssign), ast.FloorDiv: factory(cst.FloorDivideAssign), ast.Mod: factory(cst.ModuloAssign),
    ast.Pow: factory(cst.PowerAssign), ast.LShift: factory(cst.LeftShiftAssign), ast.RShift: factory(cst.RightShiftAssign),
    ast.BitOr: factory(cst.BitOrAssign), ast.BitXor: factory(cst.BitXorAssign), ast.BitAnd: factory(cst.BitAndAssign),
    ast.MatMult: factory(cst.MatrixMultiplyAssign),
}
UNARY = {ast.UAdd: factory(cst.Plus), ast.USub: factory(cst.Minus), ast.Invert: factory(cst.BitInvert), ast.Not: factory(cst.Not)}
BOOLEAN = {ast.And: factory(cst.And), ast.Or: factory(cst.Or)}
COMPARISON = {
    ast.Eq: factory(cst.Equal), ast.NotEq: factory(cst.NotEqual), ast.Lt: factory(cst.LessThan), ast.LtE: factory(cst.LessThanEqual),
    ast.Gt: factory(cst.GreaterThan), ast.GtE: factory(cst.GreaterThanEqual), ast.Is: factory(cst.Is), ast.IsNot: factory(cst.IsNot),
    ast.In: factory(cst.In), ast.NotIn: factory(cst.NotIn),
}


# Python's operator precedence, lowest first (the grammar's order): a child of lower precedence than
# its place in the parent needs parentheses for the tree's code to mean what the AST does.
(NAMED, TUPLE, YIELD, TEST, OR, AND, NOT, COMPARE, BIT_OR, BIT_XOR, BIT_AND, SHIFT, ARITHMETIC, TERM,
 FACTOR, POWER, AWAIT, ATOM) = range(18)

_BINARY_PRECEDENCE = {
    cst.BitOr: BIT_OR, cst.BitXor: BIT_XOR, cst.BitAnd: BIT_AND, cst.LeftShift: SHIFT, cst.RightShift: SHIFT,
    cst.Add: ARITHMETIC, cst.Subtract: ARITHMETIC, cst.Multiply: TERM, cst.Divide: TERM, cst.FloorDivide: TERM,
    cst.Modulo: TERM, cst.MatrixMultiply: TERM, cst.Power: POWER,
}
_NODE_PRECEDENCE = {
    cst.NamedExpr: NAMED, cst.Tuple: TUPLE, cst.Yield: YIELD, cst.Lambda: TEST, cst.IfExp: TEST,
    cst.Comparison: COMPARE, cst.Await: AWAIT, cst.StarredElement: BIT_OR,
}

LEFT_PARENTHESIS = (cst.LeftParen(),)
RIGHT_PARENTHESIS = (cst.RightParen(),)


def precedence(node: Any) -> int:
    kind = type(node)
    if kind is cst.Name or kind is cst.Attribute or kind is cst.Call or node.lpar:
        return ATOM
    if kind is cst.BinaryOperation:
        return _BINARY_PRECEDENCE[type(node.operator)]
    if kind is cst.BooleanOperation:
        return AND if type(node.operator) is cst.And else OR
    if kind is cst.UnaryOperation:
        return NOT if type(node.operator) is cst.Not else FACTOR
    return _NODE_PRECEDENCE.get(kind, ATOM)


def parenthesized(node: Any) -> Any:
    """``node`` (just made, seen by no one else yet) in parentheses."""
    object.__setattr__(node, "lpar", LEFT_PARENTHESIS)
    object.__setattr__(node, "rpar", RIGHT_PARENTHESIS)
    return node


def at_least(node: Any, level: int) -> Any:
    """``node``, in parentheses if its precedence is below ``level``."""
    return parenthesized(node) if precedence(node) < level else node


def precedence_of_operator(operator: Any) -> int:
    return _BINARY_PRECEDENCE[type(operator)]
