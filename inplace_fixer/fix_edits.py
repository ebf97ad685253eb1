"""A finding's fix as text edits, and how a message shows it.

A fix replaces nodes; its edits are libcst's code for each new node, at the position of the node
it replaces (positions.py), at the indentation of that node's line. ``suggestion`` turns the
first edit into the message's ". Fix: `...`" when it fits on a line.
"""

from __future__ import annotations

from typing import Optional, Sequence, Union

import libcst as cst
from libcst._nodes.internal import CodegenState

from inplace_fixer.cst_build.twins import with_twins
from inplace_fixer.inference.values import Reason
from inplace_fixer.model import Applicability, Edit, Fix, Position
from inplace_fixer.rules.base import ProposedFix


def suggestion(fix: Optional[Fix], summary: Optional[str] = None) -> str:
    """". Fix: `y = y * 2`" for a fix whose new code fits on one line of a message; a fix whose
    edit does not show this finding's own change says what it does instead."""
    if fix is not None and summary is not None:
        return ". Fix: " + summary
    if fix is None or not fix.edits:
        return ""
    lines = [_without_comment(line.strip()) for line in fix.edits[0].content.strip().splitlines() if line.strip()]
    if not lines or len(lines) > 2 or sum(map(len, lines)) > 80:
        return ""
    return ". Fix: `" + "; ".join(lines) + "`"


def _without_comment(line: str) -> str:
    code, marker, _ = line.partition("#")
    return code.rstrip() if marker and "'" not in code and '"' not in code else line


def render(reason: Union[Reason, str, None], line_of) -> Optional[str]:
    if reason is None:
        return None
    if isinstance(reason, Reason):
        return reason.render(line_of)
    return reason


def public_fix(proposed: Optional[ProposedFix], module, positions, lines, line_of, twins: dict) -> Optional[Fix]:
    if proposed is None:
        return None
    reason = render(proposed.reason, line_of)
    if proposed.applicability is Applicability.DISPLAY_ONLY:
        return Fix(Applicability.DISPLAY_ONLY, reason or "no exact out-of-place rewrite exists here", ())
    edits = [
        _edit_for(original, with_twins(replacement, twins, original) if twins else replacement, module, positions, lines)
        for original, replacement in proposed.replacements
    ]
    return Fix(proposed.applicability, reason, tuple(sorted(edits, key=lambda e: (e.start.line, e.start.col))))


def _edit_for(original: cst.CSTNode, replacement, module: cst.Module, positions, lines: Sequence[str]) -> Edit:
    """The text edit that the replacement of one node makes, in original coordinates."""
    code_range = positions[original]
    if isinstance(original, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
        # Whole lines: from the start of the statement's first line to the start of the next one.
        first_line = lines[code_range.start.line - 1]
        indent = first_line[: len(first_line) - len(first_line.lstrip(" \t"))]
        new_lines = list(replacement.nodes) if isinstance(replacement, cst.FlattenSentinel) else [replacement]
        if new_lines:  # none: the lines are removed (a statement moved elsewhere)
            new_lines[0] = new_lines[0].with_changes(leading_lines=())
        content = "".join(_code_at_indent(module, line, indent) for line in new_lines)
        start = Position(code_range.start.line, 1)
        end_line = code_range.end.line
        if end_line == len(lines) and not lines[-1].endswith(("\n", "\r")):
            content = content.rstrip("\r\n")
            return Edit(start, Position(end_line, len(lines[-1]) + 1), content)
        return Edit(start, Position(end_line + 1, 1), content)
    if isinstance(replacement, cst.FlattenSentinel):
        content = "; ".join(module.code_for_node(node) for node in replacement.nodes)
    else:
        content = module.code_for_node(replacement)
    return Edit(
        Position(code_range.start.line, code_range.start.column + 1),
        Position(code_range.end.line, code_range.end.column + 1),
        content,
    )


def _code_at_indent(module: cst.Module, statement: cst.CSTNode, indent: str) -> str:
    """The code of a statement placed at ``indent``: a compound statement (`with torch.no_grad():`
    around a line) indents its body from there, as libcst does for a nested block."""
    state = CodegenState(default_indent=module.default_indent, default_newline=module.default_newline)
    state.indent_tokens.append(indent)
    statement._codegen(state)
    return "".join(state.tokens)
