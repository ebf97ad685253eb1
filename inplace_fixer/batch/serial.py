"""A file's result as plain JSON and back, for the cache and the resume journal.

JSON, not pickle: a cache directory can come with a checkout, and loading it must never run code.
``fixed`` findings are stored as indices into ``findings``, because ``FileResult.remaining`` tells
them apart by identity.
"""

from __future__ import annotations

from typing import Any

from inplace_fixer.model import Applicability, Edit, FileResult, Finding, Fix, Position


def result_to_json(result: FileResult, *, with_text: bool = True) -> dict[str, Any]:
    """``with_text``: keep the fixed source (the original is the file itself, never stored)."""
    fixed_ids = {id(finding) for finding in result.fixed}
    return {
        "findings": [_finding_to_json(finding) for finding in result.findings],
        "fixed": [index for index, finding in enumerate(result.findings) if id(finding) in fixed_ids],
        "changed": result.changed,
        "fixed_source": result.fixed_source if with_text and result.changed else None,
        "error": result.error,
    }


def result_from_json(data: dict[str, Any], path: str, source: str) -> FileResult:
    """The result ``result_to_json`` stored, for the file ``path`` whose text is ``source``."""
    findings = tuple(_finding_from_json(item, path) for item in data["findings"])
    fixed = tuple(findings[index] for index in data["fixed"])
    if data["error"] is not None:
        return FileResult(path=path, source=source, findings=findings, error=data["error"])
    fixed_source = data["fixed_source"] if data["changed"] else source
    return FileResult(path=path, source=source, findings=findings, fixed_source=fixed_source, fixed=fixed)


def _finding_to_json(finding: Finding) -> dict[str, Any]:
    data = finding.to_json()
    del data["path"]  # the entry belongs to one file; a renamed file keeps its findings
    data["cell"] = finding.cell
    return data


def _finding_from_json(data: dict[str, Any], path: str) -> Finding:
    fix = data["fix"]
    return Finding(
        path=path,
        start=Position(data["line"], data["col"]),
        end=Position(data["end_line"], data["end_col"]),
        code=data["code"],
        name=data["name"],
        message=data["message"],
        fix=None if fix is None else _fix_from_json(fix),
        category=data["category"],
        reason=data["reason"],
        cell=data.get("cell"),
    )


def _fix_from_json(data: dict[str, Any]) -> Fix:
    edits = tuple(
        Edit(
            Position(edit["start"]["line"], edit["start"]["col"]),
            Position(edit["end"]["line"], edit["end"]["col"]),
            edit["content"],
        )
        for edit in data["edits"]
    )
    return Fix(Applicability(data["applicability"]), data["reason"], edits)
