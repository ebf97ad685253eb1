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
from inplace_fixer.cst_fields import field_names
from inplace_fixer.cst_parse import parse_module
from inplace_fixer.source import LINE_BREAK, first_line, shift_lines


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
    while first > 0 and not _clean_gap(source, starts[first], indent):
        first -= 1
    while stop < last and not _clean_gap(source, starts[stop + 1] + delta, indent):
        stop += 1
    if stop == last and (block.footer or indented_gap(source, text_end + delta)):
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


def update_in_place(old: cst.CSTNode, new: cst.CSTNode, comments_only: bool = False) -> Optional[str]:
    """Make the statement ``old`` read as ``new`` without a new node, and say how they differed:
    "layout" when only in comment and blank lines between statements, end-of-line comments, or
    the text of a string statement (a docstring), none of which the analysis reads; "body" when
    ``old`` is a function with the same decorators and signature (its body is then taken as
    changed, without comparing it, unless ``comments_only`` says the edit added, removed or
    changed only comment and blank lines: then it is compared, and may be "layout"); None,
    changing nothing, otherwise.

    libcst's nodes are frozen, and this is the one place that changes them: the statement keeps
    its node identity, so that everything the analysis attached to it (a function's FunctionInfo,
    its class's method table, the closures that name it) stays true, and the language server
    re-analyses only what executed a changed body (inference/reuse.py). The parse that held the
    old nodes is replaced by the new one at once (reparse.DocumentParses)."""
    changes: list = []
    if type(old) is cst.ClassDef and type(new) is cst.ClassDef:
        return _update_class_in_place(old, new, comments_only)
    if type(old) is cst.FunctionDef and type(new) is cst.FunctionDef:
        # A function's body is compared only after an edit of comment lines (a walk of a long
        # method costs more than analysing it again): any other change to it is "body".
        if not all(
            deep_equals(getattr(old, item.name), getattr(new, item.name))
            for item in dataclasses.fields(cst.FunctionDef) if item.name not in ("body", "leading_lines")
        ):
            return None
        if comments_only and _adopt(old, new, None, changes):
            kind = "layout"
        else:
            changes = [(old, "leading_lines", new.leading_lines), (old, "body", new.body)]
            kind = "body"
    elif _adopt(old, new, None, changes):
        kind = "layout"
    else:
        return None
    for node, name, value in changes:
        object.__setattr__(node, name, value)
    return kind


def comment_lines_only(old_source: str, source: str, prefix: int, old_end: int) -> bool:
    """Whether the edit that replaced ``old_source[prefix:old_end]`` (giving ``source``) added,
    removed or changed only lines that are blank or hold a comment alone. A hint, read from the
    text (such a line may be inside a string): update_in_place still compares the nodes."""
    start = old_source.rfind("\n", 0, prefix) + 1
    old_stop = old_source.find("\n", old_end)
    new_stop = source.find("\n", old_end + len(source) - len(old_source))
    before = old_source[start:len(old_source) if old_stop < 0 else old_stop]
    after = source[start:len(source) if new_stop < 0 else new_stop]
    return _code_lines(before) == _code_lines(after)


def _code_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def _update_class_in_place(old: cst.ClassDef, new: cst.ClassDef, comments_only: bool) -> Optional[str]:
    """update_in_place for a class parsed again whole (reparse.py's stretch, when the class body's
    own could not be used): the same header, and the same body statements but for one that
    updates in place (a method's body, or layout)."""
    block, new_block = old.body, new.body
    if not isinstance(block, cst.IndentedBlock) or type(new_block) is not cst.IndentedBlock:
        return None
    if len(block.body) != len(new_block.body) or not all(
        deep_equals(getattr(old, item.name), getattr(new, item.name))
        for item in dataclasses.fields(cst.ClassDef) if item.name not in ("body", "leading_lines")
    ) or not all(
        deep_equals(getattr(block, item.name), getattr(new_block, item.name))
        for item in dataclasses.fields(cst.IndentedBlock) if item.name not in ("body", "footer")
    ):
        return None
    differing = [(a, b) for a, b in zip(block.body, new_block.body) if not deep_equals(a, b)]
    if len(differing) > 1:
        return None
    kind = update_in_place(*differing[0], comments_only) if differing else "layout"
    if kind is None:
        return None
    object.__setattr__(old, "leading_lines", new.leading_lines)
    object.__setattr__(block, "footer", new_block.footer)
    return kind


