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
from typing import Iterator, Optional

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
    # In the new text, the lines from text_start are comments and blank lines up to new_end, and
    # none of them could belong to a block before.
    if not clean_gap(source, text_start, indent) or _first_token_line(source, text_start) != new_end:
        return None
    gap = source[text_start:new_end]
    newline = module.default_newline
    classes = outer[:-1] if is_function else outer
    headers = "".join(stand_in_headers(classes, newline, "def _():" if is_function else None))
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


def stand_in_headers(classes: tuple[str, ...], newline: str, function: Optional[str]) -> list[str]:
    """The lines that put a stretch of statements at its depth in the file: one ``class _:`` per
    enclosing class (``classes``: the indentation each adds), then ``function`` (``def _():``)
    when the stretch is a function's body."""
    headers = [f"{''.join(classes[:depth])}class _:{newline}" for depth in range(len(classes))]
    if function is not None:
        headers.append(f"{''.join(classes)}{function}{newline}")
    return headers


def clean_gap(source: str, start: int, indent: str) -> bool:
    """Whether the lines from ``start`` (where a block's body statement's text begins) to its
    first token are empty lines or comments indented no deeper than that block's ``indent``:
    none that a block before could own (libcst's ``IndentedBlock.footer``)."""
    for _, indentation, rest in _lines_to_token(source, start):
        if rest and not rest.startswith("#"):
            return indentation == indent and rest[0] not in "\f\v"
        if rest and not indent.startswith(indentation) or not rest and indentation:
            return False  # a comment deeper than the block, or a line of only whitespace
    return False  # no token follows


def shallow_after(source: str, start: int, indent: str) -> bool:
    """Whether the lines from ``start`` (where a function's text ends) up to the next token, and
    that token's, are indented no deeper than the function's ``def`` (``indent``): no block of
    the function could own one of them, in the file as after the stand-in. libcst's own
    ownership already says so (deeper lines end the function's text, in a footer): this guards
    that reading, and tests/test_reparse_function.py finds no edit where it decides."""
    for _, indentation, rest in _lines_to_token(source, start):
        if not rest and indentation or rest[:1] in ("\f", "\v") or rest and not indent.startswith(indentation):
            return False  # a line of only whitespace, a form feed, or a line deeper than the def
    return True


def _first_token_line(source: str, start: int) -> Optional[int]:
    """Where the line of the first token at or after ``start`` (a line start) begins."""
    for position, _, rest in _lines_to_token(source, start):
        if rest and not rest.startswith("#"):
            return position
    return None


def _lines_to_token(source: str, start: int) -> Iterator[tuple[int, str, str]]:
    """From ``start`` (a line start), each line up to the first that holds a token (a comment is
    not one), or to the end: where it begins, its indentation (spaces and tabs), and the rest of it
    without its line break."""
    position = start
    while position < len(source):
        match = LINE_BREAK.search(source, position)
        line = source[position: match.start() if match else len(source)]
        rest = line.lstrip(" \t")
        yield position, line[: len(line) - len(rest)], rest
        if rest and not rest.startswith("#") or match is None:
            return
        position = match.end()
