"""The exact oracle for a program that fails inside ``backward()``.

The original is run again with ``saved_tensors_hooks`` whose pack hook clones each saved tensor.
An in-place change after the save then no longer reaches backward (and torch skips its version
check while such hooks are active), so backward computes the gradient of the forward exactly as
it ran, which is precisely what a correct out-of-place rewrite must produce. The rewrite is
compared with that run like two programs that both ran: losses, every leaf gradient, forward
outputs and module-level tensors, bitwise or within dtype tolerance.

Finite differences stay for failures at the in-place line itself (leaf and view errors), where
the original never reaches a backward to re-run.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from inplace_fixer.verify.launch import Launcher, RunOutcome
    from inplace_fixer.verify.result import VerifyResult

SAVED_CLONE_ORACLE = "saved-tensor clone reference"
FINITE_DIFFERENCE_ORACLE = "finite differences"


@contextlib.contextmanager
def clone_saved_tensors() -> Iterator[None]:
    """Imported in the child, where torch is already loaded."""
    import torch

    with torch.autograd.graph.saved_tensors_hooks(lambda tensor: tensor.clone(), lambda saved: saved):
        yield


def against_saved_clone_reference(
    original: str,
    after: "RunOutcome",
    error: str,
    launcher: "Launcher",
    limits: dict[str, Any],
    evidence: dict[str, Any],
    compare_as_both_ran: Callable[["RunOutcome", "RunOutcome", dict[str, Any]], "VerifyResult"],
) -> "VerifyResult | None":
    """The verdict against the clone reference, or None when the reference cannot be made (it
    fails too, or times out): the caller then falls back to finite differences."""
    from inplace_fixer.verify.result import Verdict, VerifyResult
    from inplace_fixer.verify.spec import RunMode, RunSpec

    reference = launcher.run(RunSpec(original, RunMode.SAVED_CLONE, **limits))
    if reference.status != "ok":
        evidence["notes"].append(
            f"the original with saved tensors cloned did not run to the end ({reference.status}); "
            "falling back to finite differences"
        )
        return None
    evidence["oracle"] = SAVED_CLONE_ORACLE
    compared = compare_as_both_ran(reference, after, evidence)
    if compared.verdict is Verdict.DIFFERENT and _only_globals_differ(evidence):
        # A module-level tensor the original changed in place (`t` in `F.relu(t, inplace=True)`)
        # keeps its old value after the fix: that is the fix, not a different computation. The
        # old finite-difference path never compared these either; say it, don't judge it.
        names = [entry["name"] for entry in evidence["values"] if entry["match"] == "differs"]
        evidence["notes"].append(
            f"{', '.join(names)} differ(s) at the end: the original changed them in place, the "
            "rewrite leaves them as they were; losses, gradients and forward outputs match"
        )
        evidence["first_difference"] = None
        return VerifyResult(
            Verdict.FIXED,
            f"the original raised {error}; the rewrite runs; against the original re-run with saved "
            "tensors cloned when saved (the gradients of the forward as it ran): every loss, gradient "
            "and forward output matches",
            evidence,
        )
    if compared.verdict is Verdict.EQUIVALENT:
        reason = compared.reason.removeprefix("both run; ")
        return VerifyResult(
            Verdict.FIXED,
            f"the original raised {error}; the rewrite runs; against the original re-run with saved "
            f"tensors cloned when saved (the gradients of the forward as it ran): {reason}",
            evidence,
        )
    if compared.verdict is Verdict.DIFFERENT:
        return VerifyResult(
            Verdict.DIFFERENT,
            f"the rewrite removes the {error} but does not compute what the original's forward "
            f"did: {compared.reason}",
            evidence,
        )
    return None


def _only_globals_differ(evidence: dict[str, Any]) -> bool:
    differs = lambda entries: [e for e in entries if e.get("match") == "differs"]  # noqa: E731
    if differs(evidence.get("losses", [])) or differs(evidence.get("gradients", [])) or differs(evidence.get("structure", [])):
        return False
    return all(e["kind"] == "global" for e in differs(evidence.get("values", []))) and bool(differs(evidence.get("values", [])))
