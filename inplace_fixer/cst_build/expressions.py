"""libcst's expression nodes from Python's AST expressions.

Where the AST nests an expression that its parent's place would not take as written (`(a + b) * c`),
the node gets parentheses, so that the code libcst generates for the tree means what the AST does.
Redundant parentheses in the source are not kept.
"""

from __future__ import annotations

import ast
import re
from typing import Any, Callable, Optional

import libcst as cst

from inplace_fixer.cst_build import makers as new
from inplace_fixer.cst_build.makers import (
    AND, ATOM, BIT_OR, COMPARE, FACTOR, NOT, OR, POWER, TEST, at_least, parenthesized,
)
from inplace_fixer.cst_build.source_text import SourceText

# One string literal as Python's tokenizer reads it: a prefix, then a quoted body.
_ONE_STRING = re.compile(
    r"""[A-Za-z]{0,2}(?:'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\""""
    r"""|'(?:[^'\\\r\n]|\\.)*'|"(?:[^"\\\r\n]|\\.)*")""",
    re.DOTALL,
)


class Unsupported(Exception):
    """The AST holds a construct this package does not build: parse the file with libcst."""


class ExpressionsMixin:
    text: SourceText

    def __init__(self) -> None:
        # The AST node each expression node was built from, and the expressions that are the
        # only argument of a call (whose parentheses are the call's): for quotes.py.
        self.origins: dict[int, ast.expr] = {}
        self.only_arguments: set[int] = set()
        self._makers: dict[type, Callable[[Any], Any]] = {
            ast.Name: self._name,
            ast.Attribute: self._attribute,
            ast.Call: self._call,
            ast.Constant: self._constant,
            ast.BinOp: self._binary,
            ast.Subscript: self._subscript,
            ast.Tuple: self._tuple,
            ast.List: self._list,
            ast.UnaryOp: self._unary,
            ast.Compare: self._compare,
            ast.BoolOp: self._boolean,
            ast.IfExp: self._if_expression,
            ast.Dict: self._dict,
            ast.Set: self._set,
            ast.Lambda: self._lambda,
            ast.ListComp: self._list_comprehension,
            ast.SetComp: self._set_comprehension,
            ast.DictComp: self._dict_comprehension,
            ast.GeneratorExp: self._generator,
            ast.Starred: self._starred,
            ast.NamedExpr: self._named,
            ast.Await: self._await,
            ast.Yield: self._yield,
            ast.YieldFrom: self._yield_from,
            ast.JoinedStr: self._by_libcst,
        }

    def expression(self, node: ast.expr) -> Any:
        make = self._makers.get(type(node))
        if make is None:
            raise Unsupported(f"the expression {type(node).__name__}")
        made = make(node)
        self.origins[id(made)] = node
        return made

    def _primary(self, node: ast.expr) -> Any:
        """An expression placed before `.name`, `(...)` or `[...]`."""
        made = self.expression(node)
        if type(made) is cst.Integer:
            return parenthesized(made)  # `(1).real`: `1.real` would be a float
        return at_least(made, ATOM)

    # ------------------------------------------------------------------ parameters and arguments
    def parameters(self, arguments: ast.arguments) -> cst.Parameters:
        positional = arguments.posonlyargs + arguments.args
        defaults: list[Optional[ast.expr]] = [None] * (len(positional) - len(arguments.defaults))
        defaults += arguments.defaults
        made = [self._param(argument, default, "") for argument, default in zip(positional, defaults)]
        positional_only = made[:len(arguments.posonlyargs)]
        if arguments.vararg is not None:
            star: Any = self._param(arguments.vararg, None, "*")
        elif arguments.kwonlyargs:
            star = new.ParamStar()
        else:
            star = new.DEFAULT
        keyword_only = [
            self._param(argument, default, "") for argument, default in zip(arguments.kwonlyargs, arguments.kw_defaults)
        ]
        double_star = None if arguments.kwarg is None else self._param(arguments.kwarg, None, "**")
        return new.Parameters(
            made[len(arguments.posonlyargs):], star, keyword_only, double_star, positional_only,
            new.ParamSlash() if positional_only else new.DEFAULT,
        )

    def _param(self, argument: ast.arg, default: Optional[ast.expr], star: str) -> cst.Param:
        return new.Param(
            new.Name(argument.arg),
            None if argument.annotation is None else new.Annotation(self.expression(argument.annotation)),
            None if default is None else self.expression(default),
            star,
        )

    def argument(self, node: ast.expr) -> cst.Arg:
        if type(node) is ast.Starred:
            return new.Arg(at_least(self.expression(node.value), BIT_OR), None, "*")  # type: ignore[attr-defined]
        return new.Arg(self.expression(node), None, "")

    def keyword(self, node: ast.keyword) -> cst.Arg:
        if node.arg is None:
            return new.Arg(at_least(self.expression(node.value), BIT_OR), None, "**")
        return new.KeywordArg(self.expression(node.value), new.Name(node.arg), "")

    # ------------------------------------------------------------------ names, calls, literals
    def _name(self, node: ast.Name) -> cst.Name:
        return new.Name(node.id)

    def _attribute(self, node: ast.Attribute) -> cst.Attribute:
        return new.Attribute(self._primary(node.value), new.Name(node.attr))

    def _call(self, node: ast.Call) -> cst.Call:
        func = self._primary(node.func)
        if not node.keywords:
            if len(node.args) == 1 and type(node.args[0]) is not ast.Starred:
                only = node.args[0]
                if type(only) is ast.GeneratorExp:
                    value = self._generator(only, alone=True)
                    self.origins[id(value)] = only
                else:
                    value = self.expression(only)
                self.only_arguments.add(id(value))
                return new.Call(func, [new.Arg(value, None, "")])
            return new.Call(func, [self.argument(item) for item in node.args])
        if not node.args:
            return new.Call(func, [self.keyword(item) for item in node.keywords])
        # Positional and keyword arguments in the order written (`f(*a, b=1, *c)`).
        written = sorted(
            [(item.lineno, item.col_offset, False, item) for item in node.args]
            + [(item.lineno, item.col_offset, True, item) for item in node.keywords],  # type: ignore[misc]
            key=lambda entry: (entry[0], entry[1]),
        )
        return new.Call(func, [self.keyword(item) if is_keyword else self.argument(item) for _, _, is_keyword, item in written])

    def _constant(self, node: ast.Constant) -> Any:
        value = node.value
        kind = type(value)
        if kind is str or kind is bytes:
            text = self.text.of(node)
            if _ONE_STRING.fullmatch(text):
                return new.SimpleString(text)
            return self._by_libcst(node)  # an implicit concatenation
        if value is None or kind is bool:
            return new.Name(repr(value))
        if value is Ellipsis:
            return new.Ellipsis()
        if kind is int:
            return new.Integer(self.text.of(node))
        if kind is float:
            return new.Float(self.text.of(node))
        if kind is complex:
            return new.Imaginary(self.text.of(node))
        raise Unsupported(f"the constant {value!r}")

    def _by_libcst(self, node: ast.expr) -> Any:
        """libcst's own node for the expression's text: f-strings and implicit concatenations,
        whose parts need libcst's tokenizer."""
        text = self.text.of(node)
        try:
            made = cst.parse_expression("(" + text + ")")
        except Exception as error:  # Python's parser accepted it: libcst's limits (guard.py)
            raise Unsupported(f"libcst cannot parse the literal: {error}") from error
        # Parts on several lines need the parentheses to stay one expression.
        return made if "\n" in text or "\r" in text else made.with_changes(lpar=(), rpar=())

    # ------------------------------------------------------------------ operators
    def _binary(self, node: ast.BinOp) -> cst.BinaryOperation:
        operator = new.BINARY[type(node.op)]()
        level = new.precedence_of_operator(operator)
        if level == POWER:  # right-associative: `a ** b ** c` is `a ** (b ** c)`
            left = at_least(self.expression(node.left), POWER + 1)
            right = at_least(self.expression(node.right), FACTOR)
        else:
            left = at_least(self.expression(node.left), level)
            right = at_least(self.expression(node.right), level + 1)
        return new.BinaryOperation(left, operator, right)

    def _unary(self, node: ast.UnaryOp) -> cst.UnaryOperation:
        operator = new.UNARY[type(node.op)]()
        level = NOT if type(node.op) is ast.Not else FACTOR
        return new.UnaryOperation(operator, at_least(self.expression(node.operand), level))

    def _boolean(self, node: ast.BoolOp) -> cst.BooleanOperation:
        operator = new.BOOLEAN[type(node.op)]  # a maker: one operator node per operation
        level = AND if type(node.op) is ast.And else OR
        values = node.values
        # Python's AST holds `a and b and c` as one operation of three values: a first value that
        # is itself an `and` was written in parentheses.
        result = new.BooleanOperation(
            at_least(self.expression(values[0]), level + 1), operator(), at_least(self.expression(values[1]), level + 1)
        )
        for value in values[2:]:
            result = new.BooleanOperation(result, operator(), at_least(self.expression(value), level + 1))
        return result

    def _compare(self, node: ast.Compare) -> cst.Comparison:
        return new.Comparison(
            at_least(self.expression(node.left), COMPARE + 1),
            [
                new.ComparisonTarget(new.COMPARISON[type(op)](), at_least(self.expression(item), COMPARE + 1))
                for op, item in zip(node.ops, node.comparators)
            ],
        )

    def _if_expression(self, node: ast.IfExp) -> cst.IfExp:
        return new.IfExp(
            at_least(self.expression(node.test), OR), at_least(self.expression(node.body), OR),
            at_least(self.expression(node.orelse), TEST),
        )

    def _lambda(self, node: ast.Lambda) -> cst.Lambda:
        return new.Lambda(self.parameters(node.args), at_least(self.expression(node.body), TEST))

    def _named(self, node: ast.NamedExpr) -> cst.NamedExpr:
        return parenthesized(new.NamedExpr(self.expression(node.target), at_least(self.expression(node.value), TEST)))

    def _await(self, node: ast.Await) -> cst.Await:
        return new.Await(self._primary(node.value))

    def _yield(self, node: ast.Yield) -> cst.Yield:
        return parenthesized(new.Yield(None if node.value is None else self.expression(node.value)))

    def _yield_from(self, node: ast.YieldFrom) -> cst.Yield:
        return parenthesized(new.Yield(new.From(at_least(self.expression(node.value), TEST))))

    # ------------------------------------------------------------------ subscripts and displays
    def _subscript(self, node: ast.Subscript) -> cst.Subscript:
        index = node.slice
        if type(index) is ast.Tuple and index.elts and (
            any(type(item) is ast.Slice for item in index.elts) or not self.text.tuple_parenthesized(index)
        ):
            elements = [self._subscript_element(item) for item in index.elts]
            if len(elements) == 1:  # `x[a,]`, a tuple
                object.__setattr__(elements[0], "comma", new.COMMA)
        else:
            elements = [self._subscript_element(index)]
        return new.Subscript(self._primary(node.value), elements)

    def _subscript_element(self, node: ast.expr) -> cst.SubscriptElement:
        if type(node) is ast.Slice:
            return new.SubscriptElement(new.Slice(
                None if node.lower is None else self.expression(node.lower),
                None if node.upper is None else self.expression(node.upper),
                None if node.step is None else self.expression(node.step),
            ))
        if type(node) is ast.Starred:
            return new.SubscriptElement(new.Index(at_least(self.expression(node.value), BIT_OR), "*"))
        return new.SubscriptElement(new.Index(self.expression(node), None))

    def _elements(self, items: list[ast.expr]) -> list[Any]:
        elements = []
        for item in items:
            if type(item) is ast.Starred:
                element = new.StarredElement(at_least(self.expression(item.value), BIT_OR))  # type: ignore[attr-defined]
                self.origins[id(element)] = item
            else:
                element = new.Element(self.expression(item))
            elements.append(element)
        return elements

    def _tuple(self, node: ast.Tuple) -> cst.Tuple:
        # Always in parentheses: the same tuple wherever it stands (`f((a, b))`, `for (a, b) in c`).
        return parenthesized(new.Tuple(self._elements(node.elts)))

    def _list(self, node: ast.List) -> cst.List:
        return new.List(self._elements(node.elts))

    def _set(self, node: ast.Set) -> cst.Set:
        return new.Set(self._elements(node.elts))

    def _starred(self, node: ast.Starred) -> cst.StarredElement:
        return new.StarredElement(at_least(self.expression(node.value), BIT_OR))

    def _dict(self, node: ast.Dict) -> cst.Dict:
        return new.Dict([
            new.StarredDictElement(at_least(self.expression(value), BIT_OR)) if key is None
            else new.DictElement(self.expression(key), self.expression(value))
            for key, value in zip(node.keys, node.values)
        ])

    # ------------------------------------------------------------------ comprehensions
    def _for_in(self, generators: list[ast.comprehension]) -> cst.CompFor:
        inner = None
        for generator in reversed(generators):
            inner = new.CompFor(
                self.expression(generator.target), at_least(self.expression(generator.iter), OR),
                [new.CompIf(at_least(self.expression(test), OR)) for test in generator.ifs], inner,
                new.Asynchronous() if generator.is_async else None,
            )
        return inner  # type: ignore[return-value]

    def _list_comprehension(self, node: ast.ListComp) -> cst.ListComp:
        return new.ListComp(self.expression(node.elt), self._for_in(node.generators))

    def _set_comprehension(self, node: ast.SetComp) -> cst.SetComp:
        return new.SetComp(self.expression(node.elt), self._for_in(node.generators))

    def _dict_comprehension(self, node: ast.DictComp) -> cst.DictComp:
        return new.DictComp(self.expression(node.key), self.expression(node.value), self._for_in(node.generators))

    def _generator(self, node: ast.GeneratorExp, alone: bool = False) -> cst.GeneratorExp:
        """A generator expression: in parentheses of its own, but as a call's only argument."""
        made = new.GeneratorExp(self.expression(node.elt), self._for_in(node.generators))
        return made if alone else parenthesized(made)
