"""Re-parse an edited document statement by statement, for the language server.

An edit in an editor changes a few characters of a long file; parsing the whole file again with
libcst costs about 300 ms for 5,000 lines. ``DocumentParses`` keeps the last parse of one open
document (its text, libcst module and Python AST, and where each top-level statement's text
begins) and, for a new text, parses again only the top-level statements the edit touches, as a
small module of its own. The new module is the old one with
that stretch of its body replaced, so every untouched statement keeps its node *identity* (what
the analysis knew about it stays attached to it). An edit inside a class body parses only the
body statements it touches (reparse_body.py), an edit inside a function or method only the
statements of its body it touches (reparse_function.py), and an edit of the comment lines before
a statement only those lines (reparse_gap.py); and when the one statement edited differs only in
a function's body (or a default value), or only in comment lines and docstrings, the old node
itself is given the new content (``node_update.update_in_place``), so that every node keeps its
identity and the language server re-analyses only what executed that body (``changed_bodies``,
inference/reuse.py). The lines of the AST after an edit are shifted when read
(``line_shifts.DeferredShifts``): the engine reads few of them.

A top-level statement boundary is a clean place for Python's tokenizer: no bracket, string or
indentation is open there, so a stretch of whole statements parses alone exactly as it parses in
the file, with three exceptions that are checked:

- comment and blank lines between two statements belong to the statement after them, except
  that an indented block owns the lines up to its last indented one (libcst's ``footer``). So a
  stretch must not start or end next to a line that begins with whitespace in those gaps; the
  stretch grows by one statement until it does not;
- libcst records the file's first indentation and first line ending as the module's defaults and
  stores only the differences in the nodes, so the stretch's defaults must agree with the file's,
  and an edit that may change which indentation comes first falls back to a full parse;
- the file's header (comments before the first statement) and footer (after the last) are parsed
  with the stretch when it reaches the file's start or end.

Everything else unusual falls back to a full parse by the caller: a stretch that does not parse
(a broken edit, or one whose effect reaches past the stretch, like an opened string), a
``from __future__`` import, code libcst does not reproduce byte for byte. The guard
(guard.checked_tree: size, NUL bytes, Python's own parser, nesting) checks each stretch before
libcst sees it, and the Python AST of the file is rebuilt from the stretch's AST and the old
statements' (shifted by the lines the edit added or removed), as the engine places findings
with it. tests/test_reparse.py checks on random edits of real files that the result equals a
full parse (libcst's and Python's).
"""

from __future__ import annotations

import ast
from bisect import bisect_right
from dataclasses import dataclass
from typing import Optional, Sequence

import libcst as cst

from inplace_fixer import guard
from inplace_fixer.cst_parse import parse_module
from inplace_fixer.positions import Pairings
from inplace_fixer.node_update import apply, comment_lines_only, update_in_place
from inplace_fixer.reparse_body import ClassLayouts, indented_gap, splice
from inplace_fixer.reparse_function import splice_function
from inplace_fixer.reparse_gap import leading_lines_edit
from inplace_fixer.line_shifts import DeferredShifts
from inplace_fixer.source import LINE_BREAK, common_ends, first_line

@dataclass(frozen=True)
class _Layout:
    """Where the text of each top-level statement of a module begins.

    ``starts[i]`` is the offset of statement i's text (its leading comment and blank lines
    included), ``starts[-1]`` the end of the last one; ``lines[i]`` the 1-based line at
    ``starts[i]``; ``groups[i]`` Python's AST statements for libcst's statement i (a line
    ``a; b`` is one libcst statement and two AST statements)."""

    starts: tuple[int, ...]
    lines: tuple[int, ...]
    groups: tuple[tuple[ast.stmt, ...], ...]


@dataclass(frozen=True)
class _Parsed:
    source: str
    module: cst.Module
    tree: ast.Module
    layout: Optional[_Layout]  # None: not computed yet (a full parse computes it on first edit)
    stretch: Optional[tuple] = None  # what the update that made this parse re-parsed (DocumentParses.stretch)
    edited_function: Optional[cst.FunctionDef] = None  # its body replaced in place by that update


