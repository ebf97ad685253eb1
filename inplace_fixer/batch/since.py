"""``--since REV``: only the findings on lines changed since a git revision, and only their fixes,
for teams that migrate a codebase one change at a time.

The changed lines are those ``git diff REV`` adds (committed since REV, staged or not), parsed
with ``unidiff``; a file git does not track yet is changed everywhere. A file with no changed line
is not checked at all.
"""

from __future__ import annotations

import ast
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path

from unidiff import PatchSet

from inplace_fixer.engine import physical_lines
from inplace_fixer.model import Config, FileResult, Finding

WHOLE_FILE = None  # as the lines of a file: every line counts as changed


class SinceError(Exception):
    """``--since`` cannot be honoured (not a repository, unknown revision); says why."""


def _git(args: list[str], cwd: Path) -> str:
    try:
        completed = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except OSError as exc:
        raise SinceError(f"cannot run git: {exc.strerror or exc}") from exc
    if completed.returncode != 0:
        message = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        raise SinceError(message[0] if message else f"git {args[0]} failed")
    return completed.stdout.decode("utf-8", "surrogateescape")


def changed_lines(revision: str, cwd: Path) -> dict[Path, frozenset[int] | None]:
    """Resolved path -> the 1-based line numbers changed since ``revision`` (None: all of it)."""
    root = Path(_git(["rev-parse", "--show-toplevel"], cwd).strip())
    try:
        _git(["rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"], cwd)
    except SinceError:
        raise SinceError("no such commit in this repository") from None
    diff = _git(["diff", "--no-color", "--no-ext-diff", "--no-renames", "-U0", revision, "--"], root)
    changed: dict[Path, frozenset[int] | None] = {}
    for patched in PatchSet(diff):
        if patched.is_removed_file:
            continue
        lines = frozenset(
            line.target_line_no for hunk in patched for line in hunk if line.is_added and line.target_line_no
        )
        if lines:
            changed[(root / patched.path).resolve()] = lines
    for name in _git(["ls-files", "--others", "--exclude-standard", "-z"], root).split("\0"):
        if name:
            changed[(root / name).resolve()] = WHOLE_FILE
    return changed


@dataclass(frozen=True)
class OnChangedLines:
    """A check function narrowed to findings that touch ``lines``, with only their fixes."""

    check: object  # files.CheckSource
    lines: frozenset[int]

    def __call__(self, text: str, path: str, config: Config) -> FileResult:
        result = self.check(text, path, config)  # type: ignore[operator]
        if result.error is not None:
            return result
        kept = tuple(f for f in result.findings if self._touches(f))
        if len(kept) == len(result.findings):
            return result
        kept_ids = {id(f) for f in kept}
        fixed = tuple(f for f in result.fixed if id(f) in kept_ids)
        if len(fixed) == len(result.fixed):
            return replace(result, findings=kept)
        fixed_source, fixed = _apply(text, fixed)
        return replace(result, findings=kept, fixed=fixed, fixed_source=fixed_source)

    def _touches(self, finding: Finding) -> bool:
        return any(line in self.lines for line in range(finding.start.line, finding.end.line + 1))


def _apply(source: str, fixed: tuple[Finding, ...]) -> tuple[str, tuple[Finding, ...]]:
    """``source`` with the edits of ``fixed`` only (each was made against ``source``); an edit
    overlapping an earlier one is left out with its finding, and if the result does not parse,
    no fix is applied: a partial migration must never break a file."""
    offsets = [0]
    for line in physical_lines(source):
        offsets.append(offsets[-1] + len(line))
    edits = sorted(
        ((edit, finding) for finding in fixed for edit in finding.fix.edits),  # type: ignore[union-attr]
        key=lambda pair: (pair[0].start.line, pair[0].start.col),
    )
    pieces, position, applied = [], 0, {}
    for edit, finding in edits:
        start = offsets[edit.start.line - 1] + edit.start.col - 1
        end = offsets[edit.end.line - 1] + edit.end.col - 1
        if start < position:
            continue
        pieces += [source[position:start], edit.content]
        position = end
        applied.setdefault(id(finding), finding)
    fixed_source = "".join(pieces) + source[position:]
    try:
        ast.parse(fixed_source)
    except SyntaxError:
        return source, ()
    return fixed_source, tuple(applied.values())
