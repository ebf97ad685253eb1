"""Give a statement node the content of its new parse in place (for the incremental parse:
reparse.py, reparse_body.py, reparse_function.py).

libcst's nodes are frozen, and this is the one place that changes them (``apply``, which the
re-parse of part of a function body, reparse_function.py, and of the lines before a statement,
reparse_gap.py, call too): a statement keeps its node *identity*, so that everything the analysis
attached to it stays true, and the language server re-analyses only what executed a changed body
(inference/reuse.py).
"""

from __future__ import annotations

import dataclasses
from typing import Optional

import libcst as cst
from libcst._nodes.deep_equals import deep_equals

from inplace_fixer.cst_fields import field_names


def update_in_place(old: cst.CSTNode, new: cst.CSTNode, comments_only: bool = False) -> Optional[str]:
    """Make the statement ``old`` read as ``new`` without a new node, and say how they differed:
    "layout" when only in comment and blank lines between statements, end-of-line comments, or
    the text of a string statement (a docstring), none of which the analysis reads; "body" when
    ``old`` is a function with the same name, decorators, parameter names and return annotation
    (its body is then taken as changed, without comparing it, unless ``comments_only`` says the
    edit added, removed or changed only comment and blank lines: then it is compared, and may be
    "layout"); None, changing nothing, otherwise. A change of a parameter's default value or
    annotation counts as a change of the body: the analysis reads them only where it runs the
    body (the function's own analysis, and each call it follows), and those run again; its
    name, decorators and return annotation it also reads elsewhere.

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
        header = [
            item.name for item in dataclasses.fields(cst.FunctionDef)
            if item.name not in ("body", "leading_lines")
            and not deep_equals(getattr(old, item.name), getattr(new, item.name))
        ]
        if header and not (_SIGNATURE_LAYOUT.issuperset(header) and _names(old.params) == _names(new.params)):
            return None
        if not header and comments_only and adopt(old, new, None, changes):
            kind = "layout"
        else:
            changes = [(old, name, getattr(new, name)) for name in ("leading_lines", "body", *header)]
            kind = "body"
    elif adopt(old, new, None, changes):
        kind = "layout"
    else:
        return None
    apply(changes)
    return kind


def apply(changes: list) -> None:
    """Set each ``(node, field, value)`` of ``changes`` in place (see update_in_place)."""
    for node, name, value in changes:
        object.__setattr__(node, name, value)


# Header fields a change of which leaves the function the same to the analysis, but for what
# running its body reads (with the parameter names kept: ``_names``).
_SIGNATURE_LAYOUT = frozenset({
    "params", "whitespace_after_def", "whitespace_after_name", "whitespace_before_params", "whitespace_before_colon",
    "lines_after_decorators",
})


def _names(params: cst.Parameters) -> tuple:
    """The parameters' names and kinds (the analysis's FunctionInfo keeps them)."""
    def name(param) -> Optional[str]:
        return param.name.value if type(param) is cst.Param else type(param).__name__

    return (
        tuple(map(name, params.posonly_params)), tuple(map(name, params.params)), name(params.star_arg),
        tuple(map(name, params.kwonly_params)), name(params.star_kwarg) if params.star_kwarg is not None else None,
    )


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


def adopt(
    old: cst.CSTNode, new: cst.CSTNode, parent: Optional[cst.CSTNode], changes: list, literal: Optional[list] = None
) -> bool:
    """Whether ``new`` is ``old`` but for what update_in_place calls "layout"; the fields to set
    on ``old``'s nodes go to ``changes``. Whitespace and comments inside an expression count as a
    difference (messages quote expressions' code, and ``torch.tensor([1.])`` is read for its
    dtype), except inside a value of an assignment made of literals only, which the analysis gives
    a constant's value, and inside an import statement: it never reads their code. ``literal``, inside such a value: [whether a
    difference was let through, whether a node other than a literal was met]."""
    if type(old) is not type(new):
        return False
    if type(old) is cst.Expr and _plain_string(old.value) and _plain_string(new.value):
        # A string statement (a docstring, also one made of several literals): its text is read by no one.
        if not deep_equals(old.value, new.value):
            changes.append((old, "value", new.value))
        return deep_equals(old.semicolon, new.semicolon)
    entered = None
    if literal is None and type(old) in (cst.Import, cst.ImportFrom):
        literal = [False, False]  # what an import binds is read, never its code: no check on leaving
    elif literal is None and type(parent) in (cst.Assign, cst.AnnAssign) and type(old) in _CONTAINERS:
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
            if not adopt(before, after, old, changes, literal):
                return False
        elif isinstance(before, (tuple, list)):
            if not isinstance(after, (tuple, list)) or len(before) != len(after):
                return False
            if not all(adopt(a, b, old, changes, literal) for a, b in zip(before, after)):
                return False
        elif before != after:
            return False
    return entered is None or not (entered[0] and entered[1])


_CONTAINERS = (cst.List, cst.Tuple, cst.Set, cst.Dict)


def _plain_string(node: cst.CSTNode) -> bool:
    """A string literal, or literals side by side: no f-string, whose fields the analysis reads."""
    if type(node) is cst.ConcatenatedString:
        return _plain_string(node.left) and _plain_string(node.right)
    return type(node) is cst.SimpleString
