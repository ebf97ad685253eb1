"""Re-parse a stretch of one class body instead of the whole class (for reparse.py).

The usual edit in an editor lies inside one method of a class, and torch's classes are often
300-500 lines: re-parsing the whole top-level statement costs most of an edit. Here only the
class-body statements the edit touches (usually one method) are parsed again, inside a stand-in
class header (``class _:``) so that they sit at the same depth as in the file, and spliced into the
class with ``with_changes``: every other method keeps its node *identity*, which the analysis
reuse (inference/reuse.py) relies on.

The argument is reparse.py's, one level down: between two statements of a block no bracket,
string or indentation is open, so a stretch of whole statements of the class body parses inside
``class _:`` exactly as it parses in the file, provided that

- the comment and blank lines at the stretch's two ends cannot change owner: libcst gives an
  indented block the lines after it up to its last line indented deeper than the next statement
  (``IndentedBlock.footer``). So the lines before the stretch's first statement (new text) and
  before the statement after the stretch (old text) must be empty lines or comments indented no
  deeper than the class body; else the stretch grows by one statement. The stretch's own
  trailing lines must all go to its last statement (the stand-in module and class get no footer);
- the stand-in's defaults (its first indentation, its line ending) are the file's, and the class
  body is indented by the file's default indentation, so libcst stores the same nodes;
- libcst gives the stretch's text back byte for byte.

Anything else returns None and reparse.py re-parses the whole top-level statement. Python's AST
of the class is rebuilt from the stretch's AST and the old class's statements. The class's layout
(the length of each body statement's text) is kept per class node, so an edit costs code
generation of the edited statements only. tests/test_reparse.py compares every result with a full
parse on random edits of real files.
"""

from __future__ import annotations

import ast
import copy
import dataclasses
from bisect import bisect_right
from dataclasses import dataclass
from typing import Optional

import libcst as cst
from libcst._nodes.deep_equals import deep_equals
from libcst._nodes.internal import CodegenState

from inplace_fixer import guard
from inplace_fixer.cst_parse import parse_module
from inplace_fixer.source import LINE_BREAK, first_line


@dataclass(frozen=True)
class BodySplice:
    """A class statement rebuilt around its re-parsed body statements ``first..stop``."""

    statement: cst.ClassDef
    tree: ast.ClassDef
    first: int
    stop: int
    new_lines: int  # lines the edit added (negative: removed)
    edited_function: Optional[cst.FunctionDef] = None  # a method whose body was replaced in place


class ClassLayouts:
    """The length of each body statement's text (leading lines included) per class node, and of
    the body's footer: where each method's text begins, without generating the class's code on
    every edit."""

    def __init__(self) -> None:
        self._lengths: dict[int, tuple[cst.ClassDef, tuple[int, ...], int]] = {}

    def lengths(self, statement: cst.ClassDef, module: cst.Module) -> Optional[tuple[tuple[int, ...], int]]:
        cached = self._lengths.get(id(statement))
        if cached is not None and cached[0] is statement:
            return cached[1], cached[2]
        block = statement.body
        if not isinstance(block, cst.IndentedBlock):
            return None
        indent = module.default_indent if block.indent is None else block.indent
        lengths = tuple(len(_code_at(module, indent, node)) for node in block.body)
        footer = len(_code_at(module, indent, *block.footer))
        self.keep(statement, lengths, footer)
        return lengths, footer

    def keep(self, statement: cst.ClassDef, lengths: tuple[int, ...], footer: int) -> None:
        self._lengths[id(statement)] = (statement, lengths, footer)

    def forget_except(self, module: cst.Module) -> None:
        """Drop the layouts of classes no longer in the module (bounded by the document's classes)."""
        live = {id(node) for node in module.body}
        self._lengths = {key: value for key, value in self._lengths.items() if key in live}


