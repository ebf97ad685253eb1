"""Where each ``nn.Module`` was built, so a write made by ``nn.ReLU(inplace=True)`` names the line
that built it: that is the line the fix changes (drop ``inplace=True``)."""

from __future__ import annotations

import sys
import types
import weakref
from typing import Callable, Optional

import torch

from inplace_fixer.blame import frames
from inplace_fixer.blame.events import Site

_defined_at: "weakref.WeakKeyDictionary[torch.nn.Module, Site]" = weakref.WeakKeyDictionary()


def track_definitions() -> Callable[[], None]:
    """Wrap ``nn.Module.__init__`` while watching; returns the undo."""
    original = torch.nn.Module.__init__

    def init(self: torch.nn.Module, *args, **kwargs) -> None:
        original(self, *args, **kwargs)
        if self not in _defined_at:
            site = _construction_site(self, sys._getframe(1))
            if site is not None:
                _defined_at[self] = site

    init.__wrapped__ = original  # type: ignore[attr-defined]
    torch.nn.Module.__init__ = init  # type: ignore[method-assign]

    def undo() -> None:
        torch.nn.Module.__init__ = original  # type: ignore[method-assign]

    return undo


def _construction_site(module: torch.nn.Module, frame: Optional[types.FrameType]) -> Optional[Site]:
    # Skip the chain of __init__ methods of this object (the user's subclass calling
    # super().__init__()): the line that built it is the caller of the outermost one.
    while frame is not None and frame.f_code.co_name == "__init__" and frame.f_locals.get("self") is module:
        frame = frame.f_back
    user = frames.user_frame(frame) if frame is not None else None
    return None if user is None else Site(user.f_code.co_filename, user.f_lineno)


def inplace_module_site(frame: Optional[types.FrameType]) -> Optional[Site]:
    """The construction line of the innermost module with ``inplace=True`` running on the stack."""
    while frame is not None:
        if frame.f_code.co_name == "forward":
            module = frame.f_locals.get("self")
            if isinstance(module, torch.nn.Module) and getattr(module, "inplace", False) is True:
                return _defined_at.get(module)
        frame = frame.f_back
    return None
