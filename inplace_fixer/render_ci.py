"""Findings in the formats CI systems read: GitHub Actions workflow commands (annotations on the
pull request) and GitLab Code Quality JSON. Like ``render``, these only build strings."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Sequence

from inplace_fixer.model import BREAKS_BACKWARD, SILENT_WRONG_GRADIENT, FileResult, Finding


def _ordered(results: Iterable[FileResult]) -> list[Finding]:
    return [
        finding
        for result in results
        for finding in sorted(result.findings, key=lambda f: (f.cell or 0, f.start.line, f.start.col, f.code))
    ]


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotations(results: Sequence[FileResult], display_path) -> str:
    """One ``::error``/``::warning`` workflow command per finding (error when backward will
    raise), and one ``::error`` per file that could not be checked."""
    lines = []
    for finding in _ordered(results):
        level = "error" if finding.category == BREAKS_BACKWARD else "warning"
        properties = ",".join(
            f"{key}={_escape_property(str(value))}"
            for key, value in (
                ("file", display_path(finding.path)),
                ("line", finding.start.line),
                ("col", finding.start.col),
                ("endLine", finding.end.line),
                ("endColumn", finding.end.col),
                ("title", f"{finding.code} {finding.name}"),
            )
        )
        lines.append(f"::{level} {properties}::{_escape_data(finding.message)}\n")
    for result in results:
        if result.error is not None:
            where = _escape_property(display_path(result.path))
            lines.append(f"::error file={where},title=inplace-fixer::{_escape_data(result.error)}\n")
    return "".join(lines)


_SEVERITY = {BREAKS_BACKWARD: "major", SILENT_WRONG_GRADIENT: "major"}


def gitlab_code_quality(results: Sequence[FileResult], display_path) -> str:
    """GitLab's Code Quality report: a JSON array of issues, each with a fingerprint that stays the
    same while the finding does (path, rule, message, and its rank among identical ones), so
    merge requests show what is new and what was fixed."""
    issues = []
    seen: Counter[tuple[str, str, str]] = Counter()
    for finding in _ordered(results):
        path = display_path(finding.path)
        identity = (path, finding.code, finding.message)
        seen[identity] += 1
        fingerprint = hashlib.sha256("\0".join((*identity, str(seen[identity]))).encode()).hexdigest()
        issues.append(
            {
                "type": "issue",
                "check_name": finding.code,
                "description": f"{finding.code} {finding.message}",
                "categories": ["Bug Risk"],
                "severity": _SEVERITY.get(finding.category or "", "minor"),
                "fingerprint": fingerprint,
                "location": {"path": path, "lines": {"begin": finding.start.line, "end": finding.end.line}},
            }
        )
    for result in results:
        if result.error is not None:
            path = display_path(result.path)
            issues.append(
                {
                    "type": "issue",
                    "check_name": "inplace-fixer",
                    "description": f"{path}: {result.error}",
                    "categories": ["Bug Risk"],
                    "severity": "blocker",
                    "fingerprint": hashlib.sha256(f"{path}\0{result.error}".encode()).hexdigest(),
                    "location": {"path": path, "lines": {"begin": 1, "end": 1}},
                }
            )
    return json.dumps(issues, indent=2) + "\n"
