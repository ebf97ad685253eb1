"""Everything a user reads: findings as text, JSON or SARIF, unified diffs, summaries, rule docs.

Nothing else in the package prints. Functions that build output return strings or dicts so they
can be tested as values; the ``write_*`` functions only put them on a stream.
"""

from __future__ import annotations

import difflib
import inspect
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol, TextIO

from inplace_fixer.model import Applicability, FileResult, Finding

TOOL_NAME = "inplace-fixer"
PROJECT_URL = "https://github.com/inplace-fixer/inplace-fixer"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
NO_NEWLINE_MARKER = "\\ No newline at end of file\n"


class RuleInfo(Protocol):
    """What rendering needs from a rule class in ``inplace_fixer.rules.ALL_RULES``."""

    code: str
    name: str
    summary: str
    fixable: str  # "always", "sometimes" or "never"
    __doc__: str | None


# ---------------------------------------------------------------------------------------------
# Paths


def display_path(path: str, cwd: Path | None = None) -> str:
    """``path`` as shown to the user and put in diffs and SARIF: relative to ``cwd`` when it is
    inside it, with forward slashes."""
    if path == "-":
        return path
    cwd = cwd or Path.cwd()
    candidate = Path(path)
    if candidate.is_absolute():
        try:
            candidate = candidate.relative_to(cwd)
        except ValueError:
            return candidate.as_posix()
    return Path(os.path.normpath(candidate)).as_posix()


# ---------------------------------------------------------------------------------------------
# Findings


def _ordered(results: Iterable[FileResult]) -> list[tuple[FileResult, Finding]]:
    return [
        (result, finding)
        for result in results
        for finding in sorted(result.findings, key=lambda f: (f.cell or 0, f.start.line, f.start.col, f.code))
    ]


def _fixed_ids(result: FileResult) -> set[int]:
    return {id(finding) for finding in result.fixed}


def text_line(finding: Finding, fixable: bool) -> str:
    """``path:line:col: CODE message``, with ``[*]`` when ``--apply`` would fix it."""
    cell = "" if finding.cell is None else f":cell {finding.cell}"
    location = f"{display_path(finding.path)}{cell}:{finding.start.line}:{finding.start.col}"
    marker = " [*]" if fixable else ""
    return f"{location}: {finding.code} {finding.message}{marker}"


def render_text(results: Iterable[FileResult]) -> str:
    lines = []
    for result in results:
        fixed_ids = _fixed_ids(result)
        lines += [
            text_line(finding, id(finding) in fixed_ids) + "\n" for _, finding in _ordered([result])
        ]
    return "".join(lines)


def render_json(results: Iterable[FileResult]) -> str:
    findings = [finding.to_json() for _, finding in _ordered(results)]
    for finding in findings:
        finding["path"] = display_path(finding["path"])
    return json.dumps(findings, indent=2) + "\n"


def render_findings(
    results: Sequence[FileResult], output_format: str, rules: Sequence[RuleInfo]
) -> str:
    if output_format == "json":
        return render_json(results)
    if output_format == "sarif":
        return json.dumps(sarif_log(results, rules), indent=2) + "\n"
    if output_format in ("github", "gitlab"):
        from inplace_fixer import render_ci

        if output_format == "github":
            return render_ci.github_annotations(results, display_path)
        return render_ci.gitlab_code_quality(results, display_path)
    return render_text(results)


def render_errors(results: Iterable[FileResult]) -> str:
    """One line per file that could not be checked: ``path: cannot parse: <reason>``."""
    return "".join(f"{display_path(r.path)}: {r.error}\n" for r in results if r.error is not None)


# ---------------------------------------------------------------------------------------------
# Summaries


