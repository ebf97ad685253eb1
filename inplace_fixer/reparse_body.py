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

An edit inside one method goes one level further down (reparse_function.py), and one of the
comment lines before a body statement parses only those (reparse_gap.py). Anything else returns
None and reparse.py re-parses the whole top-level statement. Python's AST
of the class is rebuilt from the stretch's AST and the old class's statements. The class's layout
(the length of each body statement's text) is kept per class node, so an edit costs code
generation of the edited statements only. tests/test_reparse.py compares every result with a full
parse on random edits of real files.
"""

from __future__ import annotations

import ast
from bisect import bisect_right
from dataclasses import dataclass
from typing import Optional

import libcst as cst
from libcst._nodes.internal import CodegenState

from inplace_fixer import guard
from inplace_fixer.cst_parse import parse_module
from inplace_fixer.node_update import apply, comment_lines_only, update_in_place
from inplace_fixer.reparse_function import FunctionLayouts, code_at, splice_function, spliced_tree
from inplace_fixer.reparse_gap import clean_gap, leading_lines_edit, line_at, shifted_from
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
    # Less than statement ``first`` was parsed again: its leading lines, ("leading lines",), or
    # some of its body statements, reparse_function.FunctionSplice.stretch.
    inner: Optional[tuple] = None


class ClassLayouts:
    """The length of each body statement's text (leading lines included) per class node, and of
    the body's footer: where each method's text begins, without generating the class's code on
    every edit."""

    def __init__(self) -> None:
        self._lengths: dict[int, tuple[cst.ClassDef, tuple[int, ...], int]] = {}
        self.functions = FunctionLayouts()  # the same, one level down: of functions and methods

    def lengths(self, statement: cst.ClassDef, module: cst.Module) -> Optional[tuple[tuple[int, ...], int]]:
        cached = self._lengths.get(id(statement))
        if cached is not None and cached[0] is statement:
            return cached[1], cached[2]
        block = statement.body
        if not isinstance(block, cst.IndentedBlock):
            return None
        indent = module.default_indent if block.indent is None else block.indent
        lengths = tuple(len(code_at(module, (indent,), node)) for node in block.body)
        footer = len(code_at(module, (indent,), *block.footer))
        self.keep(statement, lengths, footer)
        return lengths, footer

    def marking_state(self, module: cst.Module) -> CodegenState:
        """A code generation state that, while it generates ``module``'s top-level statements,
        notes the layout of each class among them (``learn``): no second generation later."""
        return _MarkingState(self, module)

    def copy(self, source: cst.CSTNode, target: cst.CSTNode) -> None:
        """``target`` (a class kept in place, now reading as ``source``) has ``source``'s layout."""
        self._lengths.pop(id(target), None)
        cached = self._lengths.get(id(source))
        if cached is not None and cached[0] is source:
            self.keep(target, cached[1], cached[2])

    def keep(self, statement: cst.ClassDef, lengths: tuple[int, ...], footer: int) -> None:
        self._lengths[id(statement)] = (statement, lengths, footer)

    def forget_except(self, module: cst.Module) -> None:
        """Drop the layouts of classes no longer in the module (bounded by the document's classes)."""
        live = {id(node) for node in module.body}
        self._lengths = {key: value for key, value in self._lengths.items() if key in live}
        for node in module.body:
            if type(node) is cst.ClassDef and type(node.body) is cst.IndentedBlock:
                live.update(id(method) for method in node.body.body if type(method) is cst.FunctionDef)
        self.functions.forget_except(live)


class _MarkingState(CodegenState):
    """Code generation that notes where each body statement (and the footer) of a top-level
    class begins among the tokens, and keeps the class's layout when the class is done."""

    def __init__(self, layouts: ClassLayouts, module: cst.Module) -> None:
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self._layouts = layouts
        self._watched: dict[int, cst.ClassDef] = {}  # id(body statement or first footer line) -> class
        for statement in module.body:
            if isinstance(statement, cst.ClassDef) and isinstance(statement.body, cst.IndentedBlock):
                for node in (*statement.body.body, *statement.body.footer[:1]):
                    self._watched[id(node)] = statement
        self._marks: dict[int, list[int]] = {}  # id(class) -> token index of each watched node

    def before_codegen(self, node: cst.CSTNode) -> None:
        owner = self._watched.get(id(node))
        if owner is not None:
            self._marks.setdefault(id(owner), []).append(len(self.tokens))

    def after_codegen(self, node: cst.CSTNode) -> None:
        marks = self._marks.pop(id(node), None) if type(node) is cst.ClassDef else None
        if marks is None:
            return
        block = node.body
        count = len(block.body)
        if len(marks) != count + (1 if block.footer else 0):
            return
        bounds = [*marks, len(self.tokens)]
        sizes = [sum(map(len, self.tokens[start:end])) for start, end in zip(bounds, bounds[1:])]
        self._layouts.keep(node, tuple(sizes[:count]), sizes[count] if block.footer else 0)


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
    if first == stop and first > 0:
        gap = leading_lines_edit(old_source, source, starts[first], prefix, old_end, (indent,), module)
        if gap is not None:
            lines, new_lines = gap
            tree = shifted_from(group[0], line_at(old_source, text_start, starts[first], line_start), new_lines)
            apply([(block.body[first], "leading_lines", lines)])
            layouts.keep(statement, (*lengths[:first], lengths[first] + delta, *lengths[first + 1:]), footer)
            return BodySplice(statement, tree, first, first, new_lines, None, ("leading lines",))
    if first == stop and type(block.body[first]) is cst.FunctionDef:
        # Inside one method, the class's own gaps and footer are untouched (reparse_function.py).
        begin, old_after = starts[first], starts[first + 1]
        begin_line = line_at(old_source, text_start, begin, line_start)
        old_lines = len(LINE_BREAK.findall(old_source, begin, old_after))
        inside = _inside_method(
            statement, group[0], lengths, footer, first, begin_line, old_lines, module, old_source, source,
            begin, old_after, prefix, old_end, layouts,
        )
        if inside is not None:
            return inside
    while first > 0 and not clean_gap(source, starts[first], indent):
        first -= 1
    while stop < last and not clean_gap(source, starts[stop + 1] + delta, indent):
        stop += 1
    if stop == last and (block.footer or indented_gap(source, text_end + delta)):
        return None  # the last statement's block and the class's footer might trade lines
    begin, old_after = starts[first], starts[stop + 1]
    if source[begin - 1] not in "\r\n":
        return None
    begin_line = line_at(old_source, text_start, begin, line_start)
    old_lines = len(LINE_BREAK.findall(old_source, begin, old_after))
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
    codes = [code_at(module, (indent,), node) for node in statements]
    if "".join(codes) != text:
        return None  # libcst does not give this text back
    new_lines = len(LINE_BREAK.findall(text)) - old_lines
    new_statements = list(piece_tree.body[0].body)
    for new_statement in new_statements:
        ast.increment_lineno(new_statement, begin_line - 2)  # the stand-in's header is line 1
    tree = spliced_tree(group[0], new_statements, begin_line, begin_line + old_lines, new_lines)
    if tree is None:
        return None
    new_lengths = (*lengths[:first], *(len(code) for code in codes), *lengths[stop + 1:])
    kept = first == stop and len(statements) == 1 and update_in_place(
        block.body[first], statements[0], comment_lines_only(old_source, source, prefix, old_end)
    )
    if kept:
        layouts.keep(statement, new_lengths, footer)
        return BodySplice(statement, tree, first, stop, new_lines, block.body[first] if kept == "body" else None)
    new_block = block.with_changes(body=(*block.body[:first], *statements, *block.body[stop + 1:]))
    new_statement = statement.with_changes(body=new_block)
    layouts.keep(new_statement, new_lengths, footer)
    return BodySplice(new_statement, tree, first, stop, new_lines)


def _inside_method(
    statement: cst.ClassDef, tree: ast.ClassDef, lengths: tuple[int, ...], footer: int, index: int, begin_line: int,
    old_lines: int, module: cst.Module, old_source: str, source: str, begin: int, old_after: int, prefix: int,
    old_end: int, layouts: ClassLayouts,
) -> Optional[BodySplice]:
    """The class ``statement`` with only the touched body statements of its method ``index``
    (whose text is ``old_source[begin:old_after]``, from line ``begin_line``) parsed again
    (reparse_function.py), or None. The class and the method keep their nodes."""
    method = statement.body.body[index]
    after_line = begin_line + old_lines
    inside = [node for node in tree.body if begin_line <= first_line(node) < after_line]
    if len(inside) != 1:
        return None  # Python's AST does not pair this method with one statement: no splice to make
    spliced = splice_function(
        method, inside[0], module, old_source, source, begin, old_after, begin_line, prefix, old_end,
        (module.default_indent,), layouts.functions, comment_lines_only(old_source, source, prefix, old_end),
    )
    if spliced is None:
        return None
    class_tree = spliced_tree(tree, [spliced.tree], begin_line, after_line, spliced.new_lines)
    delta = len(source) - len(old_source)
    layouts.keep(statement, (*lengths[:index], lengths[index] + delta, *lengths[index + 1:]), footer)
    edited = method if spliced.body_changed else None
    return BodySplice(statement, class_tree, index, index, spliced.new_lines, edited, spliced.stretch)


def indented_gap(source: str, start: int) -> bool:
    """Whether the comment and blank lines from ``start`` (where a top-level statement's text
    begins) to the statement's first token include one that begins with whitespace: an indented
    block before it could own such a line and all before it (libcst's IndentedBlock.footer)."""
    position = start
    while position < len(source):
        char = source[position]
        if char in " \t\f\v":
            return True
        if char not in "#\r\n":
            return False  # the statement's first token, at column 0
        match = LINE_BREAK.search(source, position)
        if match is None:
            return False
        position = match.end()
    return False
