"""``inplace-fixer blame``: run a program and name the line whose in-place change broke backward.

Needs torch, imported only when something here is used: ``watch`` (the Python spelling), the
CLI (``cli.py``) and the pytest plugin (``pytest_plugin.py``) all run the same
:class:`~inplace_fixer.blame.locator.Locator`.
"""

from typing import Any

__all__ = ["Event", "Locator", "Site", "watch"]

_EXPORTS = {
    "Event": "inplace_fixer.blame.events",
    "Site": "inplace_fixer.blame.events",
    "Locator": "inplace_fixer.blame.locator",
    "watch": "inplace_fixer.blame.watch",
}


def __getattr__(name: str) -> Any:
    # Lazy, so that `inplace-fixer --help` and the pytest plugin's start-up never import torch.
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(name)
