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

# The suppression comment the engine honours: `# noqa: IPF001` or `# noqa: IPF001, IPF006`.
NOQA_CODES = re.compile(r"#\s*noqa\s*:\s*(?P<codes>[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*)", re.I)


def fix_edits(index: TextIndex, fix: model.Fix) -> list[types.TextEdit]:
    return [
        types.TextEdit(range=index.lsp_range_of(edit.start, edit.end), new_text=edit.content)
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
    """The smallest set of edits, found line by line then trimmed to characters, that turns the
    indexed text into ``new_text``."""
    old_lines, new_lines = _lines(index.text), _lines(new_text)
    # autojunk would treat frequent lines (blank ones) as junk and widen the edits.
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    old_offsets = [0]
    for line in old_lines:
        old_offsets.append(old_offsets[-1] + len(line))
    edits = []
    for tag, old_first, old_last, new_first, new_last in matcher.get_opcodes():
        if tag == "equal":
            continue
        start, end = old_offsets[old_first], old_offsets[old_last]
        replaced, replacement = index.text[start:end], "".join(new_lines[new_first:new_last])
        prefix = _common_prefix_length(replaced, replacement)
        suffix = _common_prefix_length(replaced[prefix:][::-1], replacement[prefix:][::-1])
        edits.append(
            types.TextEdit(
                range=index.lsp_range(start + prefix, end - suffix),
                new_text=replacement[prefix : len(replacement) - suffix],
            )
        )
    return edits


def _comment_on_line(text: str, line: int) -> tuple[int, int] | None:
    """0-based code-point columns of the comment on a 1-based line, if it has one.

    Tokenizing tells a comment from a `#` inside a string."""
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT and token.start[0] == line:
                return token.start[1], token.end[1]
            if token.start[0] > line:
                return None
    except (tokenize.TokenError, SyntaxError):
        return None
    return None


def noqa_edit(index: TextIndex, line: int, code: str) -> types.TextEdit:
    """The edit that silences ``code`` on a 1-based line: a new `# noqa: CODE` comment, or
    ``code`` added to the codes of the line's existing one."""
    start, end = index.line_span(line - 1)
    content = index.text[start:end]
    comment = _comment_on_line(index.text, line)
    if comment is not None:
        match = NOQA_CODES.search(content, comment[0], comment[1])
        if match is not None:
            insert_at = start + match.end("codes")
            return types.TextEdit(
                range=index.lsp_range(insert_at, insert_at), new_text=f", {code}"
            )
    code_end = start + len(content.rstrip())
    return types.TextEdit(range=index.lsp_range(code_end, end), new_text=f"  # noqa: {code}")