class DocumentParses:
    """The latest parse of one document, reused for its next text (see the module docstring).

    ``reparse(text)`` gives ``(tree, module)`` for a text when the previous parse could be
    updated, else None: the caller then parses in full and hands the result to ``remember``.
    ``outcome`` says what the last ``reparse`` did (for tests and the benchmark)."""

    def __init__(self) -> None:
        self._parsed: Optional[_Parsed] = None
        self._reproducible = True  # False: libcst does not give this text back; always parse in full
        self.outcome = "none"
        self._class_layouts = ClassLayouts()
        # What the last incremental update re-parsed: ("statements", first, stop) for top-level
        # statements, ("class body", index, first, stop) for body statements of one class.
        self.stretch: Optional[tuple] = None
        # Each parse that reparse or remember gives is one revision; an update that only replaced
        # the body of one function keeps the function's node and notes (revision, node) here,
        # for the analysis of the next one (inference/reuse.py).
        self.revision = 0
        self._changed_bodies: list[tuple[int, cst.FunctionDef]] = []
        self._known_since = 0
        # The line shifts of the AST statements after each edit, applied when their lines are read.
        self._shifts = DeferredShifts()
        # How the statements of the last text paired with Python's AST, for placing findings.
        self.pairings = Pairings(settle=self._shifts.settle)

    def tree_of(self, source: str) -> Optional[ast.Module]:
        """Python's AST of ``source`` if it is the text last parsed, else None."""
        parsed = self._parsed
        if parsed is None or parsed.source != source:
            return None
        self._shifts.settle_all()
        return parsed.tree

    def first_lines(self, tree: ast.Module) -> list[int]:
        """The first line of each top-level statement of ``tree`` (the last ``reparse(...,
        lazy_lines=True)`` gave), without shifting the statements' lines."""
        pending = self._shifts.pending
        return [first_line(statement) + pending(statement) for statement in tree.body]

    def remember(self, source: str, tree: ast.Module, module: cst.Module) -> None:
        """The result of a full parse of ``source`` (Python's AST and libcst's module)."""
        self._parsed = _Parsed(source, module, tree, None)
        self._shifts = DeferredShifts()
        self.pairings.settle = self._shifts.settle
        self._reproducible = True
        self.revision += 1
        self._changed_bodies.clear()
        self._known_since = self.revision

    def bodies_changed_since(self, revision: int) -> Optional[frozenset]:
        """The functions whose bodies the updates after ``revision`` replaced in place (their
        nodes are the same objects), or None when that is no longer known."""
        if revision < self._known_since:
            return None
        return frozenset(node for changed, node in self._changed_bodies if changed > revision)

    def reparse(self, source: str, lazy_lines: bool = False) -> Optional[tuple[ast.Module, cst.Module]]:
        """``lazy_lines``: the lines of the AST's top-level statements after the edit are shifted
        only when read through ``first_lines`` or ``pairings`` (the engine's only readers), or
        by ``tree_of`` and ``prepare``, which the language server calls once diagnostics are out:
        shifting every node after an edit near the top of 5,000 lines takes 10 ms."""
        updated = self._reparse(source)
        if updated is not None and not lazy_lines:
            self._shifts.settle_all()
        return updated

    def _reparse(self, source: str) -> Optional[tuple[ast.Module, cst.Module]]:
        old = self._parsed
        if old is None:
            return self._fall_back("no earlier parse")
        if source == old.source:
            self.outcome = "unchanged"
            return old.tree, old.module
        if not self.prepare(settle=False):
            return self._fall_back("libcst does not reproduce this text")
        updated = _update(self._parsed, source, self._class_layouts, self._shifts)
        if isinstance(updated, str):
            return self._fall_back(updated)
        self._parsed = updated
        self.outcome = "incremental"
        self.stretch = updated.stretch
        self.revision += 1
        if updated.edited_function is not None:
            self._changed_bodies.append((self.revision, updated.edited_function))
            if len(self._changed_bodies) > 256:
                del self._changed_bodies[:128]
                self._known_since = self._changed_bodies[0][0] - 1
        self._class_layouts.forget_except(updated.module)
        return updated.tree, updated.module

    def prepare(self, settle: bool = True) -> bool:
        """Lay out the last full parse now (one code generation of the whole module), which the
        next ``reparse`` needs, and shift the lines the last edits left to shift; the language
        server calls this when the editor is idle after each analysis. False when libcst does not
        give the text back (always parse in full)."""
        old = self._parsed
        if old is None or not self._reproducible:
            return False
        if settle:
            self._shifts.settle_all()
        if old.layout is None:
            layout = _layout(old.module, old.source, old.tree.body, 1, 0, self._class_layouts)
            if layout is None:
                self._reproducible = False
                return False
            self._parsed = _Parsed(old.source, old.module, old.tree, layout)
        return True

    def _fall_back(self, reason: str) -> None:
        # The last parse stays (a failed update changes nothing in it): while the user types, a
        # text that does not parse is followed by one that does, and that one differs little
        # from the last that parsed. A full parse that succeeds replaces it (``remember``).
        self.outcome = f"full parse: {reason}"
        return None


