"""Suppression comments: `# noqa: IPF001` and `# inplace-fixer: ignore[IPF001]` (or bare, for all)."""

from __future__ import annotations

import io
import re
import tokenize
from typing import Optional

ALL = "*"
_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)
_IGNORE = re.compile(r"#\s*inplace-fixer:\s*ignore(?:\[(?P<codes>[^\]]*)\])?", re.IGNORECASE)


def suppressions(source: str) -> dict[int, frozenset[str]]:
    """Line number -> suppressed codes (ALL for every code), read from real comments only."""
    found: dict[int, frozenset[str]] = {}
    if "noqa" not in source and "inplace-fixer" not in source:
        return found
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return found
    for token in tokens:
        if token.type != tokenize.COMMENT:
            continue
        codes = _codes(token.string)
        if codes is not None:
            found[token.start[0]] = codes
    return found


def _codes(comment: str) -> Optional[frozenset[str]]:
    for pattern in (_IGNORE, _NOQA):
        match = pattern.search(comment)
        if match is None:
            continue
        listed = match.group("codes")
        if not listed:
            return frozenset({ALL})
        return frozenset(code.upper() for code in re.split(r"[,\s]+", listed.strip()) if code)
    return None


def is_suppressed(table: dict[int, frozenset[str]], code: str, lines: range) -> bool:
    for line in lines:
        codes = table.get(line)
        if codes and (ALL in codes or code in codes or any(code.startswith(c) for c in codes)):
            return True
    return False
