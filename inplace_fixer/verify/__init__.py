"""Verification under torch: run a program and its rewrite, and prove they agree.

``inplace_fixer.verify(original_source, rewritten_source)`` (this package is callable) and
``inplace_fixer.verify.verify(...)`` are the same function. Importing this package does not
import torch: programs run in warm worker processes (``server.py``) that fork an isolated child
per run (``child.py``).
"""

import sys
import types

from inplace_fixer.verify.pool import (
    VerifierError,
    VerifierPool,
    VerifierUnavailable,
    verify,
    verify_many,
    verify_rewrite,
)
from inplace_fixer.verify.result import Verdict, VerifyResult

__all__ = [
    "Verdict",
    "VerifierError",
    "VerifierPool",
    "VerifierUnavailable",
    "VerifyResult",
    "verify",
    "verify_many",
    "verify_rewrite",
]


class _CallablePackage(types.ModuleType):
    """Lets the issue's spelling ``inplace_fixer.verify(original, rewritten)`` work while
    ``inplace_fixer.verify`` stays the package its submodules live in."""

    def __call__(self, original_source: str, rewritten_source: str, **limits: float) -> VerifyResult:
        return verify(original_source, rewritten_source, **limits)  # type: ignore[arg-type]


sys.modules[__name__].__class__ = _CallablePackage
