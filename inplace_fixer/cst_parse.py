"""libcst's parser, without the checks each node makes of itself while the parser builds it.

Every libcst node checks its own fields when it is constructed (``CSTNode.__post_init__`` calls
``_validate``: at least one space around ``and``, parentheses that pair up). That is right for
nodes built by hand, such as the fixes' replacement nodes, and redundant for a tree the parser
has just built from source that Python's own parser already accepted (guard.py). On the first
300 files of transformers ``models/`` the checks were a fifth of libcst's parse time (10.4 s
with, 8.3 s without). libcst's own comment at ``__post_init__`` suggests the same: avoid
validating the tree when parsing a file.

The checks are off only while ``parse_module`` runs, and only when ``__post_init__`` does
nothing but call ``_validate`` (as in libcst 1.4 to 1.9): a later libcst whose ``__post_init__``
does more keeps its checks. A lock makes the switch safe when two threads parse at once (the
language server's); a node another thread builds by hand during a parse is not checked, which
can only let through a node that libcst would have refused, never change one.
"""

from __future__ import annotations

import threading

import libcst as cst

_SWITCH = threading.Lock()
_CHECKS = cst.CSTNode.__dict__.get("__post_init__")
# Skipping is safe only if the checks are all that __post_init__ does.
_ONLY_CHECKS = _CHECKS is not None and getattr(_CHECKS, "__code__", None) is not None and (
    _CHECKS.__code__.co_names == ("_validate",)
)


def _unchecked(self: cst.CSTNode) -> None:
    """``CSTNode.__post_init__`` while the parser builds a tree: nothing to check."""


def parse_module(source: str) -> cst.Module:
    """``libcst.parse_module``, with the nodes' own checks off while it runs."""
    if not _ONLY_CHECKS:
        return cst.parse_module(source)
    with _SWITCH:
        cst.CSTNode.__post_init__ = _unchecked  # type: ignore[method-assign]
        try:
            return cst.parse_module(source)
        finally:
            cst.CSTNode.__post_init__ = _CHECKS  # type: ignore[method-assign]
