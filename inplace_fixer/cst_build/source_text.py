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

    def quoted(self, node: ast.AST, parent_parentheses: bool) -> str:
        """The text of ``node`` as libcst's code for it reads: with the parentheses that are its
        own (`(a + b)`), not those of a call it is the only argument of (`f(a)`, and a generator
        expression's `f(x for x in y)`, whose span in Python's AST has them)."""
        source = self.source
        start = self.offset(node.lineno, node.col_offset)  # type: ignore[attr-defined]
        end = self.offset(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]
        spans = [(start, end)]
        while True:
            before, after = self._code_before(start), self._code_after(end)
            if before < 0 or after >= len(source) or source[before] != "(" or source[after] != ")":
                break
            start, end = before, after + 1
            spans.append((start, end))
        if parent_parentheses:
            if len(spans) > 1:
                spans.pop()
            elif type(node) is ast.GeneratorExp:  # its span holds the call's parentheses
                return source[start + 1:end - 1].strip()
        start, end = spans[-1]
        # libcst's starred element holds the comma after it, and a small statement its `;`.
        separator = "," if type(node) is ast.Starred else ";" if isinstance(node, ast.stmt) else None
        if separator is not None:
            after = self._code_after(end)
            if after < len(source) and source[after] == separator:
                end = after + 1
        return source[start:end]

    def _code_before(self, position: int) -> int:
        """The index of the last character of code before ``position`` (comments, spaces and line
        continuations skipped), -1 if none."""
        source = self.source
        index = position - 1
        while index >= 0:
            character = source[index]
            if character in " \t\f\\":
                index -= 1
            elif character in "\r\n":
                index -= 1
                line_start = max(source.rfind("\n", 0, index + 1), source.rfind("\r", 0, index + 1)) + 1
                comment = _TRAILING_COMMENT.search(source, line_start, index + 1)
                if comment is not None:
                    index = comment.start() - 1
            else:
                return index
        return -1

    def _code_after(self, position: int) -> int:
        """The index of the first character of code from ``position`` on (comments, spaces and
        line continuations skipped)."""
        source = self.source
        index = position
        while index < len(source):
            character = source[index]
            if character in " \t\f\\\r\n":
                index += 1
            elif character == "#":
                index = _LINE_END.search(source, index).start()
            else:
                return index
        return index


# A comment at the end of a line: a `#` with no quote after it (between a parenthesis and the
# expression in it there is no string, only spaces and comments).
_TRAILING_COMMENT = re.compile(r"#[^'\"\r\n]*$", re.MULTILINE)
_LINE_END = re.compile(r"[\r\n]|$")
