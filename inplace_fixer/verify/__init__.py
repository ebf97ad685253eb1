"""Verification under torch: run a program and its rewrite, and prove they agree.

Importing this package does not import torch: programs run in warm worker processes
(``server.py``) that fork an isolated child per run (``child.py``).
"""

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
