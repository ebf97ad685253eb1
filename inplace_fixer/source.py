"""How messages quote the user's code, and how its text divides into lines."""

from __future__ import annotations

import ast
import re
import threading
from contextlib import contextmanager
from typing import Iterator, Optional

import libcst as cst
from libcst._nodes.internal import CodegenState

from inplace_fixer.guard import PHYSICAL_LINE
from inplace_fixer.guard import line_offsets as line_offsets  # re-exported: the tool takes it from here
from inplace_fixer.quick_code import quick_code

_EMPTY = cst.Module([])


_QUOTING = threading.local()


@contextmanager
def quoting(quotes) -> Iterator[None]:
    """While a built tree is checked on this thread: its nodes are quoted by ``quotes``
    (cst_build/quotes.py), as the user wrote them."""
    previous = getattr(_QUOTING, "quotes", None)
    _QUOTING.quotes = quotes
    try:
        yield
    finally:
        _QUOTING.quotes = previous


def code(node: cst.CSTNode, limit: Optional[int] = 60) -> str:
    """Source text of a node on one line, shortened to ``limit`` characters (None: whole)."""
    quotes = getattr(_QUOTING, "quotes", None)
    if quotes is not None:
        written = quotes.code_of(node)
        if written is not None:
            text = " ".join(written.split())
            return text if limit is None or len(text) <= limit else text[: limit - 3] + "..."
        node = quotes.as_written(node)
    quick = quick_code(node)
    if quick is not None or limit is None:
        text = " ".join((quick if quick is not None else _EMPTY.code_for_node(node)).split())
        return text if limit is None or len(text) <= limit else text[: limit - 3] + "..."
    state = _PrefixState(default_indent=_EMPTY.default_indent, default_newline=_EMPTY.default_newline)
    state.limit = state.check_at = limit
    try:
        node._codegen(state)
    except _LongEnough:
        pass
    text = " ".join("".join(state.tokens).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


class _LongEnough(Exception):
    """The code generated so far is longer than the message can show."""


class _PrefixState(CodegenState):
    """Code generation that stops once the text, on one line, is longer than ``limit``: messages
    name an expression by its first 40 characters, and generating all of a long one (a call
    spanning many lines) cost a twentieth of the analysis on transformers' files.

    The one-line text of a prefix of the code is a prefix of the one-line text of the whole, so
    its first ``limit - 3`` characters are the same."""

    limit: int = 0
    length: int = 0  # characters generated, whitespace included
    check_at: int = 0  # the one-line text cannot be longer than ``limit`` before ``length`` reaches this

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        self.length += len(value)
        if self.length > self.check_at:
            # One-line text grows no faster than the code: no need to look again before it could pass.
            one_line = len(" ".join("".join(self.tokens).split()))
            if one_line > self.limit:
                raise _LongEnough
            self.check_at = self.length + self.limit - one_line


LINE_BREAK = re.compile(r"\r\n|\r|\n")  # what ends a line, as above


def physical_lines(source: str) -> list[str]:
    """Lines as Python and libcst count them (only \\n, \\r\\n and \\r end a line; str.splitlines
    would also split at form feeds and Unicode separators), each with its line ending. Without a
    "\\r", the line endings are the "\\n"s: a split is faster than the regex (the language server
    pays this on every edit)."""
    if "\r" in source:
        return PHYSICAL_LINE.findall(source)
    pieces = source.split("\n")
    last = pieces.pop()  # after the last "\n": empty, or a last line without a line ending
    lines = [piece + "\n" for piece in pieces]
    if last:
        lines.append(last)
    return lines


def first_line(statement: ast.stmt) -> int:
    """The line a statement's code begins on: its first decorator's, if it has any."""
    decorators = getattr(statement, "decorator_list", None)
    return min(decorator.lineno for decorator in decorators) if decorators else statement.lineno


def shift_lines(nodes, lines: int) -> None:
    """``ast.increment_lineno`` for each of ``nodes``, by ``lines``: the same positions, in a
    third of the time (the language server shifts every statement after an edit)."""
    stack = list(nodes)
    pop, push, extend, AST = stack.pop, stack.append, stack.extend, ast.AST
    while stack:
        node = pop()
        if "lineno" in node._attributes:
            node.lineno = getattr(node, "lineno", 0) + lines
            end = getattr(node, "end_lineno", None)
            if end is not None:
                node.end_lineno = end + lines
        for name in node._fields:
            value = getattr(node, name, None)
            if type(value) is list:
                extend(item for item in value if isinstance(item, AST))
            elif isinstance(value, AST):
                push(value)


def common_ends(old: str, new: str) -> tuple[int, int]:
    """Lengths of the longest common prefix and then suffix (not overlapping), by bisection:
    slice comparisons run at memcmp speed, a character loop would cost milliseconds."""
    limit = min(len(old), len(new))
    low, high = 0, limit
    while low < high:
        middle = (low + high + 1) // 2
        if old[:middle] == new[:middle]:
            low = middle
        else:
            high = middle - 1
    prefix = low
    low, high = 0, limit - prefix
    while low < high:
        middle = (low + high + 1) // 2
        if old[len(old) - middle :] == new[len(new) - middle :]:
            low = middle
        else:
            high = middle - 1
    return prefix, low
