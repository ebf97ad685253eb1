"""How messages quote the user's code."""

from __future__ import annotations

from typing import Optional

import libcst as cst

_EMPTY = cst.Module([])


def code(node: cst.CSTNode, limit: Optional[int] = 60) -> str:
    """Source text of a node on one line, shortened to ``limit`` characters (None: whole)."""
    text = " ".join(_EMPTY.code_for_node(node).split())
    return text if limit is None or len(text) <= limit else text[: limit - 3] + "..."