# Fields that hold whole comment and blank lines (EmptyLine) between statements.
_LINE_FIELDS = frozenset({"leading_lines", "lines_after_decorators", "footer"})
# A value made of these only (`__all__ = ["Linear", ...]`) is a constant the analysis never quotes.
_LITERAL_NODES = (cst.BaseParenthesizableWhitespace, cst.Comment, cst.Newline, cst.EmptyLine, cst.TrailingWhitespace,
    cst.List, cst.Tuple, cst.Set, cst.Dict, cst.Element, cst.DictElement, cst.SimpleString, cst.ConcatenatedString,
    cst.Integer, cst.Float, cst.Comma, cst.LeftSquareBracket, cst.RightSquareBracket, cst.LeftCurlyBrace,
    cst.RightCurlyBrace, cst.LeftParen, cst.RightParen,
)
_WHITESPACE = (cst.BaseParenthesizableWhitespace, cst.Comment, cst.Newline, cst.EmptyLine, cst.TrailingWhitespace)


def _adopt(
    old: cst.CSTNode, new: cst.CSTNode, parent: Optional[cst.CSTNode], changes: list, literal: Optional[list] = None
) -> bool:
    """Whether ``new`` is ``old`` but for what update_in_place calls "layout"; the fields to set
    on ``old``'s nodes go to ``changes``. Whitespace and comments inside an expression count as a
    difference (messages quote expressions' code, and ``torch.tensor([1.])`` is read for its
    dtype), except inside a value of an assignment made of literals only: the analysis gives it a
    constant's value and never reads its code. ``literal``, inside such a value: [whether a
    difference was let through, whether a node other than a literal was met]."""
    if type(old) is not type(new):
        return False
    entered = None
    if literal is None and type(parent) in (cst.Assign, cst.AnnAssign) and type(old) in _CONTAINERS:
        literal = entered = [False, False]
    elif literal is not None and not isinstance(old, _LITERAL_NODES):
        literal[1] = True
    for name in field_names(type(old)):
        before, after = getattr(old, name), getattr(new, name)
        if name in _LINE_FIELDS or isinstance(before, cst.TrailingWhitespace) or (
            literal is not None and isinstance(before, _WHITESPACE) and isinstance(after, _WHITESPACE)
        ):
            if not deep_equals(before, after):
                changes.append((old, name, after))
                if literal is not None and not (name in _LINE_FIELDS or isinstance(before, cst.TrailingWhitespace)):
                    literal[0] = True
        elif isinstance(before, cst.CSTNode):
            if not _adopt(before, after, old, changes, literal):
                return False
        elif isinstance(before, (tuple, list)):
            if not isinstance(after, (tuple, list)) or len(before) != len(after):
                return False
            if not all(_adopt(a, b, old, changes, literal) for a, b in zip(before, after)):
                return False
        elif before != after:
            if not (name == "value" and type(old) is cst.SimpleString and type(parent) is cst.Expr):
                return False
            changes.append((old, name, after))
    return entered is None or not (entered[0] and entered[1])


_CONTAINERS = (cst.List, cst.Tuple, cst.Set, cst.Dict)


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
        shift_lines(after, new_lines)
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


def _code_at(module: cst.Module, indent: str, *nodes: cst.CSTNode) -> str:
    """The code of body statements (or footer lines) of a top-level class, as in the file."""
    state = CodegenState(default_indent=module.default_indent, default_newline=module.default_newline)
    state.indent_tokens.append(indent)
    for node in nodes:
        node._codegen(state)
    return "".join(state.tokens)
