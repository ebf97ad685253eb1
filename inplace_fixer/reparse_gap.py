"""An edit of the comment and blank lines before a statement (for reparse.py, reparse_body.py and
reparse_function.py).

A comment line typed between two methods, or above a class, changes nothing but the ``leading_lines``
of the statement after it, yet the stretch around it was parsed again: a whole class (100 ms for
a long one) or a whole method. Here only those lines are parsed, between two stand-in ``pass``
statements at the statement's depth, and given to the statement in place: every node keeps its
identity and nothing the analysis reads changes ("layout", as in node_update.py).

That parse is the file's when

- the edit lies among the lines between the statement's text start and its first token, and those
  lines are, in the new text, blank or comments indented no deeper than the statement: no block
  before could own one (libcst's ``IndentedBlock.footer``), so all are the statement's;
- the statement is not the first of its block (the first's lines could be the module's header);
- libcst gives the lines' text back.
"""

from __future__ import annotations

import ast
import copy
from typing import Optional

import libcst as cst
from libcst._nodes.internal import CodegenState

from inplace_fixer.source import LINE_BREAK, first_line, shift_lines


def leading_lines_edit(
    old_source: str, source: str, text_start: int, prefix: int, old_end: int, outer: tuple[str, ...],
    module: cst.Module, is_function: bool = False,
) -> Optional[tuple[tuple[cst.EmptyLine, ...], int]]:
    """The leading lines, parsed from ``source``, of the statement whose text begins at
    ``text_start`` (inside blocks indented by ``outer``: the enclosing classes', then the
    function's when ``is_function``), and the lines the edit added; None unless the edit
    ``old_source[prefix:old_end]`` lies among those lines and the argument above holds."""
    if prefix < text_start or text_start and old_source[text_start - 1] not in "\r\n":
        return None
    gap_end = _first_token_line(old_source, text_start)
    if gap_end is None:
        return None
    delta = len(source) - len(old_source)
    # The changed characters end before the token's line (where the text says they begin may lie
    # in its indentation, as the same spaces end the inserted lines).
    if old_end > gap_end and not source.startswith(old_source[gap_end:], gap_end + delta):
        return None
    indent = "".join(outer)
    new_end = gap_end + delta
    if not _clean(source, text_start, new_end, indent):
        return None
    gap = source[text_start:new_end]
    newline = module.default_newline
    depth = len(outer) - (1 if is_function else 0)
    headers = "".join(f"{''.join(outer[:level])}class _:{newline}" for level in range(depth))
    if is_function:
        headers += f"{''.join(outer[:-1])}def _():{newline}"
    stand_in = f"{headers}{indent}pass{newline}{gap}{indent}pass{newline}"
    try:
        piece = cst.parse_module(stand_in)
    except Exception:  # a line libcst reads otherwise than this argument does
        return None
    block = piece
    for _ in range(len(outer)):
        if len(block.body) != 1 or type(block.body[0]) not in (cst.ClassDef, cst.FunctionDef):
            return None
        block = block.body[0].body
        if type(block) is not cst.IndentedBlock or block.footer or block.indent is not None:
            return None
    if len(block.body) != 2 or piece.footer or piece.default_indent != module.default_indent:
        return None
    lines = tuple(block.body[1].leading_lines)
    state = CodegenState(default_indent=module.default_indent, default_newline=module.default_newline)
    state.indent_tokens.extend(outer)
    for line in lines:
        line._codegen(state)
    if "".join(state.tokens) != gap:
        return None
    return lines, len(LINE_BREAK.findall(gap)) - len(LINE_BREAK.findall(old_source, text_start, gap_end))


def shifted_from(tree: ast.AST, line: int, new_lines: int):
    """A copy of the class or function AST ``tree`` whose statements from ``line`` on (and its
    own end) are shifted by ``new_lines``."""
    later = [statement for statement in tree.body if first_line(statement) >= line]
    if new_lines:
        shift_lines(later, new_lines)
    copied = copy.copy(tree)
    copied.end_lineno = tree.end_lineno + new_lines
    return copied


def line_at(source: str, text_start: int, offset: int, start_line: int) -> int:
    """The line of ``offset``, in text that begins on ``start_line`` at ``text_start``."""
    return start_line + len(LINE_BREAK.findall(source, text_start, offset))


def _first_token_line(source: str, start: int) -> Optional[int]:
    """Where the line of the first token at or after ``start`` (a line start) begins."""
    position = start
    while position < len(source):
        match = LINE_BREAK.search(source, position)
        line = source[position: match.start() if match else len(source)]
        stripped = line.lstrip(" \t")
        if stripped and not stripped.startswith("#"):
            return position
        if match is None:
            return None
        position = match.end()
    return None


def _clean(source: str, start: int, end: int, indent: str) -> bool:
    """Whether the lines of ``source[start:end]`` are blank or comments indented no deeper than
    ``indent``, and the line at ``end`` begins with ``indent`` and a token."""
    position = start
    while position < end:
        match = LINE_BREAK.search(source, position, end)
        if match is None:
            return False
        line = source[position:match.start()]
        stripped = line.lstrip(" \t")
        if stripped and not stripped.startswith("#") or not stripped and line:
            return False  # code, or a line of only whitespace
        if stripped and not indent.startswith(line[: len(line) - len(stripped)]):
            return False
        position = match.end()
    following = source[end:end + len(indent) + 1]
    return following.startswith(indent) and following[len(indent):][:1] not in ("", " ", "\t", "\f", "\v", "#", "\r", "\n")

