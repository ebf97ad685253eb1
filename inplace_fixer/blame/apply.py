"""``blame --apply``: write the events' fixes, with the same safety rule as ``check --apply``
(safe fixes only, unsafe ones too with ``--unsafe-fixes``), and never a result that does not
parse."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Iterable

from inplace_fixer import files
from inplace_fixer.blame.events import Event
from inplace_fixer.blame.fixes import apply_edits
from inplace_fixer.model import Applicability, Edit


@dataclass(frozen=True)
class Written:
    path: str
    edits: int
    error: str | None = None


def fix_target(event: Event) -> str:
    site = event.module_defined_at
    return site.path if site is not None else event.location.path


def apply_fixes(events: Iterable[Event], unsafe_fixes: bool) -> list[Written]:
    by_path: dict[str, list[Edit]] = {}
    for event in events:
        fix = event.fix
        if fix is None or fix.applicability is Applicability.DISPLAY_ONLY:
            continue
        if fix.applicability is Applicability.UNSAFE and not unsafe_fixes:
            continue
        edits = by_path.setdefault(fix_target(event), [])
        edits.extend(edit for edit in fix.edits if edit not in edits)
    return [_write(path, edits) for path, edits in by_path.items()]


def _write(path: str, edits: list[Edit]) -> Written:
    try:
        source = files.read_source(path)
    except (files.ReadError, OSError) as exc:
        return Written(path, 0, f"cannot read: {exc}")
    fixed = apply_edits(source.text, edits)
    try:
        ast.parse(fixed)
    except SyntaxError as exc:  # overlapping fixes: refuse rather than break the file
        return Written(path, 0, f"not written: the fixes together do not parse ({exc.msg})")
    try:
        files.write_source_atomic(path, fixed, like=source)
    except OSError as exc:
        return Written(path, 0, f"cannot write: {exc.strerror or exc}")
    return Written(path, len(edits))
