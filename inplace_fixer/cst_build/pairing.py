"""Each node of a built tree paired with libcst's node at the same place of libcst's own tree.

A built tree (``module_from_ast``) has libcst's layout defaults; a rewrite needs the user's layout.
The two trees of the same code have the same nodes in the same fields and order, layout set
aside, so one walk of both pairs them: a fix made on the built tree can be written with libcst's
nodes of the same statements. The walk also proves the trees the same (``NotTheSameTree``),
which is how tools/cst_build_check.py and the tests compare the builder with libcst's parser.
"""

from __future__ import annotations

from typing import Any

import libcst as cst

from inplace_fixer.cst_fields import field_names

# Fields that hold only layout: whitespace, comments, punctuation, parentheses.
LAYOUT = frozenset({
    "lpar", "rpar", "comma", "semicolon", "leading_lines", "lines_after_decorators", "header", "footer",
    "indent", "trailing_whitespace", "leading_whitespace", "equal", "dot", "colon", "lbracket", "rbracket",
    "lbrace", "rbrace", "newline", "first_colon", "second_colon", "default_indent", "default_newline",
    "has_trailing_newline", "encoding", "whitespace_after_lambda",
})


class NotTheSameTree(Exception):
    """The two trees differ beyond layout; the message says where."""


def paired(built: cst.CSTNode, parsed: cst.CSTNode) -> dict[cst.CSTNode, cst.CSTNode]:
    """Every node of ``built`` (and under it) mapped to the node at the same place in ``parsed``."""
    pairs: dict[cst.CSTNode, cst.CSTNode] = {}
    stack: list[tuple[Any, Any, str]] = [(built, parsed, type(built).__name__)]
    while stack:
        mine, theirs, where = stack.pop()
        kind = type(mine)
        if kind is not type(theirs):
            raise NotTheSameTree(f"{where}: {kind.__name__} against {type(theirs).__name__}")
        pairs[mine] = theirs
        for name in field_names(kind):
            if name in LAYOUT or name.startswith("whitespace"):
                continue
            _pair_values(getattr(mine, name), getattr(theirs, name), f"{where}.{name}", stack)
    return pairs


def _pair_values(mine: Any, theirs: Any, where: str, stack: list[tuple[Any, Any, str]]) -> None:
    if isinstance(mine, cst.CSTNode):
        stack.append((mine, theirs, where))
    elif type(mine) in (list, tuple):
        if type(theirs) not in (list, tuple) or len(mine) != len(theirs):
            raise NotTheSameTree(f"{where}: {len(mine)} items against {_size(theirs)}")
        for index, (item, other) in enumerate(zip(mine, theirs)):
            _pair_values(item, other, f"{where}[{index}]", stack)
    elif mine != theirs or type(mine) is not type(theirs):
        raise NotTheSameTree(f"{where}: {mine!r} against {theirs!r}")


def _size(value: Any) -> str:
    return f"{len(value)} items" if type(value) in (list, tuple) else repr(value)