@dataclass(frozen=True)
class Counts:
    findings: int = 0
    fixed: int = 0  # fixes the current settings apply (in check mode: would apply)
    unsafe_hidden: int = 0  # unsafe fixes left out because --unsafe-fixes is off
    failed_files: int = 0
    checked_files: int = 0

    @classmethod
    def of(cls, results: Sequence[FileResult], unsafe_fixes: bool) -> Counts:
        findings = [f for r in results for f in r.findings]
        fixed = sum(len(r.fixed) for r in results)
        unsafe = sum(
            1
            for r in results
            for f in r.remaining
            if f.fix is not None and f.fix.applicability is Applicability.UNSAFE
        )
        return cls(
            findings=len(findings),
            fixed=fixed,
            unsafe_hidden=0 if unsafe_fixes else unsafe,
            failed_files=sum(1 for r in results if r.error is not None),
            checked_files=len(results),
        )


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def summary(counts: Counts, mode: str) -> str:
    """The closing line on stderr. ``mode`` is "check", "apply" or "diff"."""
    if counts.checked_files == 0:
        return "No Python files found.\n"
    sentences = []
    if counts.findings == 0 and counts.failed_files == 0:
        sentences.append("All checks passed.")
    elif counts.findings:
        remaining = counts.findings - counts.fixed
        hint = _unsafe_hint(counts, mode)
        if mode == "apply":
            details = [f"{counts.fixed} fixed", f"{remaining} remaining", *hint]
            sentences.append(f"Found {_plural(counts.findings, 'finding')} ({', '.join(details)}).")
        elif mode == "diff":
            details = [f"{remaining} remaining"] if remaining else []
            details += hint
            suffix = f" ({', '.join(details)})" if details else ""
            sentences.append(
                f"Would fix {counts.fixed} of {_plural(counts.findings, 'finding')}{suffix}."
            )
        else:
            details = [f"{counts.fixed} fixable with --apply"] if counts.fixed else []
            details += hint
            suffix = f" ({', '.join(details)})" if details else ""
            sentences.append(f"Found {_plural(counts.findings, 'finding')}{suffix}.")
    if counts.failed_files:
        verb = "was" if counts.failed_files == 1 else "were"
        sentences.append(f"{_plural(counts.failed_files, 'file')} {verb} not checked.")
    return " ".join(sentences) + "\n"


def _unsafe_hint(counts: Counts, mode: str) -> list[str]:
    if not counts.unsafe_hidden:
        return []
    if mode == "check" and counts.fixed:
        return [f"{counts.unsafe_hidden} more with --unsafe-fixes"]
    flag = {"check": "--apply --unsafe-fixes", "apply": "--unsafe-fixes", "diff": "--unsafe-fixes"}[
        mode
    ]
    return [f"{counts.unsafe_hidden} fixable with {flag}"]


# ---------------------------------------------------------------------------------------------
# Diffs


def _split_lines(text: str) -> list[str]:
    """Lines with their endings, split on "\\n" only: ``str.splitlines`` also splits on form feeds
    and other characters that patch tools treat as ordinary text."""
    lines = text.split("\n")
    with_endings = [line + "\n" for line in lines[:-1]]
    return [*with_endings, lines[-1]] if lines[-1] else with_endings


def unified_diff(before: str, after: str, path: str) -> str:
    """A diff that ``git apply`` and ``patch -p1`` turn ``before`` into ``after`` with.

    ``before`` and ``after`` are the texts as stored (byte order mark included); a CRLF file keeps
    its "\\r" inside the diff lines, and a last line without a newline gets git's marker.
    """
    shown = display_path(path)
    diff_lines = difflib.unified_diff(
        _split_lines(before), _split_lines(after), fromfile=f"a/{shown}", tofile=f"b/{shown}"
    )
    return "".join(
        line if line.endswith("\n") else line + "\n" + NO_NEWLINE_MARKER for line in diff_lines
    )


def write_diff(out: BinaryIO, diff: str, encoding: str) -> None:
    """Diff lines are bytes of the file, so a latin-1 file's diff is written in latin-1."""
    out.write(diff.encode(encoding))
    out.flush()


def write_bytes(out: BinaryIO, data: bytes) -> None:
    out.write(data)
    out.flush()


def write_text(out: TextIO, text: str) -> None:
    out.write(text)
    out.flush()


# ---------------------------------------------------------------------------------------------
# SARIF 2.1.0, in the subset GitHub code scanning reads