# ---------------------------------------------------------------------------- one update


def _update(old: _Parsed, source: str, class_layouts: ClassLayouts, shifts: DeferredShifts) -> _Parsed | str:
    """The parse of ``source`` made from ``old``'s, or why it cannot be (a short reason)."""
    layout = old.layout
    assert layout is not None
    body = old.module.body
    last = len(body) - 1
    if last < 0:
        return "no statements"
    if len(source) > guard.MAX_SOURCE_BYTES:
        return "too large"
    prefix, suffix = common_ends(old.source, source)
    old_end = len(old.source) - suffix  # the changed characters are old.source[prefix:old_end]
    delta = len(source) - len(old.source)
    # The statements whose text holds a changed character (an edit in the header or footer
    # touches the first or last statement). Text inserted at a statement's start may belong to
    # the statement before it (an indented line joins its block, or its block's footer), and
    # lines after the stretch may join the stretch's last block: an indented line in the gap
    # before the stretch (in the new text) or after it (unchanged) takes in one more statement.
    first = max(0, bisect_right(layout.starts, prefix, 0, last + 1) - 1)
    stop = min(last, bisect_right(layout.starts, old_end, 0, last + 1) - 1)
    if first == stop and "barry_as_FLUFL" not in old.source:
        if first > 0:
            gap = _leading_lines(old, source, first, prefix, old_end, shifts)
            if gap is not None:
                return gap
        shifts.settle(layout.groups[first])
        inside = _inside_class(old, source, first, prefix, old_end, class_layouts, shifts)
        if inside is None and first < last:
            inside = _inside_function(old, source, first, prefix, old_end, class_layouts, shifts)
        if inside is not None:
            return inside
    while first > 0 and indented_gap(source, layout.starts[first]):
        first -= 1
    while stop < last and indented_gap(old.source, layout.starts[stop + 1]):
        stop += 1
    at_start, at_end = first == 0, stop == last
    begin = 0 if at_start else layout.starts[first]
    end = len(source) if at_end else layout.starts[stop + 1] + delta
    text = source[begin:end]
    if not at_start and "__future__" in text or "barry_as_FLUFL" in old.source:
        # A future import is only legal at the top of the file, and one changes how `<>` parses.
        return "a __future__ import"
    problem, piece_tree = guard.checked_tree(text)
    if problem is not None or piece_tree is None:
        return "the edited statements do not parse alone"
    try:
        piece = parse_module(text)
    except Exception:  # RecursionError, ParserSyntaxError, libcst's odd TypeErrors: a full parse says
        return "libcst cannot parse the edited statements alone"
    why = _mismatch(old.module, piece, at_start, at_end, _first_block(body), first, stop)
    if why is not None:
        return why
    start_line = layout.lines[first] if not at_start else 1
    piece_layout = _layout(piece, text, piece_tree.body, start_line, begin, class_layouts)
    if piece_layout is None:
        return "libcst does not reproduce the edited statements"
    statements = list(piece.body)
    if not at_start and piece.header:
        # What libcst calls the stretch's header is, in the file, its first statement's leading lines.
        statements[0] = statements[0].with_changes(leading_lines=(*piece.header, *statements[0].leading_lines))
    new_lines = piece_layout.lines[-1] - (layout.lines[stop + 1] if not at_end else layout.lines[-1])
    edited_function = None
    kept = first == stop and len(statements) == 1 and update_in_place(
        body[first], statements[0], comment_lines_only(old.source, source, prefix, old_end)
    )
    if kept:
        class_layouts.copy(statements[0], body[first])  # a kept class has the new one's layout
        if kept == "body":
            edited_function = _edited_function(body[first], statements[0])
        statements[0] = body[first]
    changes: dict = {"body": (*body[:first], *statements, *body[stop + 1 :])}
    if at_start:
        changes["header"] = piece.header
    if at_end:
        changes.update(footer=piece.footer, has_trailing_newline=piece.has_trailing_newline)
    module = old.module.with_changes(**changes)
    after = layout.groups[stop + 1 :]
    if new_lines:
        shifts.defer(after, new_lines)
    piece_starts, piece_lines = list(piece_layout.starts), list(piece_layout.lines)
    if not at_start:  # the stretch's header is its first statement's now
        piece_starts[0], piece_lines[0] = begin, start_line
    new_layout = _Layout(
        starts=(*layout.starts[:first], *piece_starts[:-1], *(s + delta for s in layout.starts[stop + 1 :])),
        lines=(*layout.lines[:first], *piece_lines[:-1], *(n + new_lines for n in layout.lines[stop + 1 :])),
        groups=(*layout.groups[:first], *piece_layout.groups, *after),
    )
    if at_end:  # the end of the last statement is the stretch's
        new_layout = _Layout(
            new_layout.starts[:-1] + (piece_layout.starts[-1],),
            new_layout.lines[:-1] + (piece_layout.lines[-1],),
            new_layout.groups,
        )
    tree = ast.Module(body=[statement for group in new_layout.groups for statement in group], type_ignores=[])
    return _Parsed(source, module, tree, new_layout, ("statements", first, stop), edited_function)


