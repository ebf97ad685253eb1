"""Code actions: a quick-fix and an ignore comment per diagnostic, and fix-all for the file.

Quick-fixes are offered for unsafe fixes too, with the reason in the title, because the user
picks each one by hand. Fix-all applies what ``check_source`` put in ``fixed_source``: the safe
fixes, plus the unsafe ones only when the ``unsafeFixes`` setting is on, as ``--apply`` and
``--apply --unsafe-fixes`` do on the command line.
"""

from __future__ import annotations

from collections.abc import Sequence

from lsprotocol import types

from inplace_fixer import model

FIX_ALL_KIND = f"{types.CodeActionKind.SourceFixAll.value}.inplace-fixer"
QUICK_FIX_KIND = types.CodeActionKind.QuickFix.value


def wants_kind(only: Sequence[str] | None, kind: str) -> bool:
    """Whether a request filtered to ``only`` asks for actions of ``kind`` (kinds nest by dots)."""
    if not only:
        return True
    return any(kind == wanted or kind.startswith(f"{wanted}.") for wanted in only)


def quick_fix_title(applicability: str, reason: str | None) -> str:
    if applicability == model.Applicability.SAFE.value:
        return "Rewrite out of place"
    return f"Rewrite out of place ({applicability}: {reason or 'no reason given'})"


def workspace_edit(
    uri: str, version: int | None, edits: list[types.TextEdit], versioned: bool
) -> types.WorkspaceEdit:
    """A versioned edit when the client can take one, so that it refuses to apply edits computed
    for text that has changed since."""
    if versioned:
        document = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version)
        return types.WorkspaceEdit(
            document_changes=[types.TextDocumentEdit(text_document=document, edits=edits)]
        )
    return types.WorkspaceEdit(changes={uri: edits})


def quick_fix(
    diagnostic: types.Diagnostic,
    applicability: str,
    reason: str | None,
    edit: types.WorkspaceEdit,
) -> types.CodeAction:
    return types.CodeAction(
        title=quick_fix_title(applicability, reason),
        kind=QUICK_FIX_KIND,
        diagnostics=[diagnostic],
        edit=edit,
        is_preferred=applicability == model.Applicability.SAFE.value,
    )


def ignore(diagnostic: types.Diagnostic, code: str, edit: types.WorkspaceEdit) -> types.CodeAction:
    return types.CodeAction(
        title=f"Ignore {code} on this line",
        kind=QUICK_FIX_KIND,
        diagnostics=[diagnostic],
        edit=edit,
    )


def fix_all(edit: types.WorkspaceEdit, unsafe: bool) -> types.CodeAction:
    title = "Rewrite all out of place" + (" (safe and unsafe fixes)" if unsafe else " (safe fixes)")
    return types.CodeAction(title=title, kind=FIX_ALL_KIND, edit=edit)
