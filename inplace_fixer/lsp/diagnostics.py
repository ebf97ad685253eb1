"""Findings as LSP diagnostics and hovers."""

from __future__ import annotations

import inspect

from lsprotocol import types

from inplace_fixer import model, rules
from inplace_fixer.lsp.edits import fix_edits
from inplace_fixer.lsp.text import TextIndex
from inplace_fixer.render import PROJECT_URL

SOURCE = "inplace-fixer"
# Findings in these categories are bugs today (backward() raises, or the gradients are silently
# wrong); the rest (in-gradient-path, or no category) are risks to review.
ERROR_CATEGORIES = frozenset({model.BREAKS_BACKWARD, model.SILENT_WRONG_GRADIENT})


def rule_docs_url(finding: model.Finding) -> str:
    """The rule's README section, the same link SARIF output gives (render.rule_help_uri)."""
    return f"{PROJECT_URL}#{finding.code.lower()}-{finding.name}"


def finding_span(finding: model.Finding) -> list[int]:
    """Where the finding is, in the engine's coordinates: the same whatever the position encoding,
    so a client that mangles the range it echoes back (Neovim 0.7 sends byte columns as UTF-16
    ones) still names the finding exactly."""
    return [finding.start.line, finding.start.col, finding.end.line, finding.end.col]


def to_diagnostic(finding: model.Finding, index: TextIndex, version: int | None) -> types.Diagnostic:
    """The diagnostic for ``finding``; its ``data`` carries the fix, as LSP edits for
    ``version`` of the document, and where the finding is."""
    severity = (
        types.DiagnosticSeverity.Error
        if finding.category in ERROR_CATEGORIES
        else types.DiagnosticSeverity.Warning
    )
    data: dict = {"version": version, "name": finding.name, "span": finding_span(finding)}
    if finding.fix is not None:
        data["fix"] = {
            "applicability": finding.fix.applicability.value,
            "reason": finding.fix.reason,
            "edits": [_text_edit_json(edit) for edit in fix_edits(index, finding.fix)],
        }
    return types.Diagnostic(
        range=index.lsp_range_of(finding.start, finding.end),
        message=f"{finding.message} [{finding.name}]",
        severity=severity,
        code=finding.code,
        code_description=types.CodeDescription(href=rule_docs_url(finding)),
        source=SOURCE,
        data=data,
    )


def _text_edit_json(edit: types.TextEdit) -> dict:
    start, end = edit.range.start, edit.range.end
    return {
        "range": {
            "start": {"line": start.line, "character": start.character},
            "end": {"line": end.line, "character": end.character},
        },
        "newText": edit.new_text,
    }


def text_edit_from_json(value: dict) -> types.TextEdit:
    start, end = value["range"]["start"], value["range"]["end"]
    return types.TextEdit(
        range=types.Range(
            start=types.Position(line=start["line"], character=start["character"]),
            end=types.Position(line=end["line"], character=end["character"]),
        ),
        new_text=value["newText"],
    )


def rule_documentation(code: str) -> str | None:
    """The rule's docstring: What it does / Why is this bad? / Example / Use instead / Fix safety."""
    rule = rules.rule_for(code)
    return inspect.cleandoc(rule.__doc__) if rule is not None and rule.__doc__ else None


def hover_markdown(finding: model.Finding) -> str:
    category = f" ({finding.category})" if finding.category else ""
    parts = [f"**{finding.code}** `{finding.name}`{category}: {finding.message}"]
    if finding.reason:
        parts.append(f"Gradient path: {finding.reason}")
    if finding.fix is not None and finding.fix.reason:
        parts.append(f"Fix is {finding.fix.applicability.value}: {finding.fix.reason}")
    documentation = rule_documentation(finding.code)
    if documentation:
        parts.append(documentation)
    parts.append(f"[{finding.code} documentation]({rule_docs_url(finding)})")
    return "\n\n".join(parts)
