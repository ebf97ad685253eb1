"""How messages quote the user's code, and how its text divides into lines."""

from __future__ import annotations

import ast
import re
from typing import Optional

import libcst as cst

from inplace_fixer.guard import PHYSICAL_LINE

_EMPTY = cst.Module([])


def code(node: cst.CSTNode, limit: Optional[int] = 60) -> str:
    """Source text of a node on one line, shortened to ``limit`` characters (None: whole)."""
    text = " ".join(_EMPTY.code_for_node(node).split())
    return text if limit is None or len(text) <= limit else text[: limit - 3] + "..."


LINE_BREAK = re.compile(r"\r\n|\r|\n")  # what ends a line, as above


def physical_lines(source: str) -> list[str]:
    """Lines as Python and libcst count them (only \\n, \\r\\n and \\r end a line; str.splitlines
    would also split at form feeds and Unicode separators), each with its line ending."""
    return PHYSICAL_LINE.findall(source)


def line_offsets(source: str) -> list[int]:
    """Offset of the start of each line, plus one past the end (for an edit ending after the last line)."""
    offsets = [0]
    for line in physical_lines(source):
        offsets.append(offsets[-1] + len(line))
    return offsets


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
