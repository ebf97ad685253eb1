"""Source positions of a few nodes, for the price of one plain code generation.

libcst's PositionProvider records a range for every node of the module, which costs more than
parsing it (about 1.5x on real files); findings need the ranges of a handful of nodes. This runs
the same code generation and records only the nodes asked for, with the same rules as
PositionProvider (syntactic ranges, hoisted from child nodes where libcst says so), so the
results are identical for those nodes (tests/test_positions.py compares them).
"""

from __future__ import annotations

import ast
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, Optional, Sequence

import libcst as cst
from libcst._position import CodePosition, CodeRange
from libcst.metadata.position_provider import WhitespaceInclusivePositionProvidingCodegenState

from inplace_fixer.source import line_offsets


@dataclass(frozen=False)
class _SelectiveState(WhitespaceInclusivePositionProvidingCodegenState):
    wanted: set = field(default_factory=set)
    ranges: dict = field(default_factory=dict)
    _open: list = field(default_factory=list)

    def before_codegen(self, node: cst.CSTNode) -> None:
        if node in self.wanted:
            self._open.append(CodePosition(self.line, self.column))

    def after_codegen(self, node: cst.CSTNode) -> None:
        if node in self.wanted:
            start = self._open.pop()
            if node not in self.ranges:  # a syntactic range recorded inside wins, as in libcst
                self.ranges[node] = CodeRange(start, CodePosition(self.line, self.column))

    @contextmanager
    def record_syntactic_position(
        self,
        node: cst.CSTNode,
        *,
        start_node: Optional[cst.CSTNode] = None,
        end_node: Optional[cst.CSTNode] = None,
    ) -> Iterator[None]:
        if node not in self.wanted:
            yield
            return
        # The children the range is hoisted from need their own ranges first.
        for child in (start_node, end_node):
            if child is not None:
                self.wanted.add(child)
        start = CodePosition(self.line, self.column)
        try:
            yield
        finally:
            end = CodePosition(self.line, self.column)
            start = self.ranges[start_node].start if start_node is not None else start
            end = self.ranges[end_node].end if end_node is not None else end
            self.ranges[node] = CodeRange(start, end)


def positions_of(module: cst.Module, nodes: Iterable[cst.CSTNode]) -> dict[cst.CSTNode, CodeRange]:
    """The PositionProvider range of each of ``nodes`` (nodes of ``module``)."""
    return positions_and_code(module, nodes)[0]


def positions_and_code(module: cst.Module, nodes: Iterable[cst.CSTNode]) -> tuple[dict[cst.CSTNode, CodeRange], str]:
    """``positions_of``, and ``module.code`` from the same code generation (the fixer needs both)."""
    state = _SelectiveState(
        default_indent=module.default_indent,
        default_newline=module.default_newline,
        provider=None,  # type: ignore[arg-type]
        wanted=set(nodes),
    )
    module._codegen(state)
    return state.ranges, "".join(state.tokens)


# ---------------------------------------------------------------------------- by statement
# A whole-module code generation costs about a third of a parse, and findings sit in a few
# statements. Python's AST (which the guard already built) gives the line each statement starts
# on, so each statement that holds a wanted node is generated on its own, starting at its line
# and at its block's indentation. Each generated statement is compared with the source text at
# that place, and statements are paired with the AST's by type, so a pairing libcst and the AST
# disagree on falls back to the whole-module pass instead of giving a wrong position.

_SAME_STATEMENT = {
    "FunctionDef": ("FunctionDef", "AsyncFunctionDef"),
    "For": ("For", "AsyncFor"),
    "With": ("With", "AsyncWith"),
    "Del": ("Delete",),
}


class _Misaligned(Exception):
    """libcst's statements and the AST's do not pair up as expected."""


