"""Suppression comments: `# noqa: IPF001` and `# inplace-fixer: ignore[IPF001]` (or bare, for all).

Only real comments count (`x = "# noqa"` suppresses nothing), which takes Python's tokenizer. It
runs only where a finding's line holds a marker's text, and only from the start of the top-level
statement holding that line: the whole file's tokens cost 60-120 ms on 5,000 lines, which an
editor would pay on every keystroke in any file that says "noqa" anywhere.
"""

from __future__ import annotations

import re
import tokenize
from bisect import bisect_right
from collections.abc import Mapping
from typing import Iterator, Optional, Sequence

from inplace_fixer.source import physical_lines

ALL = "*"
_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)
_IGNORE = re.compile(r"#\s*inplace-fixer:\s*ignore(?:\[(?P<codes>[^\]]*)\])?", re.IGNORECASE)


class Suppressions(Mapping):
    """Line number -> suppressed codes (ALL for every code), read from real comments only, and
    only for the lines asked about. ``clean_starts`` are lines where tokenizing may begin (the
    first lines of top-level statements, where no bracket, string or block is open); without
    them it begins at line 1."""

    def __init__(self, source: str, lines: Optional[Sequence[str]] = None, clean_starts: Sequence[int] = ()) -> None:
        self._source = source
        self._lines = lines
        self._starts = sorted({1, *clean_starts})
        self._read: dict[int, Optional[frozenset[str]]] = {}  # line -> its comment's codes, once tokenized
        self._marked = "noqa" in source or "inplace-fixer" in source

    def __getitem__(self, line: int) -> frozenset[str]:
        codes = self._codes_on(line)
        if codes is None:
            raise KeyError(line)
        return codes

    def __iter__(self) -> Iterator[int]:
        lines = self._physical_lines()
        return iter([n for n in range(1, len(lines) + 1) if self._codes_on(n) is not None])

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def _physical_lines(self) -> Sequence[str]:
        if self._lines is None:
            self._lines = physical_lines(self._source)
        return self._lines

    def _codes_on(self, line: int) -> Optional[frozenset[str]]:
        if not self._marked:
            return None
        lines = self._physical_lines()
        if not 1 <= line <= len(lines) or _codes(lines[line - 1]) is None:
            return None  # no marker's text on the line, so no comment with one either
        if line not in self._read:
            self._tokenize(self._starts[bisect_right(self._starts, line) - 1], line)
        return self._read.get(line)

    def _tokenize(self, first: int, last: int) -> None:
        """Read the comments of lines ``first``..``last`` (tokenizing from ``first``)."""
        lines = self._physical_lines()
        readline = iter(lines[first - 1 :]).__next__
        found: dict[int, Optional[frozenset[str]]] = {}
        try:
            for token in tokenize.generate_tokens(readline):
                line = token.start[0] + first - 1
                if line > last:
                    break
                if token.type == tokenize.COMMENT:
                    found[line] = _codes(token.string)
        except (tokenize.TokenError, SyntaxError, IndentationError, StopIteration):
            pass  # what was read before stands; the rest has no comment we could trust
        for line in range(first, last + 1):
            self._read.setdefault(line, found.get(line))


def suppressions(
    source: str, lines: Optional[Sequence[str]] = None, clean_starts: Sequence[int] = ()
) -> Suppressions:
    """The suppression comments of ``source``; see ``Suppressions``."""
    return Suppressions(source, lines, clean_starts)


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


def is_suppressed(table: Mapping[int, frozenset[str]], code: str, lines: range) -> bool:
    for line in lines:
        codes = table.get(line)
        if codes and (ALL in codes or code in codes or any(code.startswith(c) for c in codes)):
            return True
    return False
