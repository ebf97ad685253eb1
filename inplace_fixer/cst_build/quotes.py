"""How messages quote the code of a built tree: as the user wrote it.

Messages quote code (`` `x[..., : n].copy_(k)` modifies ...``) by libcst's code for a node, on one
line (source.py). A built tree's code has libcst's default layout, not the user's. Each
expression and small statement of a built tree remembers the AST node it was built from, so its
quote is the source text at that node's place, with the parentheses (and the `,` or `;` after it)
libcst would give the node: the same quote as for libcst's own tree (tests/test_built_trees.py
compares them node by node). A new node, such as a fix's code, quotes the built nodes in it the
same way (``as_written``).
"""

from __future__ import annotations

import ast
from typing import Any, Optional

import libcst as cst

from inplace_fixer.cst_build import makers as new
from inplace_fixer.cst_build.source_text import SourceText
from inplace_fixer.cst_fields import field_names


class Quotes:
    def __init__(self, text: SourceText, origins: dict[int, ast.expr], only_arguments: set[int]) -> None:
        self._text = text
        self._origins = origins
        self._only_arguments = only_arguments

    def code_of(self, node: cst.CSTNode) -> Optional[str]:
        """The source text of a built expression or small statement, None for any other node."""
        origin = self._origins.get(id(node))
        if origin is None:
            return None
        return self._text.quoted(origin, id(node) in self._only_arguments)

    def as_written(self, node: Any) -> Any:
        """``node`` (a new node, such as a fix's code) with each built node in it standing for its
        source text, so that libcst's code for it quotes the user's code as written."""
        origin = self._origins.get(id(node))
        if origin is not None:
            return new.Name(self._text.quoted(origin, id(node) in self._only_arguments))  # written as is
        if not isinstance(node, cst.CSTNode):
            return node
        changes = {}
        for name in field_names(type(node)):
            value = getattr(node, name)
            if isinstance(value, cst.CSTNode):
                written = self.as_written(value)
                if written is not value:
                    changes[name] = written
            elif type(value) in (list, tuple):
                items = [self.as_written(item) for item in value]
                if any(item is not old for item, old in zip(items, value)):
                    changes[name] = type(value)(items)
        if not changes:
            return node
        copy = object.__new__(type(node))  # no checks: a stand-in Name is no identifier
        for name in field_names(type(node)):
            object.__setattr__(copy, name, changes.get(name, getattr(node, name)))
        return copy