def splice(
    statement: cst.BaseStatement, group: tuple, module: cst.Module, old_source: str, source: str,
    text_start: int, text_end: int, line_start: int, prefix: int, old_end: int, layouts: ClassLayouts,
) -> Optional[BodySplice]:
    """The class ``statement`` (whose text is ``old_source[text_start:text_end]``, beginning on
    line ``line_start``, and not the file's last statement; Python's AST ``group``) with the body
    statements that hold the changed characters ``old_source[prefix:old_end]`` parsed again from
    the new text ``source``, or None when that cannot be shown to equal a full parse."""
    if not isinstance(statement, cst.ClassDef) or len(group) != 1 or not isinstance(group[0], ast.ClassDef):
        return None
    block = statement.body
    known = layouts.lengths(statement, module)
    if known is None or not block.body:
        return None
    indent = module.default_indent
    if block.indent is not None and block.indent != indent:
        return None
    delta = len(source) - len(old_source)
    lengths, footer = known
    body_end = text_end - footer
    starts = [body_end - sum(lengths)]
    for length in lengths:
        starts.append(starts[-1] + length)
    if not text_start < starts[0] <= prefix or old_end > body_end:
        return None  # the class header, its decorators or its footer changed
    last = len(lengths) - 1
    first = bisect_right(starts, prefix, 0, last + 1) - 1
    stop = max(first, bisect_right(starts, old_end, 0, last + 1) - 1)
    if old_end == starts[stop] and old_end > prefix:
        stop = max(first, stop - 1)  # a deletion that ends where a statement's text begins
    while first > 0 and not _clean_gap(source, starts[first], indent):
        first -= 1
    while stop < last and not _clean_gap(source, starts[stop + 1] + delta, indent):
        stop += 1
    if stop == last and (block.footer or not _column_zero_gap(source, text_end + delta)):
        return None  # the last statement's block and the class's footer might trade lines
    begin, old_after = starts[first], starts[stop + 1]
    if source[begin - 1] not in "\r\n":
        return None
    text = source[begin:old_after + delta]
    wrapped = "class _:" + module.default_newline + text
    problem, piece_tree = guard.checked_tree(wrapped)
    if problem is not None or piece_tree is None or len(piece_tree.body) != 1:
        return None
    try:
        piece = parse_module(wrapped)
    except Exception:  # RecursionError, ParserSyntaxError, libcst's odd TypeErrors
        return None
    stand_in = piece.body[0] if len(piece.body) == 1 else None
    if (
        not isinstance(stand_in, cst.ClassDef) or not isinstance(stand_in.body, cst.IndentedBlock)
        or piece.header or piece.footer or not piece.has_trailing_newline or stand_in.body.footer
        or stand_in.body.indent is not None or piece.default_indent != indent
        or piece.default_newline != module.default_newline
    ):
        return None
    statements = stand_in.body.body
    codes = [_code_at(module, indent, node) for node in statements]
    if "".join(codes) != text:
        return None  # libcst does not give this text back
    begin_line = line_start + len(LINE_BREAK.findall(old_source, text_start, begin))
    old_lines = len(LINE_BREAK.findall(old_source, begin, old_after))
    new_lines = len(LINE_BREAK.findall(text)) - old_lines
    tree = _spliced_tree(group[0], piece_tree.body[0], begin_line, begin_line + old_lines, new_lines)
    if tree is None:
        return None
    new_lengths = (*lengths[:first], *(len(code) for code in codes), *lengths[stop + 1:])
    if first == stop and len(statements) == 1 and replace_body_in_place(block.body[first], statements[0]):
        layouts.keep(statement, new_lengths, footer)
        return BodySplice(statement, tree, first, stop, new_lines, block.body[first])
    new_block = block.with_changes(body=(*block.body[:first], *statements, *block.body[stop + 1:]))
    new_statement = statement.with_changes(body=new_block)
    layouts.keep(new_statement, new_lengths, footer)
    return BodySplice(new_statement, tree, first, stop, new_lines)


# What an edit of a function may change for its node to be kept, its new body put in place.
_IN_PLACE_FIELDS = frozenset({"body", "leading_lines"})


def replace_body_in_place(old: cst.CSTNode, new: cst.CSTNode) -> bool:
    """Give ``old`` the body (and leading comment lines) of ``new`` when the two functions differ
    in nothing else, and say whether it did.

    libcst's nodes are frozen, and this is the one place that changes one: the function keeps its
    node identity, so that everything the analysis of the module body attached to it (its
    FunctionInfo, its class's method table, the closures that name it) stays true, and the
    language server re-analyses only what executed its body (inference/reuse.py). The old parse
    that held the node is replaced by the new one at once (reparse.DocumentParses)."""
    if type(old) is not cst.FunctionDef or type(new) is not cst.FunctionDef:
        return False
    for item in dataclasses.fields(cst.FunctionDef):
        if item.name not in _IN_PLACE_FIELDS and not deep_equals(getattr(old, item.name), getattr(new, item.name)):
            return False
    object.__setattr__(old, "body", new.body)
    object.__setattr__(old, "leading_lines", new.leading_lines)
    return True


def _spliced_tree(old: ast.ClassDef, stand_in: ast.ClassDef, begin_line: int, old_after_line: int, new_lines: int):
    """The old class's AST with the statements of lines ``[begin_line, old_after_line)`` replaced by
    the stand-in's (parsed one line before ``begin_line``), later statements shifted."""
    body = list(stand_in.body)
    for statement in body:
        ast.increment_lineno(statement, begin_line - 2)
    before = [s for s in old.body if first_line(s) < begin_line]
    after = [s for s in old.body if first_line(s) >= old_after_line]
    if len(before) + len(after) > len(old.body):
        return None
    if new_lines:
        for statement in after:
            ast.increment_lineno(statement, new_lines)
    tree = copy.copy(old)
    tree.body = [*before, *body, *after]
    last = tree.body[-1]
    tree.end_lineno, tree.end_col_offset = last.end_lineno, last.end_col_offset
    return tree


def _clean_gap(source: str, start: int, indent: str) -> bool:
    """Whether the lines from ``start`` (where a body statement's text begins) to its first token
    are empty lines or comments indented no deeper than the class body: none that a block before
    could own (libcst's ``IndentedBlock.footer``)."""
    position = start
    while position < len(source):
        match = LINE_BREAK.search(source, position)
        line = source[position: match.start() if match else len(source)]
        stripped = line.lstrip(" \t")
        if stripped and not stripped.startswith("#"):
            return line[: len(line) - len(stripped)] == indent and stripped[0] not in "\f\v"
        if stripped and not indent.startswith(line[: len(line) - len(stripped)]):
            return False
        if not stripped and line:
            return False  # a line of only whitespace
        if match is None:
            return False
        position = match.end()
    return False


def _column_zero_gap(source: str, start: int) -> bool:
    """Whether the lines from ``start`` (where the next top-level statement's text begins) to its
    first token are empty lines or comments at column 0: none that the class could own."""
    position = start
    while position < len(source):
        char = source[position]
        if char in " \t\f\v":
            return False
        if char not in "#\r\n":
            return True
        match = LINE_BREAK.search(source, position)
        if match is None:
            return True
        position = match.end()
    return True


def _code_at(module: cst.Module, indent: str, *nodes: cst.CSTNode) -> str:
    """The code of body statements (or footer lines) of a top-level class, as in the file."""
    state = CodegenState(default_indent=module.default_indent, default_newline=module.default_newline)
    state.indent_tokens.append(indent)
    for node in nodes:
        node._codegen(state)
    return "".join(state.tokens)
