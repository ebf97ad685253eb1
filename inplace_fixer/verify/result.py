"""What a verification concludes: a verdict and the evidence behind it.

Plain data only (no torch): results are built in a worker process as JSON and rebuilt here, so
the CLI can render them without importing torch.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from typing import Any


class Verdict(str, enum.Enum):
    # Both ran; losses, gradients, forward outputs and module-level tensors match.
    EQUIVALENT = "equivalent"
    # The original raised an in-place autograd error; the rewrite runs, the forward values both
    # computed match, and its gradients agree with a finite-difference estimate.
    FIXED = "fixed"
    # A value or gradient differs, or the rewrite changed whether the program raises.
    DIFFERENT = "different"
    # The rewrite raises what the original did not.
    REWRITTEN_FAILS = "rewritten-fails"
    # Both raise the same error: the rewrite did not address it.
    BOTH_FAIL = "both-fail"
    TIMEOUT = "timeout"
    # Nothing to run: a library module with no top-level tensor work, or it does not compile.
    NOT_RUNNABLE = "not-runnable"

    @property
    def is_success(self) -> bool:
        """True when the rewrite may be written: it keeps the meaning or fixes the error."""
        return self in (Verdict.EQUIVALENT, Verdict.FIXED)


@dataclass(frozen=True)
class VerifyResult:
    verdict: Verdict
    reason: str  # one line, in the user's terms
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def losses(self) -> list[dict[str, Any]]:
        """One entry per autograd call both runs reached: the value differentiated, each side."""
        return self.evidence.get("losses", [])

    @property
    def gradients(self) -> list[dict[str, Any]]:
        """One entry per (autograd call, leaf name): each side's gradient and how they matched."""
        return self.evidence.get("gradients", [])

    @property
    def first_difference(self) -> dict[str, Any] | None:
        return self.evidence.get("first_difference")

    @property
    def finite_difference(self) -> dict[str, Any] | None:
        return self.evidence.get("finite_difference")

    @property
    def original_error(self) -> str | None:
        return _error_text(self.evidence.get("original"))

    @property
    def rewritten_error(self) -> str | None:
        return _error_text(self.evidence.get("rewritten"))

    def to_json(self) -> dict[str, Any]:
        """Strict JSON: non-finite floats (a NaN loss, an infinite error) become strings."""
        return {"verdict": self.verdict.value, "reason": self.reason, "evidence": _strict_json(self.evidence)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> VerifyResult:
        return cls(Verdict(data["verdict"]), data["reason"], data.get("evidence", {}))


def _strict_json(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {key: _strict_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_strict_json(item) for item in value]
    return value


def _error_text(run: dict[str, Any] | None) -> str | None:
    if not run or not run.get("error"):
        return None
    error = run["error"]
    return f"{error['type']}: {error['message']}"