def _edited_function(kept: cst.CSTNode, new: cst.CSTNode) -> cst.CSTNode:
    """The function whose body update_in_place replaced: ``kept`` itself, or its method that is
    now the same object as ``new``'s (a class parsed again whole)."""
    if isinstance(kept, cst.ClassDef):
        return next(a for a, b in zip(kept.body.body, new.body.body) if a.body is b.body)
    return kept


def _inside_class(
    old: _Parsed, source: str, index: int, prefix: int, old_end: int, class_layouts: ClassLayouts,
    shifts: DeferredShifts,
) -> Optional[_Parsed]:
    """The parse of ``source`` when the edit lies inside the body of the class that is top-level
    statement ``index``: only the body statements it touches are parsed again (reparse_body.py)."""
    layout = old.layout
    assert layout is not None
    body = old.module.body
    spliced = splice(
        body[index], layout.groups[index], old.module, old.source, source, layout.starts[index],
        layout.starts[index + 1], layout.lines[index], prefix, old_end, class_layouts,
    )
    if spliced is None:
        return None
    module = old.module.with_changes(body=(*body[:index], spliced.statement, *body[index + 1 :]))
    stretch = ("class body", index, spliced.first, spliced.stop, spliced.inner)
    return _one_replaced(
        old, source, module, index, spliced.tree, spliced.new_lines, stretch, spliced.edited_function, shifts
    )


def _leading_lines(
    old: _Parsed, source: str, index: int, prefix: int, old_end: int, shifts: DeferredShifts
) -> Optional[_Parsed]:
    """The parse of ``source`` when the edit changed only comment and blank lines before
    top-level statement ``index`` (reparse_gap.py): the statement keeps its node, given them."""
    layout = old.layout
    assert layout is not None
    gap = leading_lines_edit(old.source, source, layout.starts[index], prefix, old_end, (), old.module)
    if gap is None:
        return None
    lines, new_lines = gap
    apply([(old.module.body[index], "leading_lines", lines)])
    delta = len(source) - len(old.source)
    if new_lines:
        shifts.defer(layout.groups[index:], new_lines)
    new_layout = _Layout(
        starts=(*layout.starts[: index + 1], *(s + delta for s in layout.starts[index + 1 :])),
        lines=(*layout.lines[: index + 1], *(n + new_lines for n in layout.lines[index + 1 :])),
        groups=layout.groups,
    )
    module = old.module.with_changes(body=old.module.body)  # a new parse: a new module, as every update gives
    tree = ast.Module(body=list(old.tree.body), type_ignores=[])
    return _Parsed(source, module, tree, new_layout, ("leading lines", index), None)


def _inside_function(
    old: _Parsed, source: str, index: int, prefix: int, old_end: int, class_layouts: ClassLayouts,
    shifts: DeferredShifts,
) -> Optional[_Parsed]:
    """The parse of ``source`` when the edit lies inside the body of the function that is
    top-level statement ``index`` (not the last): only the body statements it touches are parsed
    again (reparse_function.py). The function keeps its node."""
    layout = old.layout
    assert layout is not None
    group = layout.groups[index]
    if len(group) != 1:
        return None
    spliced = splice_function(
        old.module.body[index], group[0], old.module, old.source, source, layout.starts[index],
        layout.starts[index + 1], layout.lines[index], prefix, old_end, (), class_layouts.functions,
        comment_lines_only(old.source, source, prefix, old_end),
    )
    if spliced is None:
        return None
    edited = old.module.body[index] if spliced.body_changed else None
    stretch = ("function body", index, spliced.stretch)
    module = old.module.with_changes(body=old.module.body)  # a new parse: a new module, as every update gives
    return _one_replaced(old, source, module, index, spliced.tree, spliced.new_lines, stretch, edited, shifts)


