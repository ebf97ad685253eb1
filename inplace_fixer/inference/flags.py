"""Literal True/False flags of a call (`inplace=True`, `requires_grad=False`), by keyword or position."""

from __future__ import annotations

from typing import Optional

import libcst as cst


def true_flag(node: cst.Call, keyword: str, position: Optional[int]) -> Optional[cst.Arg]:
    """The argument of ``node`` that passes ``keyword=True``, by keyword or at ``position``."""
    return _literal_flag(node, keyword, position, "True")


def false_flag(node: cst.Call, keyword: str, position: Optional[int]) -> bool:
    """Whether ``node`` passes ``keyword=False``, by keyword or at ``position``."""
    return _literal_flag(node, keyword, position, "False") is not None


def _literal_flag(node: cst.Call, keyword: str, position: Optional[int], literal: str) -> Optional[cst.Arg]:
    positional = [a for a in node.args if a.keyword is None and not a.star]
    for arg in node.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg if _is_name(arg.value, literal) else None
    if position is not None and len(positional) > position:
        arg = positional[position]
        return arg if _is_name(arg.value, literal) else None
    return None


def _is_name(node: cst.BaseExpression, name: str) -> bool:
    return isinstance(node, cst.Name) and node.value == name
