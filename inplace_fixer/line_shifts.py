"""Line shifts of Python's AST deferred until the lines are read (for reparse.py).

After an edit, every statement below it moves by the lines the edit added or removed. Shifting
every node of the AST at once took 10-14 ms of an edit near the top of a 5,000-line document,
while the engine reads the lines of only the few statements that hold findings (positions.py,
through ``Pairings.settle``) and the first line of each top-level statement (suppression
comments, through ``DocumentParses.first_lines``). So each top-level statement keeps the lines it
still has to move, and is shifted when one of those reads it, or when the language server is
idle (``DocumentParses.prepare``).
"""

from __future__ import annotations

import ast
from typing import Sequence

from inplace_fixer.source import shift_lines


class DeferredShifts:
    """Lines still to add to top-level AST statements (and all their nodes) after edits above
    them: ``defer`` costs one entry per statement, ``settle`` the walk of its nodes."""

    def __init__(self) -> None:
        # id(statement) -> [statement, lines]; the entry keeps the statement alive, so no other
        # object takes its id while it waits.
        self._waiting: dict[int, list] = {}

    def defer(self, groups: Sequence[Sequence[ast.stmt]], lines: int) -> None:
        waiting = self._waiting
        for group in groups:
            for statement in group:
                entry = waiting.get(id(statement))
                if entry is None:
                    waiting[id(statement)] = [statement, lines]
                else:
                    entry[1] += lines

    def pending(self, statement: ast.stmt) -> int:
        entry = self._waiting.get(id(statement))
        return entry[1] if entry is not None else 0

    def settle(self, statements: Sequence[ast.stmt]) -> None:
        waiting = self._waiting
        if waiting:
            self._shift([entry for statement in statements if (entry := waiting.pop(id(statement), None))])

    def settle_all(self) -> None:
        entries, self._waiting = list(self._waiting.values()), {}
        self._shift(entries)

    @staticmethod
    def _shift(entries: list) -> None:
        by_lines: dict[int, list[ast.stmt]] = {}
        for statement, lines in entries:
            if lines:
                by_lines.setdefault(lines, []).append(statement)
        for lines, statements in by_lines.items():
            shift_lines(statements, lines)
