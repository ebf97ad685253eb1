"""What the locator reports: one event per line whose in-place change broke (or silently
corrupted) a backward. Plain values, so the CLI, the pytest plugin and ``watch()`` share them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from inplace_fixer.blame.frames import Location
from inplace_fixer.model import BREAKS_BACKWARD, SILENT_WRONG_GRADIENT, Fix

__all__ = ["BREAKS_BACKWARD", "SILENT_WRONG_GRADIENT", "Event", "Site"]


@dataclass(frozen=True)
class Site:
    """Where something else happened: the op that saved the tensor, the backward that read it."""

    path: str
    line: int
    op: Optional[str] = None

    def to_json(self) -> dict:
        data: dict = {"path": self.path, "line": self.line}
        if self.op is not None:
            data = {"op": self.op, **data}
        return data


@dataclass(frozen=True)
class Event:
    location: Location  # the user's line that made the change
    category: str  # breaks-backward or silent-wrong-gradient
    op: str  # the torch call that made it, e.g. torch.Tensor.mul_
    message: str
    saved_by: Optional[Site] = None
    backward_at: Optional[Site] = None
    module_defined_at: Optional[Site] = None
    fix: Optional[Fix] = None
    source_line: str = ""  # the changed line's code, for the message

    @property
    def key(self) -> tuple:
        return (self.location.path, self.location.line, self.category)

    def to_json(self) -> dict:
        loc = self.location
        return {
            "path": loc.path,
            "line": loc.line,
            "col": loc.col,
            "end_line": loc.end_line,
            "end_col": loc.end_col,
            "category": self.category,
            "op": self.op,
            "message": self.message,
            "saved_by": None if self.saved_by is None else self.saved_by.to_json(),
            "backward_at": None if self.backward_at is None else self.backward_at.to_json(),
            "module_defined_at": None if self.module_defined_at is None else self.module_defined_at.to_json(),
            "fix": None if self.fix is None else self.fix.to_json(),
        }
