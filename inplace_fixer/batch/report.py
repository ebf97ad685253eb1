"""The migration report of ``check --report FILE.md``: a Markdown page for the people reviewing a
migration, and the same facts as ``FILE.json`` for scripts.

It says which files were scanned, changed, skipped and failed (each with the reason), the findings
per rule and per category, which fixes were applied and which were left (unsafe, display-only,
report-only), the verification verdicts when ``--verify`` ran, the files with most findings, and,
for a resumed ``--apply``, which files an earlier run had already done.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from inplace_fixer.model import Applicability, FileResult

TOP_FILES = 10


@dataclass(frozen=True)
class FileLine:
    path: str
    status: str  # changed, unchanged, failed, skipped, not-written; "(earlier run)" when resumed
    reason: str | None
    result: FileResult | None
    verdict: tuple[str, str] | None = None  # (verdict, reason) when --verify ran


def _status(result: FileResult, mode: str, verdict: tuple[str, str] | None) -> tuple[str, str | None]:
    if result.error is not None:
        return "failed", result.error
    if verdict is not None and mode == "apply" and not result.changed:
        return "not-written", f"the rewrite did not verify ({verdict[0]})"
    if result.changed:
        return "changed", {"apply": "fixes written", "diff": "fixes shown as a diff", "check": "fixable with --apply"}[mode]
    return "unchanged", None


def file_lines(outcomes: Sequence[Any], mode: str, earlier: dict[str, str], skipped: Sequence[tuple[str, str]]) -> list[FileLine]:
    """One line per file: ``outcomes`` are the CLI's (``.result``, ``.verdict``); ``earlier`` maps
    the paths a resumed run found done to their recorded status."""
    lines = []
    for outcome in outcomes:
        result = outcome.result
        verdict = getattr(outcome, "verdict", None)
        if result.path in earlier:
            lines.append(FileLine(result.path, earlier[result.path], "done by the interrupted run", result))
            continue
        status, reason = _status(result, mode, verdict)
        lines.append(FileLine(result.path, status, reason, result, verdict))
    lines += [FileLine(path, "skipped", reason, None) for path, reason in skipped]
    return sorted(lines, key=lambda line: Path(line.path).parts)


def build(lines: Sequence[FileLine], mode: str, display_path) -> dict[str, Any]:
    results = [line.result for line in lines if line.result is not None]
    findings = [finding for result in results for finding in result.findings]
    fixed = sum(len(result.fixed) for result in results)
    left = [finding for result in results for finding in result.remaining]

    def left_with(applicability: Applicability | None) -> int:
        return sum(
            1 for f in left
            if (f.fix is None and applicability is None) or (f.fix is not None and f.fix.applicability is applicability)
        )

    statuses = Counter(line.status for line in lines)
    verdicts = [line for line in lines if line.verdict is not None]
    ranked = sorted((line for line in lines if line.result and line.result.findings), key=lambda line: (-len(line.result.findings), Path(line.path).parts))  # type: ignore[union-attr]
    try:
        version = metadata.version("inplace-fixer")
    except metadata.PackageNotFoundError:
        version = "unknown"
    return {
        "tool": {"name": "inplace-fixer", "version": version},
        "mode": mode,
        "files": {
            "scanned": sum(1 for line in lines if line.status != "skipped"),
            "changed": statuses["changed"] + statuses["changed (earlier run)"],
            "unchanged": statuses["unchanged"] + statuses["unchanged (earlier run)"],
            "skipped": statuses["skipped"],
            "failed": statuses["failed"] + statuses["failed (earlier run)"],
            "not_written": statuses["not-written"],
            "done_by_earlier_run": sum(1 for line in lines if line.status.endswith("(earlier run)")),
        },
        "file_list": [
            {
                "path": display_path(line.path),
                "status": line.status,
                "reason": line.reason,
                "findings": len(line.result.findings) if line.result else 0,
                "fixed": len(line.result.fixed) if line.result else 0,
            }
            for line in lines
        ],
        "findings": {
            "total": len(findings),
            "by_rule": dict(sorted(Counter(f.code for f in findings).items())),
            "by_category": dict(sorted(Counter(f.category or "none" for f in findings).items())),
        },
        "fixes": {
            "applied" if mode == "apply" else "would_apply": fixed,
            "left_unsafe": left_with(Applicability.UNSAFE),
            "left_safe": left_with(Applicability.SAFE),
            "display_only": left_with(Applicability.DISPLAY_ONLY),
            "report_only": left_with(None),
        },
        "verification": None if not verdicts else {
            "by_verdict": dict(sorted(Counter(line.verdict[0] for line in verdicts).items())),  # type: ignore[index]
            "files": [
                {"path": display_path(line.path), "verdict": line.verdict[0], "reason": line.verdict[1]}  # type: ignore[index]
                for line in verdicts
            ],
        },
        "top_files": [
            {"path": display_path(line.path), "findings": len(line.result.findings)}  # type: ignore[union-attr]
            for line in ranked[:TOP_FILES]
        ],
    }


def markdown(report: dict[str, Any]) -> str:
    files, findings, fixes = report["files"], report["findings"], report["fixes"]
    out = [
        "# inplace-fixer migration report",
        "",
        f"Mode: `{report['mode']}`; inplace-fixer {report['tool']['version']}.",
        "",
        "## Files",
        "",
        "| scanned | changed | unchanged | skipped | failed | not written (did not verify) | done by an earlier run |",
        "|---|---|---|---|---|---|---|",
        f"| {files['scanned']} | {files['changed']} | {files['unchanged']} | {files['skipped']} | "
        f"{files['failed']} | {files['not_written']} | {files['done_by_earlier_run']} |",
        "",
        "## Findings",
        "",
        f"{findings['total']} findings.",
        "",
        "| rule | findings |",
        "|---|---|",
        *(f"| {code} | {count} |" for code, count in findings["by_rule"].items()),
        "",
        "| category | findings |",
        "|---|---|",
        *(f"| {name} | {count} |" for name, count in findings["by_category"].items()),
        "",
        "## Fixes",
        "",
        "| applied | left: unsafe (needs --unsafe-fixes and review) | left: safe | display-only | report-only |",
        "|---|---|---|---|---|",
        f"| {fixes.get('applied', fixes.get('would_apply'))}{'' if 'applied' in fixes else ' (would apply)'} | "
        f"{fixes['left_unsafe']} | {fixes['left_safe']} | {fixes['display_only']} | {fixes['report_only']} |",
        "",
    ]
    if report["verification"] is not None:
        out += ["## Verification", "", "| file | verdict | reason |", "|---|---|---|"]
        out += [f"| `{item['path']}` | {item['verdict']} | {_cell(item['reason'])} |" for item in report["verification"]["files"]]
        out.append("")
    out += ["## Top files by findings", "", "| file | findings |", "|---|---|"]
    out += [f"| `{item['path']}` | {item['findings']} |" for item in report["top_files"]]
    out += ["", "## Every file", "", "| file | status | findings | fixed | reason |", "|---|---|---|---|---|"]
    out += [
        f"| `{item['path']}` | {item['status']} | {item['findings']} | {item['fixed']} | {_cell(item['reason'] or '')} |"
        for item in report["file_list"]
    ]
    return "\n".join(out) + "\n"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def write(markdown_path: Path, report: dict[str, Any]) -> Path:
    """Write ``markdown_path`` and the JSON next to it (same name, ``.json``), each atomically;
    return the JSON's path. Raises OSError."""
    json_path = markdown_path.with_suffix(".json")
    _write_atomic(markdown_path, markdown(report))
    _write_atomic(json_path, json.dumps(report, indent=2) + "\n")
    return json_path


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as temp_file:
            temp_file.write(text)
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
