"""Text edits for the client: a finding's own fix, fix-all as a minimal diff, a noqa comment.

Every edit replaces only the characters that change, never the whole document, so that the
editor keeps cursors, marks and undo history everywhere else.
"""

from __future__ import annotations

import difflib
import io
import re
import tokenize

from lsprotocol import types

from inplace_fixer import model
from inplace_fixer.lsp.text import LINE_BREAK, TextIndex

# The suppression comment the engine honours ("noqa" followed by a colon and codes: IPF001, IPF006).
NOQA_CODES = re.compile(r"#\s*noqa:\s*(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*)", re.I)


def trimmed_edit(index: TextIndex, start: int, end: int, new_text: str) -> types.TextEdit:
    """The edit replacing ``index.text[start:end]`` with ``new_text``, narrowed to the characters
    that differ (the engine rewrites whole statement lines; most of a line stays as it was)."""
    old_text = index.text[start:end]
    prefix = _common_prefix_length(old_text, new_text)
    suffix = _common_prefix_length(old_text[prefix:][::-1], new_text[prefix:][::-1])
    return types.TextEdit(
        range=index.lsp_range(start + prefix, end - suffix),
        new_text=new_text[prefix : len(new_text) - suffix],
    )


def fix_edits(index: TextIndex, fix: model.Fix) -> list[types.TextEdit]:
    return [
        trimmed_edit(index, index.offset_of(edit.start), index.offset_of(edit.end), edit.content)
        for edit in fix.edits
    ]


def _lines(text: str) -> list[str]:
    """Lines with their line breaks, split where LSP splits them."""
    lines, start = [], 0
    for match in LINE_BREAK.finditer(text):
        lines.append(text[start : match.end()])
        start = match.end()
    if start < len(text):
        lines.append(text[start:])
    return lines


def _common_prefix_length(a: str, b: str) -> int:
    length = min(len(a), len(b))
    index = 0
    while index < length and a[index] == b[index]:
        index += 1
    return index


def diff_edits(index: TextIndex, new_text: str) -> list[types.TextEdit]:
    """Edits that turn the indexed text into ``new_text``, each covering only lines that differ
    (difflib's line matching) and trimmed to the characters that differ."""
    old_lines, new_lines = _lines(index.text), _lines(new_text)
    # Fixes leave most lines alone: match the common head and tail first, cheaply.
    head = 0
    while head < min(len(old_lines), len(new_lines)) and old_lines[head] == new_lines[head]:
        head += 1
    tail = 0
    while tail < min(len(old_lines), len(new_lines)) - head and old_lines[-1 - tail] == new_lines[-1 - tail]:
        tail += 1
    old_middle = old_lines[head : len(old_lines) - tail]
    new_middle = new_lines[head : len(new_lines) - tail]
    matcher = difflib.SequenceMatcher(None, old_middle, new_middle)
    old_offsets = [sum(len(line) for line in old_lines[:head])]
    for line in old_middle:
        old_offsets.append(old_offsets[-1] + len(line))
    edits = []
    for tag, old_first, old_last, new_first, new_last in matcher.get_opcodes():
        if tag != "equal":
            replacement = "".join(new_middle[new_first:new_last])
            edits.append(trimmed_edit(index, old_offsets[old_first], old_offsets[old_last], replacement))
    return edits


def _comment_places(text: str, lines: range) -> dict[int, tuple[int, int] | None]:
    """For each 1-based line in ``lines`` where a comment can go, the code-point columns of the
    comment it already has (None if it has none).

    A comment can go where a physical line ends outside a string and not after a backslash:
    where tokenize sees a COMMENT, NEWLINE or NL. Tokenizing also tells a comment from a `#`
    inside a string."""
    places: dict[int, tuple[int, int] | None] = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            line = token.start[0]
            if line > lines.stop:
                break
            if line in lines and token.type == tokenize.COMMENT:
                places[line] = (token.start[1], token.end[1])
            elif line in lines and token.type in (tokenize.NEWLINE, tokenize.NL):
                places.setdefault(line, None)
    except (tokenize.TokenError, SyntaxError):
        pass
    return places


def noqa_edit(index: TextIndex, first_line: int, last_line: int, code: str) -> types.TextEdit:
    """The edit that silences ``code`` for a finding on 1-based lines ``first_line`` to
    ``last_line`` (the engine honours a suppression on any of them): ``code`` added to an
    existing `# noqa: ...` comment there, else a new `# noqa: CODE` on the first line that
    can hold a comment."""
    places = _comment_places(index.text, range(first_line, last_line + 1))
    for line, comment in sorted(places.items()):
        if comment is not None:
            start, _ = index.line_span(line - 1)
            match = NOQA_CODES.search(index.text, start + comment[0], start + comment[1])
            if match is not None:
                insert_at = match.end("codes")
                return types.TextEdit(range=index.lsp_range(insert_at, insert_at), new_text=f", {code}")
    line = min(places, default=first_line)
    start, end = index.line_span(line - 1)
    code_end = start + len(index.text[start:end].rstrip())
    return types.TextEdit(range=index.lsp_range(code_end, end), new_text=f"  # noqa: {code}")
