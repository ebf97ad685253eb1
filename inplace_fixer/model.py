"""The values every stage shares: findings, fixes, edits, per-file results.

Positions follow the convention of Ruff and flake8: lines are 1-based, columns are 1-based and
count Unicode code points (not bytes, not UTF-16 units). The language server converts once, in
its own module.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Optional


class Applicability(str, enum.Enum):
    """How sure we are that a fix keeps the program's meaning (mirrors Ruff's levels)."""

    SAFE = "safe"
    UNSAFE = "unsafe"
    DISPLAY_ONLY = "display-only"


@dataclass(frozen=True)
class Position:
    line: int  # 1-based
    col: int  # 1-based, in code points


@dataclass(frozen=True)
class Edit:
    """Replace the text between ``start`` and ``end`` (end exclusive) with ``content``."""

    start: Position
    end: Position
    content: str

    def to_json(self) -> dict:
        return {
            "start": {"line": self.start.line, "col": self.start.col},
            "end": {"line": self.end.line, "col": self.end.col},
            "content": self.content,
        }


@dataclass(frozen=True)
class Fix:
    applicability: Applicability
    reason: str | None  # why it is unsafe or display-only, in the user's terms; None when safe
    edits: tuple[Edit, ...]

    def to_json(self) -> dict:
        return {
            "applicability": self.applicability.value,
            "reason": self.reason,
            "edits": [edit.to_json() for edit in self.edits],
        }


@dataclass(frozen=True)
class Finding:
    path: str
    start: Position
    end: Position
    code: str  # e.g. "IPF001"
    name: str  # e.g. "augmented-assignment"
    message: str
    fix: Fix | None
    category: str | None = None  # filled by the saved-tensor analysis (breaks-backward, ...)
    reason: str | None = None  # why the target may require grad, in the user's terms
    # In a notebook: the cell (1-based, counting every cell); lines are then within the cell.
    cell: int | None = None

    @property
    def has_safe_fix(self) -> bool:
        return self.fix is not None and self.fix.applicability is Applicability.SAFE

    def to_json(self) -> dict:
        return {
            "path": self.path,
            "line": self.start.line,
            "col": self.start.col,
            "end_line": self.end.line,
            "end_col": self.end.col,
            "code": self.code,
            "name": self.name,
            "message": self.message,
            "category": self.category,
            "reason": self.reason,
            "fix": None if self.fix is None else self.fix.to_json(),
            **({} if self.cell is None else {"cell": self.cell}),
        }


@dataclass(frozen=True)
class FileResult:
    """What checking one file produced. A failure is a value here, never an exception."""

    path: str
    source: str
    findings: tuple[Finding, ...] = ()
    # The source with the fixes the configuration allows applied; equal to ``source`` when none.
    fixed_source: str | None = None
    # Findings whose fix went into ``fixed_source``.
    fixed: tuple[Finding, ...] = ()
    error: str | None = None  # "cannot parse: <reason>" and the like

    @property
    def changed(self) -> bool:
        return self.fixed_source is not None and self.fixed_source != self.source

    @property
    def remaining(self) -> tuple[Finding, ...]:
        """Findings still in the code once ``fixed_source`` is written."""
        fixed_ids = {id(finding) for finding in self.fixed}
        return tuple(f for f in self.findings if id(f) not in fixed_ids)


@dataclass(frozen=True)
class Config:
    """What the user asked for; built by config.py from flags and pyproject.toml."""

    select: tuple[str, ...] = ("IPF",)  # codes or prefixes
    ignore: tuple[str, ...] = ()
    unsafe_fixes: bool = False  # also apply fixes marked unsafe
    exclude: tuple[str, ...] = field(default_factory=tuple)  # gitignore-style patterns

    def is_selected(self, code: str) -> bool:
        """Whether the rule ``code`` runs. Category names in ``select`` do not restrict rules."""
        rule_selectors = [s for s in self.select if not is_category(s)]
        selected = not rule_selectors or any(code.startswith(prefix) for prefix in rule_selectors)
        ignored = any(code.startswith(prefix) for prefix in self.ignore if not is_category(prefix))
        return selected and not ignored

    def is_category_selected(self, category: Optional[str]) -> bool:
        """``select = ["breaks-backward"]`` keeps only what is broken; ``ignore`` drops a category."""
        wanted = [s.lower() for s in self.select if is_category(s)]
        dropped = [s.lower() for s in self.ignore if is_category(s)]
        if category is None:
            return not wanted
        return (not wanted or category in wanted) and category not in dropped


# What the saved-tensor analysis says of a finding in a gradient path.
BREAKS_BACKWARD = "breaks-backward"  # backward (or the call itself) will raise
SILENT_WRONG_GRADIENT = "silent-wrong-gradient"  # no error, wrong gradients (.data, logical_*_)
IN_GRADIENT_PATH = "in-gradient-path"  # works today; breaks once an op saves the tensor
CATEGORIES = (BREAKS_BACKWARD, SILENT_WRONG_GRADIENT, IN_GRADIENT_PATH)


def is_category(selector: str) -> bool:
    return selector.lower() in CATEGORIES