@dataclass
class _Units:
    """Where each libcst statement starts: (the AST node whose line is that of its first token,
    indentation tokens). The AST node, not its line: the language server shifts the lines of an
    AST it keeps in place (reparse.py)."""

    start: dict = field(default_factory=dict)
    # The last AST statement of each libcst statement (its text ends with it): built trees only.
    end: dict = field(default_factory=dict)
    # An `elif` or a one-line suite is generated as part of the statement that owns it.
    owner: dict = field(default_factory=dict)
    # The top-level AST statements each statement lies in (Pairings only: their lines may wait
    # to be shifted, line_shifts.DeferredShifts).
    group: dict = field(default_factory=dict)


    def holding(self, nodes: Iterable[cst.CSTNode], enclosing) -> dict:
        """``nodes`` grouped by the statement generated to place them (``enclosing(node)`` names
        the statement or line that holds an expression or small statement); a node of another
        file is left out."""
        groups: dict[cst.CSTNode, set] = {}
        for node in nodes:
            unit = node if node in self.start else enclosing(node)
            unit = self.owner.get(unit, unit)
            if unit in self.start:
                groups.setdefault(unit, set()).add(node)
        return groups

class Pairings:
    """The pairing of each top-level statement with Python's AST, kept from one text of a
    document to the next (the language server's, one per document): a statement whose libcst
    node and AST nodes are the very same objects as last time pairs the same way. An edit gives
    new objects to what it re-parsed (reparse.py; a node changed in place gets a new AST)."""

    def __init__(self, settle: Optional[Callable[[Sequence[ast.stmt]], None]] = None) -> None:
        self._kept: dict = {}  # id(statement) -> (statement, its AST statements, its _Units)
        # Shifts the lines of top-level AST statements that still wait for it (reparse.py).
        self.settle = settle

    def units(self, module: cst.Module, tree: ast.Module) -> _Units:
        units, kept, position = _Units(), {}, 0
        for statement in module.body:
            count = len(statement.body) if isinstance(statement, cst.SimpleStatementLine) else 1
            group = tree.body[position : position + count]
            position += count
            last = self._kept.get(id(statement))
            if last is not None and last[0] is statement and len(last[1]) == len(group) and all(
                a is b for a, b in zip(last[1], group)
            ):
                own = last[2]
            else:
                own = _Units()
                _pair_block((statement,), group, (), own, module.default_indent)
                own.group = dict.fromkeys(own.start, group)
            kept[id(statement)] = (statement, group, own)
            units.start.update(own.start)
            units.owner.update(own.owner)
            units.group.update(own.group)
        if position != len(tree.body):
            raise _Misaligned
        self._kept = kept
        return units


def positions_by_statement(
    module: cst.Module, nodes: Iterable[cst.CSTNode], source: str, tree: ast.Module, enclosing,
    pairings: Optional[Pairings] = None,
) -> Optional[dict[cst.CSTNode, CodeRange]]:
    """``positions_of`` from the statements that hold ``nodes`` only; ``enclosing(node)`` names
    the statement (or line) that holds an expression or small statement. A node whose statement
    is unknown (a node of another file) gets no range. None when the statements do not pair with
    the AST's, or a generated statement differs from the source. ``pairings``: the pairing of
    the document's last text, for the statements an edit did not touch."""
    try:
        units = pairings.units(module, tree) if pairings is not None else statement_units(module, tree)
    except _Misaligned:
        return None
    line_starts = line_offsets(source)
    ranges: dict[cst.CSTNode, CodeRange] = {}
    settle = pairings.settle if pairings is not None else None
    for unit, wanted in units.holding(nodes, enclosing).items():
        if settle is not None:
            settle(units.group[unit])
        anchor, indents = units.start[unit]
        line = anchor.lineno - _lines_before_first_token(unit)
        if not 1 <= line <= len(line_starts):
            return None
        placed = ranges_in_place(unit, wanted, line, list(indents), module, source, line_starts[line - 1])
        if placed is None:
            return None
        ranges.update(placed)
    return ranges


def statement_units(module: cst.Module, tree: ast.Module) -> _Units:
    """Each statement of ``module`` paired with Python's AST (raises ``_Misaligned``)."""
    units = _Units()
    _pair_block(module.body, tree.body, (), units, module.default_indent)
    return units


