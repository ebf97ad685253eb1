"""A stand-in for ``check_source`` with known answers, to test the server's adapter code alone.

It flags ``NAME *= EXPR`` (IPF001) anywhere on a line and fixes it to ``NAME = NAME * (EXPR)``.
The name decides the rest, so a test states what it expects in its own text: a name starting
with ``arg`` gets an unsafe fix ("NAME is a function argument"), ``shown`` a display-only one,
and ``y`` the breaks-backward category. ``# noqa: IPF001`` on the line suppresses the finding.

Run as a script, it starts the language server with this stand-in in place of the engine.
"""

from __future__ import annotations

import re
import sys

from inplace_fixer import engine
from inplace_fixer.model import Applicability, Config, Edit, FileResult, Finding, Fix, Position

AUGMENTED_MULTIPLY = re.compile(r"\b(?P<name>\w+) \*= (?P<expr>[^#;\r\n]*[^#;\s])")
NOQA = re.compile(r"#\s*noqa:[^\r\n]*\bIPF001\b")
LINE_BREAK = re.compile(r"\r\n|\r|\n")
LINE_END = re.compile(r"\r|\n|$")


def _line_starts(source: str) -> list[int]:
    return [0, *(match.end() for match in LINE_BREAK.finditer(source))]


def _position(source: str, offset: int) -> Position:
    starts = [start for start in _line_starts(source) if start <= offset]
    return Position(len(starts), offset - starts[-1] + 1)


def _offset(source: str, position: Position) -> int:
    return _line_starts(source)[position.line - 1] + position.col - 1


def _fix(name: str) -> tuple[Applicability, str | None]:
    if name.startswith("arg"):
        return Applicability.UNSAFE, f"{name} is a function argument"
    if name.startswith("shown"):
        return Applicability.DISPLAY_ONLY, "the rewrite needs a copy first"
    return Applicability.SAFE, None


def check_source(
    source: str, path: str = "-", config: Config = Config(), *, fix: bool = True, parses=None
) -> FileResult:
    # ``parses`` (the document's previous parse) is the real engine's business: nothing here parses.
    try:
        compile(source, path, "exec", dont_inherit=True)
    except SyntaxError as error:
        return FileResult(path=path, source=source, error=f"cannot parse: {error.msg}")
    findings = []
    if config.is_selected("IPF001"):
        for match in AUGMENTED_MULTIPLY.finditer(source):
            if NOQA.search(source, match.start(), LINE_END.search(source, match.start()).start()):
                continue
            name, expr = match["name"], match["expr"]
            start, end = _position(source, match.start()), _position(source, match.end())
            applicability, reason = _fix(name)
            edit = Edit(start, end, f"{name} = {name} * ({expr})")
            findings.append(
                Finding(
                    path=path,
                    start=start,
                    end=end,
                    code="IPF001",
                    name="augmented-assignment",
                    message=f"`{name} *= ...` mutates {name} in place",
                    fix=Fix(applicability, reason, (edit,)),
                    category="breaks-backward" if name.startswith("y") else None,
                    reason=f"{name} may require grad",
                )
            )
    if not fix:  # like the engine: findings only
        return FileResult(path=path, source=source, findings=tuple(findings))
    applied = {Applicability.SAFE, *([Applicability.UNSAFE] if config.unsafe_fixes else [])}
    fixed = [finding for finding in findings if finding.fix.applicability in applied]
    fixed_source = source
    for finding in reversed(fixed):
        (edit,) = finding.fix.edits
        before, after = fixed_source[: _offset(source, edit.start)], fixed_source[_offset(source, edit.end) :]
        fixed_source = before + edit.content + after
    return FileResult(
        path=path, source=source, findings=tuple(findings), fixed_source=fixed_source, fixed=tuple(fixed)
    )


if __name__ == "__main__":
    engine.check_source = check_source
    from inplace_fixer.lsp import lsp

    lsp(sys.argv[1:], prog_name="inplace-fixer lsp")
