"""libcst's statement nodes from Python's AST statements.

libcst groups what the AST keeps apart: small statements on one line (`a = 1; b = 2`) share a
``SimpleStatementLine``, a body on its header's line is a ``SimpleStatementSuite``, and an `elif`
is an ``If`` in its parent's ``orelse`` where `else:` with an `if` inside is an ``Else``. The
source text at the AST's positions tells them apart.
"""

from __future__ import annotations

import ast
from typing import Any, Callable, Optional

import libcst as cst

from inplace_fixer.cst_build import makers as new
from inplace_fixer.cst_build.expressions import Unsupported
from inplace_fixer.cst_build.source_text import SourceText


def _dotted(name: str) -> Any:
    parts = name.split(".")
    result: Any = new.Name(parts[0])
    for part in parts[1:]:
        result = new.Attribute(result, new.Name(part))
    return result


class StatementsMixin:
    text: SourceText
    only_arguments: set[int]
    origins: dict[int, ast.AST]
    expression: Callable[[ast.expr], Any]
    parameters: Callable[[ast.arguments], cst.Parameters]
    argument: Callable[[ast.expr], cst.Arg]
    keyword: Callable[[ast.keyword], cst.Arg]

    def statements(self, body: list[ast.stmt]) -> list[cst.BaseStatement]:
        result: list[cst.BaseStatement] = []
        line: list[cst.BaseSmallStatement] = []
        small_statements = _SMALL_STATEMENTS
        for statement in body:
            make = small_statements.get(type(statement))
            if make is None:
                if line:
                    result.append(new.SimpleStatementLine(line))
                    line = []
                result.append(self.compound(statement))
                continue
            if line and self.text.starts_line(statement):
                result.append(new.SimpleStatementLine(line))
                line = []
            small = make(self, statement)
            self.origins[id(small)] = statement  # type: ignore[assignment]
            line.append(small)
        if line:
            result.append(new.SimpleStatementLine(line))
        return result

    def block(self, body: list[ast.stmt]) -> cst.BaseSuite:
        if self.text.starts_line(body[0]):
            return new.IndentedBlock(self.statements(body))
        small = []
        for statement in body:
            make = _SMALL_STATEMENTS.get(type(statement))
            if make is None:  # Python's grammar has none: a compound statement starts a line
                raise Unsupported("a compound statement on its header's line")
            made = make(self, statement)
            self.origins[id(made)] = statement  # type: ignore[assignment]
            small.append(made)
        return new.SimpleStatementSuite(small)

    def _else(self, body: list[ast.stmt]) -> Optional[cst.Else]:
        return new.Else(self.block(body)) if body else None

    def _decorators(self, node: Any) -> list[cst.Decorator]:
        return [new.Decorator(self.expression(item)) for item in node.decorator_list]

    # ------------------------------------------------------------------ compound statements
    def compound(self, node: ast.stmt) -> cst.BaseCompoundStatement:
        kind = type(node)
        if getattr(node, "type_params", None):
            raise Unsupported("type parameters")
        if kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
            return new.FunctionDef(
                new.Name(node.name), self.parameters(node.args), self.block(node.body),  # type: ignore[attr-defined]
                self._decorators(node),
                None if node.returns is None else new.Annotation(self.expression(node.returns)),  # type: ignore[attr-defined]
                new.Asynchronous() if kind is ast.AsyncFunctionDef else None,
            )
        if kind is ast.ClassDef:
            bases = [self.argument(item) for item in node.bases]  # type: ignore[attr-defined]
            if len(bases) == 1 and not node.keywords and not bases[0].star:  # type: ignore[attr-defined]
                self.only_arguments.add(id(bases[0].value))  # `class A(B)`: the parentheses are the class's
            return new.ClassDef(
                new.Name(node.name), self.block(node.body),  # type: ignore[attr-defined]
                bases,
                [self.keyword(item) for item in node.keywords],  # type: ignore[attr-defined]
                self._decorators(node),
            )
        if kind is ast.If:
            return self._if(node)  # type: ignore[arg-type]
        if kind is ast.For or kind is ast.AsyncFor:
            return new.For(
                self.expression(node.target), self.expression(node.iter), self.block(node.body),  # type: ignore[attr-defined]
                self._else(node.orelse), new.Asynchronous() if kind is ast.AsyncFor else None,  # type: ignore[attr-defined]
            )
        if kind is ast.While:
            return new.While(self.expression(node.test), self.block(node.body), self._else(node.orelse))  # type: ignore[attr-defined]
        if kind is ast.With or kind is ast.AsyncWith:
            items = [
                new.WithItem(
                    self.expression(item.context_expr),
                    None if item.optional_vars is None else new.AsName(self.expression(item.optional_vars)),
                )
                for item in node.items  # type: ignore[attr-defined]
            ]
            return new.With(items, self.block(node.body), new.Asynchronous() if kind is ast.AsyncWith else None)  # type: ignore[attr-defined]
        if kind is ast.Try or kind.__name__ == "TryStar":
            return self._try(node, star=kind is not ast.Try)
        raise Unsupported(f"the statement {kind.__name__}")  # `match`

    def _if(self, node: ast.If) -> cst.If:
        orelse: Any = None
        if node.orelse:
            first = node.orelse[0]
            if len(node.orelse) == 1 and type(first) is ast.If and self.text.starts_with(first, "elif"):
                orelse = self._if(first)
            else:
                orelse = new.Else(self.block(node.orelse))
        return new.If(self.expression(node.test), self.block(node.body), orelse)

    def _try(self, node: Any, star: bool) -> cst.BaseCompoundStatement:
        handler = new.ExceptStarHandler if star else new.ExceptHandler
        handlers = [
            handler(
                self.block(item.body), None if item.type is None else self.expression(item.type),
                None if item.name is None else new.AsName(new.Name(item.name)),
            )
            for item in node.handlers
        ]
        return (new.TryStar if star else new.Try)(
            self.block(node.body), handlers, self._else(node.orelse),
            new.Finally(self.block(node.finalbody)) if node.finalbody else None,
        )

    # ------------------------------------------------------------------ small statements
    def _expression_statement(self, node: ast.Expr) -> cst.Expr:
        return new.Expr(self.expression(node.value))

    def _assign(self, node: ast.Assign) -> cst.Assign:
        return new.Assign([new.AssignTarget(self.expression(target)) for target in node.targets], self.expression(node.value))

    def _augmented(self, node: ast.AugAssign) -> cst.AugAssign:
        return new.AugAssign(self.expression(node.target), new.AUGMENTED[type(node.op)](), self.expression(node.value))

    def _annotated(self, node: ast.AnnAssign) -> cst.AnnAssign:
        return new.AnnAssign(
            self.expression(node.target), new.Annotation(self.expression(node.annotation)),
            None if node.value is None else self.expression(node.value),
        )

    def _return(self, node: ast.Return) -> cst.Return:
        return new.Return(None if node.value is None else self.expression(node.value))

    def _raise(self, node: ast.Raise) -> cst.Raise:
        return new.Raise(
            None if node.exc is None else self.expression(node.exc),
            None if node.cause is None else new.From(self.expression(node.cause)),
        )

    def _assert(self, node: ast.Assert) -> cst.Assert:
        return new.Assert(self.expression(node.test), None if node.msg is None else self.expression(node.msg))

    def _delete(self, node: ast.Delete) -> cst.Del:
        if len(node.targets) == 1:
            return new.Del(self.expression(node.targets[0]))
        return new.Del(new.Tuple([new.Element(self.expression(target)) for target in node.targets]))  # `del a, b`

    def _global(self, node: ast.Global) -> cst.Global:
        return new.Global([new.NameItem(new.Name(name)) for name in node.names])

    def _nonlocal(self, node: ast.Nonlocal) -> cst.Nonlocal:
        return new.Nonlocal([new.NameItem(new.Name(name)) for name in node.names])

    def _import(self, node: ast.Import) -> cst.Import:
        return new.Import([self._alias(alias) for alias in node.names])

    def _import_from(self, node: ast.ImportFrom) -> cst.ImportFrom:
        if len(node.names) == 1 and node.names[0].name == "*":
            names: Any = new.ImportStar()
        else:
            names = [self._alias(alias) for alias in node.names]
        module = None if node.module is None else _dotted(node.module)
        return new.ImportFrom(module, names, [new.Dot() for _ in range(node.level or 0)])

    def _alias(self, alias: ast.alias) -> cst.ImportAlias:
        return new.ImportAlias(_dotted(alias.name), None if alias.asname is None else new.AsName(new.Name(alias.asname)))


_SMALL_STATEMENTS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Expr: StatementsMixin._expression_statement,
    ast.Assign: StatementsMixin._assign,
    ast.AugAssign: StatementsMixin._augmented,
    ast.AnnAssign: StatementsMixin._annotated,
    ast.Return: StatementsMixin._return,
    ast.Pass: lambda self, node: new.Pass(),
    ast.Break: lambda self, node: new.Break(),
    ast.Continue: lambda self, node: new.Continue(),
    ast.Raise: StatementsMixin._raise,
    ast.Assert: StatementsMixin._assert,
    ast.Delete: StatementsMixin._delete,
    ast.Global: StatementsMixin._global,
    ast.Nonlocal: StatementsMixin._nonlocal,
    ast.Import: StatementsMixin._import,
    ast.ImportFrom: StatementsMixin._import_from,
}