def ranges_in_place(
    unit: cst.CSTNode, wanted: set, line: int, indent_tokens: list, module: cst.Module, source: str, begin: int
) -> Optional[dict[cst.CSTNode, CodeRange]]:
    """The ranges of ``wanted`` (nodes of the statement ``unit``), generating ``unit`` as if it
    started at ``line`` (offset ``begin`` of ``source``) under ``indent_tokens``; None when the
    generated statement is not the source text there."""
    state = _SelectiveState(
        default_indent=module.default_indent,
        default_newline=module.default_newline,
        provider=None,  # type: ignore[arg-type]
        wanted=wanted,
        line=line,
    )
    state.indent_tokens = indent_tokens
    unit._codegen(state)
    text = "".join(state.tokens)
    if not (source.startswith(text, begin) or _is_last_without_newline(source, text, begin)):
        return None
    return state.ranges


def _is_last_without_newline(source: str, text: str, begin: int) -> bool:
    # The module drops the newline its last statement generates when the file has none.
    stripped = text.rstrip("\r\n")
    return stripped != text and begin + len(stripped) == len(source) and source.startswith(stripped, begin)


def _lines_before_first_token(unit: cst.CSTNode) -> int:
    count = len(getattr(unit, "leading_lines", ()))
    decorators = getattr(unit, "decorators", ())
    if decorators:
        count += len(decorators[0].leading_lines)
    return count


def _pair_block(statements, ast_statements, indents: tuple, units: _Units, default_indent: str) -> None:
    position = 0
    for statement in statements:
        if isinstance(statement, cst.SimpleStatementLine):
            smalls = statement.body
            paired = ast_statements[position : position + len(smalls)]
            if len(paired) != len(smalls):
                raise _Misaligned
            for small, node in zip(smalls, paired):
                _same_kind(small, node)
            position += len(smalls)
            units.start[statement] = (paired[0], indents)
            units.end[statement] = paired[-1]
            continue
        if position >= len(ast_statements):
            raise _Misaligned
        node = ast_statements[position]
        position += 1
        _same_kind(statement, node)
        decorators = getattr(node, "decorator_list", None)
        units.start[statement] = (decorators[0] if decorators else node, indents)
        units.end[statement] = node
        _pair_children(statement, node, statement, indents, units, default_indent)
    if position != len(ast_statements):
        raise _Misaligned


def _pair_children(statement, node, owner, indents: tuple, units: _Units, default_indent: str) -> None:
    def suite(body, ast_body, outer: tuple = indents) -> None:
        if isinstance(body, cst.IndentedBlock):
            indent = default_indent if body.indent is None else body.indent
            _pair_block(body.body, ast_body, (*outer, indent), units, default_indent)
        else:  # statements on the header's line: generated with their owner
            units.owner[body] = owner

    if not isinstance(statement, cst.Match):
        suite(statement.body, node.body)
    orelse = getattr(statement, "orelse", None)
    if isinstance(orelse, cst.If):  # elif
        if len(node.orelse) != 1 or not isinstance(node.orelse[0], ast.If):
            raise _Misaligned
        units.owner[orelse] = owner
        _pair_children(orelse, node.orelse[0], owner, indents, units, default_indent)
    elif orelse is not None:
        suite(orelse.body, node.orelse)
    if isinstance(statement, (cst.Try, cst.TryStar)):
        if len(statement.handlers) != len(node.handlers):
            raise _Misaligned
        for handler, ast_handler in zip(statement.handlers, node.handlers):
            units.owner[handler] = owner
            suite(handler.body, ast_handler.body)
        if statement.finalbody is not None:
            suite(statement.finalbody.body, node.finalbody)
    if isinstance(statement, cst.Match):
        if len(statement.cases) != len(node.cases):
            raise _Misaligned
        # The cases are indented under `match`, and their bodies under them.
        cases_indent = default_indent if statement.indent is None else statement.indent
        for case, ast_case in zip(statement.cases, node.cases):
            units.owner[case] = owner
            suite(case.body, ast_case.body, (*indents, cases_indent))


def _same_kind(statement: cst.CSTNode, node: ast.AST) -> None:
    name = type(statement).__name__
    if type(node).__name__ not in _SAME_STATEMENT.get(name, (name,)):
        raise _Misaligned