def _one_replaced(
    old: _Parsed, source: str, module: cst.Module, index: int, tree: ast.stmt, new_lines: int, stretch: tuple,
    edited_function: Optional[cst.FunctionDef], shifts: DeferredShifts,
) -> _Parsed:
    """``old`` with top-level statement ``index`` re-parsed inside (its new AST ``tree``, the new
    ``module``), the later statements shifted by ``new_lines``."""
    layout = old.layout
    assert layout is not None
    delta = len(source) - len(old.source)
    after = layout.groups[index + 1:]
    if new_lines:
        shifts.defer(after, new_lines)
    new_layout = _Layout(
        starts=(*layout.starts[: index + 1], *(s + delta for s in layout.starts[index + 1 :])),
        lines=(*layout.lines[: index + 1], *(n + new_lines for n in layout.lines[index + 1 :])),
        groups=(*layout.groups[:index], (tree,), *after),
    )
    module_tree = ast.Module(body=[statement for group in new_layout.groups for statement in group], type_ignores=[])
    return _Parsed(source, module, module_tree, new_layout, stretch, edited_function)


def _mismatch(
    module: cst.Module, piece: cst.Module, at_start: bool, at_end: bool, first_block: int, first: int, stop: int
) -> Optional[str]:
    """Why the stretch's parse cannot stand in the file's module, or None."""
    if not piece.body:
        return "the edited statements became comments"
    if not at_end and (piece.footer or not piece.has_trailing_newline):
        return "comment lines at the end of the edited statements"
    if piece.default_newline != module.default_newline:
        return "another line ending"  # libcst stores a line ending only where it differs from the default
    if piece.encoding != module.encoding:
        return "another encoding"
    # libcst stores a block's indentation only where it differs from the default, the file's
    # first indented block's. A stretch without blocks keeps the file's first one, unless it held it.
    if any(_opens_block(statement) for statement in piece.body):
        if piece.default_indent != module.default_indent:
            return "another default indentation"
    elif first <= first_block <= stop:
        return "the first indented block was edited away"
    return None


def _first_block(body: Sequence[cst.BaseStatement]) -> int:
    """The index of the first statement whose code holds an indented block (len(body) if none)."""
    for index, statement in enumerate(body):
        if _opens_block(statement):
            return index
    return len(body)


def _opens_block(statement: cst.CSTNode) -> bool:
    """Whether a top-level statement's code holds an INDENT (an indented block or match cases)."""
    if isinstance(statement, cst.Match):
        return True
    if not isinstance(statement, cst.BaseCompoundStatement):
        return False
    suites = [statement.body]
    orelse = getattr(statement, "orelse", None)
    while isinstance(orelse, cst.If):  # elif chains
        suites.append(orelse.body)
        orelse = orelse.orelse
    if orelse is not None:
        suites.append(orelse.body)
    for handler in getattr(statement, "handlers", ()):
        suites.append(handler.body)
    finalbody = getattr(statement, "finalbody", None)
    if finalbody is not None:
        suites.append(finalbody.body)
    return any(isinstance(suite, cst.IndentedBlock) for suite in suites)


# ---------------------------------------------------------------------------- layout


def _layout(
    module: cst.Module, source: str, ast_body: Sequence[ast.stmt], start_line: int, offset: int,
    class_layouts: ClassLayouts,
) -> Optional[_Layout]:
    """The layout of ``module`` (parsed from ``source``, which begins at ``offset`` and line
    ``start_line`` of the file), with its AST statements shifted to the file's lines; None when
    libcst's code for the module is not ``source`` (a form feed it drops, for one). The layouts
    of its classes go to ``class_layouts`` on the way."""
    state = class_layouts.marking_state(module)
    for line in module.header:
        line._codegen(state)
    token_counts = [len(state.tokens)]
    for statement in module.body:
        statement._codegen(state)
        token_counts.append(len(state.tokens))
    tokens = state.tokens
    for line in module.footer:
        line._codegen(state)
    if module.has_trailing_newline:
        if not state.tokens:
            state.add_token(state.default_newline)
    else:
        state.pop_trailing_newline()
    if "".join(tokens) != source:
        return None
    starts, lines = [], []
    position, line = 0, start_line
    previous = 0
    for count in token_counts:
        text = "".join(tokens[previous:count])
        position += len(text)
        line += len(LINE_BREAK.findall(text))
        starts.append(min(position, len(source)) + offset)
        lines.append(line)
        previous = count
    if start_line != 1:
        for statement in ast_body:
            ast.increment_lineno(statement, start_line - 1)
    groups: list[list[ast.stmt]] = [[] for _ in module.body]
    for statement in ast_body:
        index = bisect_right(lines, first_line(statement), 0, len(groups)) - 1
        if not 0 <= index < len(groups):
            return None
        groups[index].append(statement)
    if any(not group for group in groups):
        return None
    return _Layout(tuple(starts), tuple(lines), tuple(tuple(group) for group in groups))

