"""Re-parse a stretch of one function's body instead of the whole function (for reparse.py and
reparse_body.py).

torch's long methods (``MultiheadAttention.forward`` is 200 lines) made every edit inside them
cost a parse, a code generation and, after a comment edit, a node-by-node comparison of the whole
method: 20-45 ms of a 5,000-line document's edit. Here only the body statements of the function
that the edit touches are parsed again, inside stand-in headers (``class _:`` and ``def _():``)
that put them at the same depth as in the file, and spliced into the function's body.

The argument is reparse_body.py's, one level further down. Between two statements of a block no
bracket, string or indentation is open, so whole statements of the body parse inside the stand-in
exactly as in the file, provided that

- the comment and blank lines before the stretch (new text) and before the statement after it
  (old text) are empty lines or comments indented no deeper than the function's body: a block
  inside the stretch, or before it, could own deeper ones (libcst's ``IndentedBlock.footer``).
  Else the stretch grows by one statement;
- the stretch does not reach the body's last statement, whose trailing lines the function's own
  block, or the class around it, could take: such an edit is left to reparse_body.py;
- the stand-in's defaults (first indentation, line ending) are the file's, the function's body
  and the class body around it are indented by the file's default indentation, and libcst gives
  the stretch's text back byte for byte.

The function keeps its node. When the edit changed only comment lines (the text says so and the
nodes agree), the touched statements are updated in place and the body counts as unchanged;
otherwise the function is given a new body block holding the old nodes of its other statements,
and counts as edited (inference/reuse.py then re-analyses only what ran it). Anything else
returns None and the caller parses the whole method or statement. tests/test_reparse.py compares
every result with a full parse.
"""

from __future__ import annotations

import ast
import copy
from bisect import bisect_right
from dataclasses import dataclass
from typing import Optional, Sequence

import libcst as cst
from libcst._nodes.internal import CodegenState

from inplace_fixer import guard
from inplace_fixer.cst_parse import parse_module
from inplace_fixer.node_update import adopt, apply
from inplace_fixer.reparse_gap import (
    clean_gap, leading_lines_edit, line_at, shallow_after, shifted_from, stand_in_headers,
)
from inplace_fixer.source import LINE_BREAK, first_line, shift_lines


@dataclass(frozen=True)
class FunctionSplice:
    tree: ast.AST  # the function's new Python AST (a copy; its later statements shifted)
    # What was parsed again: ("statements", first, stop) of the old body, or ("leading lines",
    # index): the comment and blank lines before body statement ``index`` (reparse_gap.py).
    stretch: tuple
    new_lines: int  # lines the edit added (negative: removed)
    body_changed: bool  # False: only comment lines changed, updated in place


class FunctionLayouts:
    """The length of each body statement's text (leading lines included) of a function, and of
    its body's footer, kept per function node with the function's text they were measured on: a
    function edited by any other path no longer matches its text and is measured again."""

    def __init__(self) -> None:
        self._known: dict[int, tuple[cst.FunctionDef, str, tuple[int, ...], int]] = {}

    def lengths(
        self, function: cst.FunctionDef, text: str, indents: tuple[str, ...], module: cst.Module
    ) -> tuple[tuple[int, ...], int]:
        known = self._known.get(id(function))
        if known is not None and known[0] is function and known[1] == text:
            return known[2], known[3]
        block = function.body
        lengths = tuple(len(code_at(module, indents, node)) for node in block.body)
        footer = len(code_at(module, indents, *block.footer))
        self.keep(function, text, lengths, footer)
        return lengths, footer

    def keep(self, function: cst.FunctionDef, text: str, lengths: tuple[int, ...], footer: int) -> None:
        self._known[id(function)] = (function, text, lengths, footer)

    def forget_except(self, live: set[int]) -> None:
        """Drop the layouts of functions whose ids are not in ``live`` (bounded by the document)."""
        self._known = {key: value for key, value in self._known.items() if key in live}


