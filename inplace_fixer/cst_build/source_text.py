"""The source text at the AST's positions: literals as written, and what lies between nodes."""

from __future__ import annotations

import ast
import re

_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # Python's line ends (not str.splitlines', which has more)
_COMMENT = re.compile(r"#[^\r\n]*")


class SourceText:
    def __init__(self, source: str) -> None:
        self.source = source
        starts = [0]
        starts.extend(match.end() for match in _LINE_BREAK.finditer(source))
        self.line_starts = starts

    def offset(self, line: int, column: int) -> int:
        """The index in the source of the AST's (line, column in UTF-8 bytes)."""
        start = self.line_starts[line - 1]
        if column == 0:
            return start
        text = self.source[start:start + column]
        if text.isascii():
            return start + column
        end = self.line_starts[line] if line < len(self.line_starts) else len(self.source)
        return start + len(self.source[start:end].encode("utf-8")[:column].decode("utf-8", "replace"))

    def of(self, node: ast.AST) -> str:
        """The text of ``node`` as written."""
        return self.source[
            self.offset(node.lineno, node.col_offset):self.offset(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined,arg-type]
        ]

    def starts_line(self, node: ast.AST) -> bool:
        """Whether only indentation comes before ``node`` on its line (not `a; b`, not `if x: b`)."""
        start = self.line_starts[node.lineno - 1]  # type: ignore[attr-defined]
        return self.source[start:self.offset(node.lineno, node.col_offset)].strip(" \t\f") == ""  # type: ignore[attr-defined]

    def starts_with(self, node: ast.AST, word: str) -> bool:
        return self.source.startswith(word, self.offset(node.lineno, node.col_offset))  # type: ignore[attr-defined]

    def between(self, start: tuple[int, int], end: tuple[int, int]) -> str:
        """The text between two positions without its comments: between an expression's
        children, only punctuation and comments."""
        gap = self.source[self.offset(*start):self.offset(*end)]
        return _COMMENT.sub("", gap) if "#" in gap else gap

    def tuple_parenthesized(self, node: ast.Tuple) -> bool:
        """Whether the tuple is written in parentheses of its own (`x[(a, b)]`, not `x[(a), b]`)."""
        if not node.elts:
            return True
        first = node.elts[0]
        before = self.between((node.lineno, node.col_offset), (first.lineno, first.col_offset))
        if "(" not in before:
            return False
        # The parentheses before the first element are its own and the tuple's: its own close
        # before the comma that follows it (every tuple has one after its first element).
        if len(node.elts) > 1:
            following = node.elts[1]
            end = (following.lineno, following.col_offset)
        else:
            end = (node.end_lineno, node.end_col_offset)  # type: ignore[assignment]
        after = self.between((first.end_lineno, first.end_col_offset), end)  # type: ignore[arg-type]
        return before.count("(") > after.partition(",")[0].count(")")