def sarif_log(results: Sequence[FileResult], rules: Sequence[RuleInfo]) -> dict:
    rule_index = {rule.code: index for index, rule in enumerate(rules)}
    failures = [r for r in results if r.error is not None]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL_NAME,
                        "informationUri": PROJECT_URL,
                        "rules": [_sarif_rule(rule) for rule in rules],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "invocations": [
                    {
                        "executionSuccessful": not failures,
                        "toolExecutionNotifications": [_sarif_notification(r) for r in failures],
                    }
                ],
                "results": [_sarif_result(finding, rule_index) for _, finding in _ordered(results)],
            }
        ],
    }


def rule_help_uri(rule: RuleInfo) -> str:
    """The README documents each rule under a heading "IPF00N rule-name"; GitHub's anchor for it."""
    return f"{PROJECT_URL}#{rule.code.lower()}-{rule.name}"


def rule_doc(rule: RuleInfo) -> str:
    return inspect.cleandoc(rule.__doc__ or rule.summary)


RULE_DOC_HEADINGS = ("what it does", "why is this bad?", "example", "use instead", "fix safety")


def doc_sections(doc: str) -> dict[str, str]:
    """A rule docstring's sections by lower-cased heading; headings may be Markdown (``## ...``)
    or plain lines."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in doc.splitlines():
        heading = line.strip().lstrip("#").strip().rstrip(":").lower()
        if heading in RULE_DOC_HEADINGS:
            current = sections.setdefault(heading, [])
        elif current is not None:
            current.append(line)
    return {heading: "\n".join(body).strip() for heading, body in sections.items()}


def _sarif_rule(rule: RuleInfo) -> dict:
    doc = rule_doc(rule)
    what_it_does = doc_sections(doc).get("what it does", "")
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        # One line: the docstring's wrapping means nothing once shown in a browser.
        "fullDescription": {"text": " ".join(what_it_does.split()) or rule.summary},
        "help": {"text": doc, "markdown": doc},
        "helpUri": rule_help_uri(rule),
        "defaultConfiguration": {"level": "warning"},
    }


def _artifact(path: str) -> dict:
    shown = display_path(path)
    uri = Path(shown).as_uri() if Path(shown).is_absolute() else shown
    return {"artifactLocation": {"uri": uri}}


def _region(start_line: int, start_col: int, end_line: int, end_col: int) -> dict:
    # Ours and SARIF's are both 1-based with the end column exclusive; the run's columnKind says
    # that columns count code points.
    return {
        "startLine": start_line,
        "startColumn": start_col,
        "endLine": end_line,
        "endColumn": end_col,
    }


def _sarif_result(finding: Finding, rule_index: dict[str, int]) -> dict:
    result = {
        "ruleId": finding.code,
        "level": "error" if finding.category == "breaks-backward" else "warning",
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": {
                    **_artifact(finding.path),
                    "region": _region(
                        finding.start.line, finding.start.col, finding.end.line, finding.end.col
                    ),
                }
            }
        ],
    }
    if finding.code in rule_index:
        result["ruleIndex"] = rule_index[finding.code]
    if finding.fix is not None and finding.fix.edits:
        description = "Rewrite out of place"
        if finding.fix.applicability is not Applicability.SAFE:
            description += f" ({finding.fix.applicability.value}: {finding.fix.reason})"
        result["fixes"] = [
            {
                "description": {"text": description},
                "artifactChanges": [
                    {
                        **_artifact(finding.path),
                        "replacements": [
                            {
                                "deletedRegion": _region(
                                    e.start.line, e.start.col, e.end.line, e.end.col
                                ),
                                "insertedContent": {"text": e.content},
                            }
                            for e in finding.fix.edits
                        ],
                    }
                ],
            }
        ]
    return result


def _sarif_notification(result: FileResult) -> dict:
    return {
        "level": "error",
        "message": {"text": f"{display_path(result.path)}: {result.error}"},
        "locations": [{"physicalLocation": _artifact(result.path)}],
    }


# ---------------------------------------------------------------------------------------------
# Rule documentation


def render_rules_table(rules: Sequence[RuleInfo]) -> str:
    rows = [("Code", "Name", "Fix", "Summary")]
    rows += [(rule.code, rule.name, rule.fixable, rule.summary) for rule in rules]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    return "".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True))
        + "  "
        + row[3]
        + "\n"
        for row in rows
    )


def render_rule_doc(rule: RuleInfo) -> str:
    return f"{rule.code} ({rule.name})\n\n{rule_doc(rule)}\n"