def splice_function(
    function: cst.BaseStatement, tree: ast.AST, module: cst.Module, old_source: str, source: str,
    text_start: int, text_end: int, line_start: int, prefix: int, old_end: int, outer: tuple[str, ...],
    layouts: FunctionLayouts, comments_only: bool,
) -> Optional[FunctionSplice]:
    """The function ``function`` (whose text is ``old_source[text_start:text_end]``, beginning on
    line ``line_start``, inside blocks indented by ``outer``; Python's AST ``tree``) with the body
    statements that hold the changed characters ``old_source[prefix:old_end]`` parsed again from
    the new text ``source``, or None when that cannot be shown to equal a parse of the whole
    function. ``comments_only``: the text says only comment or blank lines changed."""
    if type(function) is not cst.FunctionDef or type(tree) not in (ast.FunctionDef, ast.AsyncFunctionDef):
        return None
    block = function.body
    indent = module.default_indent
    if type(block) is not cst.IndentedBlock or block.indent is not None or len(block.body) < 2:
        return None
    indents = (*outer, indent)
    lengths, footer = layouts.lengths(function, old_source[text_start:text_end], indents, module)
    body_end = text_end - footer
    starts = [body_end - sum(lengths)]
    for length in lengths:
        starts.append(starts[-1] + length)
    if not text_start < starts[0] <= prefix or old_end > body_end:
        return None  # the function's header, its decorators or its footer changed
    last = len(lengths) - 1
    first = bisect_right(starts, prefix, 0, last + 1) - 1
    stop = max(first, bisect_right(starts, old_end, 0, last + 1) - 1)
    if old_end == starts[stop] and old_end > prefix:
        stop = max(first, stop - 1)  # a deletion that ends where a statement's text begins
    full_indent = "".join(indents)
    delta = len(source) - len(old_source)
    if first == stop and first > 0:
        gap = leading_lines_edit(old_source, source, starts[first], prefix, old_end, indents, module, is_function=True)
        if gap is not None:
            lines, new_lines = gap
            new_tree = shifted_from(tree, line_at(old_source, text_start, starts[first], line_start), new_lines)
            apply([(block.body[first], "leading_lines", lines)])
            new_lengths = (*lengths[:first], lengths[first] + delta, *lengths[first + 1:])
            layouts.keep(function, source[text_start:text_end + delta], new_lengths, footer)
            return FunctionSplice(new_tree, ("leading lines", first), new_lines, False)
    while first > 0 and not clean_gap(source, starts[first], full_indent):
        first -= 1
    while stop < last and not clean_gap(source, starts[stop + 1] + delta, full_indent):
        stop += 1
    if stop == last and (block.footer or not shallow_after(source, text_end + delta, "".join(outer))):
        return None  # the last statement's blocks, the function's and the class's might trade lines
    begin, old_after = starts[first], starts[stop + 1]
    if source[begin - 1] not in "\r\n":
        return None
    text = source[begin:old_after + delta]
    newline = module.default_newline
    headers = stand_in_headers(outer, newline, f"{'async ' if function.asynchronous else ''}def _():")
    problem, piece_tree = guard.checked_tree("".join(headers) + text)
    if problem is not None or piece_tree is None:
        return None
    try:
        piece = parse_module("".join(headers) + text)
    except Exception:  # RecursionError, ParserSyntaxError, libcst's odd TypeErrors
        return None
    if piece.header or piece.footer or not piece.has_trailing_newline or piece.default_indent != indent or (
        piece.default_newline != newline
    ):
        return None
    stand_in, stand_in_tree = _innermost(piece, piece_tree, len(outer))
    if stand_in is None or type(stand_in) is not cst.FunctionDef or stand_in.body.footer:
        return None
    statements = stand_in.body.body
    codes = [code_at(module, indents, node) for node in statements]
    if "".join(codes) != text:
        return None  # libcst does not give this text back
    begin_line = line_start + len(LINE_BREAK.findall(old_source, text_start, begin))
    old_lines = len(LINE_BREAK.findall(old_source, begin, old_after))
    new_lines = len(LINE_BREAK.findall(text)) - old_lines
    new_statements = list(stand_in_tree.body)
    for statement in new_statements:
        ast.increment_lineno(statement, begin_line - 1 - len(headers))
    new_tree = spliced_tree(tree, new_statements, begin_line, begin_line + old_lines, new_lines)
    if new_tree is None:
        return None
    changes: list = []
    old_statements = block.body[first:stop + 1]
    if comments_only and len(statements) == len(old_statements) and all(
        adopt(old, new, None, changes) for old, new in zip(old_statements, statements)
    ):
        body_changed = False
    else:
        changes = [(function, "body", block.with_changes(body=(*block.body[:first], *statements, *block.body[stop + 1:])))]
        body_changed = True
    apply(changes)
    new_lengths = (*lengths[:first], *(len(code) for code in codes), *lengths[stop + 1:])
    layouts.keep(function, source[text_start:text_end + delta], new_lengths, footer)
    return FunctionSplice(new_tree, ("statements", first, stop), new_lines, body_changed)


def _innermost(piece: cst.Module, piece_tree: ast.Module, depth: int):
    """The stand-in function of ``piece`` (under ``depth`` stand-in classes) and its AST, or
    (None, None) when the stand-ins did not parse as one statement each."""
    node, tree = piece, piece_tree
    for level in range(depth + 1):
        body = node.body if level == 0 else node.body.body
        if len(body) != 1 or len(tree.body) != 1:
            return None, None
        node, tree = body[0], tree.body[0]
        if level < depth and (
            type(node) is not cst.ClassDef or type(node.body) is not cst.IndentedBlock or node.body.footer
            or node.body.indent is not None
        ):
            return None, None
    if type(node) is not cst.FunctionDef or type(node.body) is not cst.IndentedBlock or node.body.indent is not None:
        return None, None
    return node, tree


def spliced_tree(old, statements: Sequence[ast.stmt], begin_line: int, old_after_line: int, new_lines: int):
    """A copy of the AST ``old`` (a class or function) whose statements on lines
    ``[begin_line, old_after_line)`` are replaced by ``statements`` (already on their lines),
    the statements after them shifted by ``new_lines``; None when a statement straddles them."""
    before = [s for s in old.body if first_line(s) < begin_line]
    after = [s for s in old.body if first_line(s) >= old_after_line]
    if len(before) + len(after) > len(old.body):
        return None
    if new_lines:
        shift_lines(after, new_lines)
    tree = copy.copy(old)
    tree.body = [*before, *statements, *after]
    last = tree.body[-1]
    tree.end_lineno, tree.end_col_offset = last.end_lineno, last.end_col_offset
    return tree


def code_at(module: cst.Module, indents: Sequence[str], *nodes: cst.CSTNode) -> str:
    """The code of body statements (or footer lines) of a block inside blocks indented by
    ``indents`` (outermost first), as in the file."""
    state = CodegenState(default_indent=module.default_indent, default_newline=module.default_newline)
    state.indent_tokens.extend(indents)
    for node in nodes:
        node._codegen(state)
    return "".join(state.tokens)

