"""Positions, and libcst's own nodes, for the statements of a built tree that findings need.

A built tree (``module_from_ast``) has no layout of the user's: the code libcst generates for it
is not the source text, so neither a node's position nor a fix's code can come from it. Findings
sit in a few statements. Each statement that holds a node a finding needs (positions.py's units:
a statement line, or a compound statement with its `elif`s and one-line suites) is parsed by
libcst on its own, from its lines of the source; its nodes are paired with the built ones
(pairing.py); positions come from libcst's code generation of that statement, exactly as for a
file libcst parsed whole; and a fix's new code is written with libcst's nodes of those
statements (``with_twins``), so what it keeps of the user's code keeps its layout.
"""

from __future__ import annotations

import ast
from typing import Any, Iterable, Iterator, Optional

import libcst as cst

from inplace_fixer.cst_build.pairing import NotTheSameTree, paired
from inplace_fixer.cst_fields import field_names
from inplace_fixer.cst_parse import parse_module
from inplace_fixer.positions import _Misaligned, ranges_in_place, statement_units
from inplace_fixer.source import line_offsets


def positions_and_twins(
    module: cst.Module, nodes: Iterable[cst.CSTNode], source: str, tree: ast.Module, enclosing
) -> Optional[tuple[dict, dict]]:
    """The ranges of ``nodes`` (nodes of the built ``module``) and libcst's node for each node of
    the statements that hold them; None when a statement cannot be placed or parsed this way
    (the caller then parses the file with libcst)."""
    try:
        units = statement_units(module, tree)
    except _Misaligned:
        return None
    line_starts = line_offsets(source)
    ranges: dict = {}
    twins: dict = {}
    for unit, wanted in units.holding(nodes, enclosing).items():
        first, last = units.start[unit][0], units.end[unit]
        begin = line_starts[first.lineno - 1]
        end = line_starts[last.end_lineno] if last.end_lineno < len(line_starts) else len(source)
        text = source[begin:end]
        indent = text[: len(text) - len(text.lstrip(" \t"))]
        parsed = _parse_statement(text, indent, module.default_newline)
        if parsed is None:
            return None
        try:
            pairs = paired(unit, parsed)
        except NotTheSameTree:
            return None
        wanted_there = {pairs[node] for node in wanted if node in pairs}
        placed = ranges_in_place(parsed, wanted_there, first.lineno, [indent] if indent else [], module, source, begin)
        if placed is None:
            return None
        for node in wanted:
            code_range = placed.get(pairs.get(node))
            if code_range is not None:
                ranges[node] = code_range
        twins.update(pairs)
    return ranges, twins


def _parse_statement(text: str, indent: str, newline: str) -> Optional[cst.CSTNode]:
    """libcst's node for the one statement ``text`` holds (at ``indent``): in a block of its own
    when it is indented, so that its lines parse as they stand."""
    try:
        if not indent:
            return parse_module(text).body[0]
        block = parse_module("if 1:" + newline + text).body[0].body
        return block.body[0]  # type: ignore[union-attr]
    except Exception:  # libcst's limits (guard.py): the caller parses the whole file
        return None


def with_twins(node: Any, twins: dict, original: Any = None) -> Any:
    """``node`` (a fix's new code for the built node ``original``, made of new nodes and of built
    ones) with each built node replaced by libcst's node of the same code.

    A fix often makes a node as a changed copy of a built one (``call.with_changes(func=...)``):
    what the copy kept of it, layout included (a line break after `(`, a comment at the end of
    the line), is taken from libcst's node of that one. The built node a copy comes from is
    ``original`` for the node itself, else the built node whose child the copy kept."""
    return _Translation(twins).of(node, original)


class _Translation:
    def __init__(self, twins: dict) -> None:
        self.twins = twins
        self._parents: Optional[dict[int, Any]] = None

    def of(self, node: Any, original: Any = None) -> Any:
        twins = self.twins
        twin = twins.get(node)
        if twin is not None:
            return twin
        if isinstance(node, cst.FlattenSentinel):
            return cst.FlattenSentinel([self.of(item, original) for item in node.nodes])
        if not isinstance(node, cst.CSTNode):
            return node
        if type(original) is not type(node) or original not in twins:
            original = self._copied_from(node)
        original_twin = twins.get(original) if original is not None else None
        changes = {}
        for name in field_names(type(node)):
            value = getattr(node, name)
            kept = getattr(original, name) if original_twin is not None else _NOTHING
            if value is kept and not isinstance(value, cst.MaybeSentinel):
                twin_value = getattr(original_twin, name)
                if twin_value is not value:
                    changes[name] = twin_value
                continue
            if name in _PARENTHESES and original_twin is not None and original_twin.lpar:
                # The fix put the built node (which has only the parentheses its code needs) in
                # parentheses; the user's own already group it.
                changes[name] = getattr(original_twin, name)
                continue
            if isinstance(value, cst.CSTNode):
                replaced = self.of(value, kept if isinstance(kept, cst.CSTNode) else None)
                if replaced is not value:
                    changes[name] = replaced
            elif type(value) in (list, tuple):
                hints = kept if type(kept) in (list, tuple) and len(kept) == len(value) else [None] * len(value)
                items = [self.of(item, hint) for item, hint in zip(value, hints)]
                if any(new is not old for new, old in zip(items, value)):
                    changes[name] = type(value)(items)
        return node.with_changes(**changes) if changes else node

    def _copied_from(self, node: cst.CSTNode) -> Any:
        """The built node of ``node``'s type whose child ``node`` kept, if any."""
        parents = self._parents
        if parents is None:
            parents = self._parents = {}
            for built in self.twins:
                for child in _children(built):
                    parents[id(child)] = built
        for child in _children(node):
            if child in self.twins:
                parent = parents.get(id(child))
                if type(parent) is type(node):
                    return parent
        return None


def _children(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    for name in field_names(type(node)):
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            yield value
        elif type(value) in (list, tuple):
            yield from (item for item in value if isinstance(item, cst.CSTNode))


_NOTHING = object()
_PARENTHESES = ("lpar", "rpar")
