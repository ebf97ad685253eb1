"""The fix for an event's line, from the static engine's public entry point.

The whole file is checked first: a finding on the line carries the engine's own fix and its
safety. When the engine cannot see that the line changes a tensor (the reason the run was needed:
a helper's unannotated argument, a tensor from another module), the line's statement is checked
alone, after declaring each name it uses a tensor that requires grad; that fix is offered as
*unsafe*, because whether other references should see the change is something only the file as a
whole could tell, and the engine did not prove it.
"""

from __future__ import annotations

import ast
import builtins
from dataclasses import replace
from typing import Optional

from inplace_fixer import check_source, files
from inplace_fixer.blame.events import Event
from inplace_fixer.model import Applicability, Config, Edit, Finding, Fix, Position

_PROBE_REASON = (
    "found at run time: the static analysis cannot see that this line changes a tensor, so it "
    "cannot tell whether other references to it rely on the change; review it"
)
_cache: dict[tuple[str, int], Optional[Fix]] = {}


def fix_for(event: Event) -> Optional[Fix]:
    target = event.module_defined_at
    path, line = (target.path, target.line) if target is not None else (event.location.path, event.location.line)
    key = (path, line)
    if key not in _cache:
        _cache[key] = _find_fix(path, line, prefer_col=None if target else event.location.col)
    return _cache[key]


def _find_fix(path: str, line: int, prefer_col: Optional[int]) -> Optional[Fix]:
    try:
        source = files.read_source(path).text
    except (files.ReadError, OSError):
        return None
    result = check_source(source, path, Config(unsafe_fixes=True), fix=False)
    if result.error is not None:
        return None
    on_line = [f for f in result.findings if f.fix is not None and f.start.line <= line <= f.end.line]
    if on_line:
        return _closest(on_line, prefer_col).fix
    return _probe_fix(source, line)


def _closest(findings: list[Finding], col: Optional[int]) -> Finding:
    if col is None:
        return findings[0]
    return min(findings, key=lambda f: abs(f.start.col - col))


def _probe_fix(source: str, line: int) -> Optional[Fix]:
    try:
        module = ast.parse(source)
    except SyntaxError:
        return None
    statement = _innermost_statement(module, line)
    if statement is None or statement.lineno != statement.end_lineno:
        return None  # only one-line statements are re-checked on their own
    text = source.splitlines()[line - 1]
    indent = statement.col_offset  # the statement starts the line (we never split `a; b`)
    if text[:indent].strip():
        return None
    imports = [ast.get_source_segment(source, node) for node in module.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    declared = sorted(_free_names(statement, _imported_names(module)))
    header = ["import torch", *[i for i in imports if i], *[f"{name} = torch.ones(2, 2, requires_grad=True) * 1" for name in declared]]
    probe = "\n".join([*header, text[indent:]]) + "\n"
    probe_line = len(header) + 1
    result = check_source(probe, "<probe>", Config(unsafe_fixes=True), fix=False)
    candidates = [f for f in result.findings if f.fix is not None and f.start.line == probe_line]
    if not candidates:
        return None
    fix = candidates[0].fix
    assert fix is not None
    edits = []
    for edit in fix.edits:
        ends_line = edit.end.line == probe_line + 1 and edit.end.col == 1
        if edit.start.line != probe_line or not (edit.end.line == probe_line or ends_line):
            return None
        end = Position(line + 1, 1) if ends_line else Position(line, edit.end.col + indent)
        edits.append(Edit(Position(line, edit.start.col + indent), end, _indented(edit.content, text[:indent])))
    return Fix(Applicability.UNSAFE, _PROBE_REASON, tuple(edits))


def _indented(content: str, indent: str) -> str:
    """The probe's statement sat at column 1; every line the fix adds after the first goes back
    to the statement's indentation."""
    head, *rest = content.split("\n")
    return "\n".join([head, *[indent + part if part else part for part in rest]])


def _innermost_statement(module: ast.Module, line: int) -> Optional[ast.stmt]:
    best = None
    for node in ast.walk(module):
        if isinstance(node, ast.stmt) and node.lineno <= line <= (node.end_lineno or node.lineno):
            if not hasattr(node, "body") and (best is None or node.lineno >= best.lineno):
                best = node
    return best


def _imported_names(module: ast.Module) -> set[str]:
    names = {"torch"}
    for node in module.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return names


def _free_names(statement: ast.stmt, imported: set[str]) -> set[str]:
    return {
        node.id
        for node in ast.walk(statement)
        if isinstance(node, ast.Name) and node.id not in imported and not hasattr(builtins, node.id)
    }


def with_fixes(event: Event) -> Event:
    try:
        return replace(event, fix=fix_for(event))
    except Exception:  # noqa: BLE001 - a fix is a bonus; the event must still be reported
        return event


def apply_edits(source: str, edits: list[Edit]) -> str:
    """The source with ``edits`` applied (positions 1-based, in code points; end exclusive)."""
    lines = source.splitlines(keepends=True)
    starts = [0]
    for text in lines:
        starts.append(starts[-1] + len(text))

    def offset(position: Position) -> int:
        return starts[position.line - 1] + position.col - 1

    result = source
    for edit in sorted(edits, key=lambda e: (e.start.line, e.start.col), reverse=True):
        result = result[: offset(edit.start)] + edit.content + result[offset(edit.end) :]
    return result
