"""Positions in an open document: the one place that converts between the engine and LSP.

The engine (see ``inplace_fixer.model``) counts lines from 1 and columns from 1 in Unicode code
points. LSP counts both from 0, and counts columns in the units of the position encoding agreed
at ``initialize``: UTF-16 code units unless the client offered UTF-8 or UTF-32. A character
outside the Basic Multilingual Plane (``😀``, some CJK) is one code point but two UTF-16 units
(four UTF-8 bytes), so a line holding one before a finding would underline the wrong characters
if the columns were passed through unchanged. Everything that sends or reads a position goes
through :class:`TextIndex`.
"""

from __future__ import annotations

import bisect
import re

from lsprotocol import types

from inplace_fixer import model
from inplace_fixer.guard import line_offsets

# LSP's line breaks. ``str.splitlines`` also breaks at \f, \x1c-\x1e, \x85 and \u2028-\u2029,
# which are ordinary characters to Python's tokenizer and to editors, so it would shift lines.
LINE_BREAK = re.compile(r"\r\n|\r|\n")

UTF8 = types.PositionEncodingKind.Utf8.value
UTF16 = types.PositionEncodingKind.Utf16.value
UTF32 = types.PositionEncodingKind.Utf32.value


def encoded_length(text: str, encoding: str) -> int:
    """How many units of ``encoding`` ``text`` takes in an LSP column."""
    if encoding == UTF32 or text.isascii():
        return len(text)
    if encoding == UTF8:
        # surrogatepass: a lone surrogate in an editor buffer must not crash the server.
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _line_starts(text: str) -> list[int]:
    """The offset where each line begins: 0, then one past each line break (the engine's line
    offsets, without the end of a last line that has no line break)."""
    starts = line_offsets(text)
    if text and text[-1] not in "\r\n":
        starts.pop()
    return starts


class TextIndex:
    """Line starts of one version of a document, for converting offsets and positions."""

    def __init__(self, text: str, encoding: str = UTF16) -> None:
        self.text = text
        self.encoding = encoding
        self._line_starts = _line_starts(text)

    @property
    def line_count(self) -> int:
        return len(self._line_starts)

    def line_span(self, line_index: int) -> tuple[int, int]:
        """Offsets of the first character of a 0-based line and of the end of its content."""
        start = self._line_starts[line_index]
        if line_index + 1 < len(self._line_starts):
            end = self._line_starts[line_index + 1]
            end -= 2 if self.text.startswith("\r\n", end - 2) else 1
        else:
            end = len(self.text)
        return start, end

    def line_text(self, line_index: int) -> str:
        start, end = self.line_span(line_index)
        return self.text[start:end]

    # Engine positions: 1-based lines, 1-based code-point columns.

    def offset_of(self, position: model.Position) -> int:
        if position.line > self.line_count:
            return len(self.text)
        start, end = self.line_span(max(position.line, 1) - 1)
        return min(start + max(position.col, 1) - 1, end)

    def engine_position(self, offset: int) -> model.Position:
        line_index = bisect.bisect_right(self._line_starts, offset) - 1
        return model.Position(line_index + 1, offset - self._line_starts[line_index] + 1)

    # LSP positions: 0-based lines, columns in the negotiated encoding.

    def lsp_position(self, offset: int) -> types.Position:
        line_index = bisect.bisect_right(self._line_starts, offset) - 1
        before = self.text[self._line_starts[line_index] : offset]
        return types.Position(line=line_index, character=encoded_length(before, self.encoding))

    def lsp_range(self, start_offset: int, end_offset: int) -> types.Range:
        return types.Range(start=self.lsp_position(start_offset), end=self.lsp_position(end_offset))

    def lsp_range_of(self, start: model.Position, end: model.Position) -> types.Range:
        return self.lsp_range(self.offset_of(start), self.offset_of(end))

    def offset_of_lsp(self, position: types.Position) -> int:
        """Offset of an LSP position; past the end of a line means its end, as LSP says."""
        if position.line >= self.line_count:
            return len(self.text)
        start, end = self.line_span(position.line)
        line = self.text[start:end]
        if self.encoding == UTF32 or line.isascii():
            return start + min(position.character, len(line))
        units = 0
        for index, char in enumerate(line):
            if units >= position.character:
                return start + index
            units += encoded_length(char, self.encoding)
        return end
