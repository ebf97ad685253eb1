"""What one run of a program under the verifier should do (no torch: the launcher sends it)."""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass
from typing import Any

SNIPPET_NAME = "snippet.py"


class RunMode(str, enum.Enum):
    # Run to the end, recording every autograd call, forward outputs and module-level tensors.
    BASELINE = "baseline"
    # Run with grad mode off, up to the first autograd call: the forward values a program meant
    # to compute even when autograd forbids its in-place ops.
    REFERENCE_FORWARD = "reference-forward"
    # Up to the first autograd call, with each leaf moved by ``step`` along a fixed random
    # direction: the differentiated value and autograd's derivative along that direction.
    FINITE_DIFFERENCE = "finite-difference"
    # Run to the end, as BASELINE, with every tensor saved for backward cloned when it is saved:
    # backward then sees the values as they were, which is exactly the gradient of the forward
    # as it ran, and what a correct out-of-place rewrite must produce (the exact oracle).
    SAVED_CLONE = "saved-clone"


@dataclass(frozen=True)
class RunSpec:
    source: str
    mode: RunMode = RunMode.BASELINE
    timeout: float = 10.0  # seconds of wall time for this run
    memory_limit: int = 2 * 1024**3  # bytes of address space on top of the warm process
    float64: bool = False  # make float64 the default dtype (the finite-difference runs)
    step: float = 0.0  # FINITE_DIFFERENCE: how far each leaf moves along its direction
    perturb: tuple[int, ...] | None = None  # FINITE_DIFFERENCE: leaf numbers to move; None: all
    # Random bytes (hex) the child writes before its record, chosen by the launcher per run, so
    # whatever the program itself writes to the pipe is skipped rather than taken as the record.
    marker: str = ""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["mode"] = self.mode.value
        data["perturb"] = None if self.perturb is None else list(self.perturb)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunSpec:
        perturb = data.get("perturb")
        return cls(
            source=data["source"],
            mode=RunMode(data["mode"]),
            timeout=data["timeout"],
            memory_limit=data["memory_limit"],
            float64=data["float64"],
            step=data["step"],
            perturb=None if perturb is None else tuple(perturb),
            marker=data["marker"],
        )
