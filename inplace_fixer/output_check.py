"""The fixer's output must parse: a fixer bug must never reach the user's file.

Python's own parser checks it, as Black checks its output (a tenth of libcst's cost). Only the
top-level statements that the fixes edited are parsed again: the rest of the output is the
user's text, unchanged, which Python's parser accepted before the fixes (guard.py). A top-level
statement parses alone exactly when it parses in its file, as long as no `__future__` import
changes how the file parses; a file with one, or an edit outside every top-level statement, is
parsed whole. On transformers' model files the whole-file parse was 2% of a check.
"""

from __future__ import annotations

import ast
from typing import Optional, Sequence

from inplace_fixer import guard
from inplace_fixer.model import Edit
from inplace_fixer.source import LINE_BREAK, first_line, physical_lines


class FixerBug(RuntimeError):
    """The fixer produced code that does not parse: a bug in inplace-fixer, never the user's."""


def check_parses(fixed_source: str, path: str) -> ast.Module:
    """Python's AST of the whole output; FixerBug when there is none."""
    problem, tree = guard.syntax_tree(fixed_source)
    if tree is None:
        raise FixerBug(f"{path}: inplace-fixer produced code that does not parse ({problem})")
    return tree


def check_edited_statements_parse(
    source: str, tree: Optional[ast.Module], fixed_source: str, edits: Sequence[Edit], path: str
) -> None:
    """``check_parses``, parsing only the top-level statements of ``source`` (whose AST is
    ``tree``) that ``edits`` changed to give ``fixed_source``."""
    regions = None if tree is None or "__future__" in source else _edited_regions(tree, edits)
    if regions is None:
        check_parses(fixed_source, path)
        return
    fixed_lines = physical_lines(fixed_source)
    shift = 0  # lines the edits before the current region added (or removed, if negative)
    for first, last, added in regions:
        text = "".join(fixed_lines[first - 1 + shift: last + shift + added])
        problem = guard.syntax_problem(text)
        if problem is not None:
            # Named as the whole file would name it: parse it whole for the message.
            check_parses(fixed_source, path)
            raise FixerBug(f"{path}: inplace-fixer produced code that does not parse ({problem})")
        shift += added


def _edited_regions(tree: ast.Module, edits: Sequence[Edit]) -> Optional[list[tuple[int, int, int]]]:
    """(first line, last line, lines added by the edits) of each run of top-level statements
    that an edit touches, in order; None when an edit touches a line outside every statement."""
    spans: list[list[int]] = []
    for statement in tree.body:
        first, last = first_line(statement), statement.end_lineno or statement.lineno
        if spans and first <= spans[-1][1]:  # `a = 1; b = 2`: statements sharing a line
            spans[-1][1] = max(spans[-1][1], last)
        else:
            spans.append([first, last])
    touched: dict[int, int] = {}  # index of a span -> lines its edits add
    for edit in edits:
        # An edit ending at column 1 ends before that line; an insertion still touches its line.
        lines = range(edit.start.line, max(edit.start.line + 1, edit.end.line + (edit.end.col > 1)))
        owners = {index for index, (first, last) in enumerate(spans) if first <= lines[0] and lines[-1] <= last}
        if len(owners) != 1:
            return None
        (owner,) = owners
        added = len(LINE_BREAK.findall(edit.content)) - (edit.end.line - edit.start.line)
        touched[owner] = touched.get(owner, 0) + added
    return [(spans[index][0], spans[index][1], touched[index]) for index in sorted(touched)]
