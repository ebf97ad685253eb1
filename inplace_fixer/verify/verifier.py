"""Decide the verdict for one (original, rewritten) pair; runs in a warm worker.

Runs: the original and the rewritten program, each to the end (the rewritten is skipped when
the original times out). Only when the original failed with an in-place autograd error and the
rewrite ran, more: the original with autograd off, when the error came before any backward()
(the forward values it meant to compute, which the error otherwise hides), and two
finite-difference runs of the rewritten program (four if they have to be repeated). The
number of runs is in ``evidence["runs"]``.
"""

from __future__ import annotations

import re
from typing import Any

from inplace_fixer.verify.compare import (
    Comparison,
    compare_calls,
    compare_forward_outputs,
    compare_globals,
    count_mismatch,
    structure,
)
from inplace_fixer.verify.errors import classify_in_place_error, is_out_of_memory
from inplace_fixer.verify.finite_difference import check_gradients
from inplace_fixer.verify.launch import Launcher, RunOutcome
from inplace_fixer.verify.oracle import FINITE_DIFFERENCE_ORACLE, against_saved_clone_reference
from inplace_fixer.verify.result import Verdict, VerifyResult
from inplace_fixer.verify.spec import RunMode, RunSpec


def verify_pair(original: str, rewritten: str, launcher: Launcher, *, timeout: float, memory_limit: int) -> VerifyResult:
    runs_before = launcher.runs_started
    result = _verify_pair(original, rewritten, launcher, timeout=timeout, memory_limit=memory_limit)
    result.evidence["runs"] = launcher.runs_started - runs_before
    return result


def _verify_pair(original: str, rewritten: str, launcher: Launcher, *, timeout: float, memory_limit: int) -> VerifyResult:
    limits = {"timeout": timeout, "memory_limit": memory_limit}
    try:
        compile(original, "original", "exec")
    except SyntaxError as exc:
        return VerifyResult(Verdict.NOT_RUNNABLE, f"the original does not compile: {exc.msg} (line {exc.lineno})")
    before = launcher.run(RunSpec(original, **limits))
    if before.status == "timeout":
        evidence = {"original": _summary(before), "rewritten": None, "notes": ["the rewritten was not run"]}
        return VerifyResult(Verdict.TIMEOUT, f"the original did not finish within {timeout:g} s", evidence)
    after = launcher.run(RunSpec(rewritten, **limits))
    evidence: dict[str, Any] = {"original": _summary(before), "rewritten": _summary(after), "notes": []}
    if after.status == "timeout":
        return VerifyResult(Verdict.TIMEOUT, f"the rewritten did not finish within {timeout:g} s", evidence)
    if before.status == "ok" and after.status == "ok":
        return _both_ran(before, after, evidence)
    if before.status == "ok":
        return VerifyResult(Verdict.REWRITTEN_FAILS, f"the original runs but the rewrite fails with {_failure_text(after)}", evidence)
    if after.status != "ok":
        if _failure_identity(before) == _failure_identity(after):
            return VerifyResult(Verdict.BOTH_FAIL, f"both fail with {_failure_text(before)}", evidence)
        return VerifyResult(
            Verdict.REWRITTEN_FAILS,
            f"the original fails with {_failure_text(before)}; the rewrite instead fails with {_failure_text(after)}",
            evidence,
        )
    kind = evidence["original"]["error"] and evidence["original"]["error"].get("kind")
    if kind is None or kind == "out-of-memory":
        return VerifyResult(
            Verdict.DIFFERENT,
            f"the original fails with {_failure_text(before)}, which is not an in-place autograd error, "
            "but the rewrite runs: it changed what the program does",
            evidence,
        )
    # An error raised inside backward() comes after the forward values it would show: the
    # failed run already recorded them. Only a forward-time error needs the autograd-off run.
    failed_in_autograd = any(call["failed"] for call in before.record["calls"])
    reference = None if failed_in_autograd else launcher.run(RunSpec(original, RunMode.REFERENCE_FORWARD, **limits))
    return _maybe_fixed(original, rewritten, before, after, reference, kind, launcher, limits, evidence)


def _both_ran(before: RunOutcome, after: RunOutcome, evidence: dict[str, Any]) -> VerifyResult:
    if not _did_tensor_work(before.record) and not _did_tensor_work(after.record):
        return VerifyResult(
            Verdict.NOT_RUNNABLE,
            "it runs but does no tensor work at top level: no backward() or autograd.grad call, "
            "no nn.Module call, no module-level tensor (a library module?)",
            evidence,
        )
    first, second = before.record, after.record
    comparisons = count_mismatch("autograd calls", "autograd calls", first["calls_seen"], second["calls_seen"])
    comparisons += compare_calls(first["calls"], second["calls"])
    comparisons += count_mismatch(
        "forward outputs", "top-level module calls", len(first["forward_outputs"]), len(second["forward_outputs"])
    )
    comparisons += compare_forward_outputs(first["forward_outputs"], second["forward_outputs"])
    global_comparisons, notes = compare_globals(first["globals"], second["globals"])
    comparisons += global_comparisons
    evidence["notes"] += notes
    _attach(evidence, comparisons)
    difference = evidence["first_difference"]
    if difference:
        return VerifyResult(Verdict.DIFFERENT, f"{difference['name']}: {difference['detail']}", evidence)
    return VerifyResult(Verdict.EQUIVALENT, "both run; " + _match_counts(comparisons), evidence)


def _maybe_fixed(
    before_source: str,
    rewritten: str,
    before: RunOutcome,
    after: RunOutcome,
    reference: RunOutcome | None,
    kind: str,
    launcher: Launcher,
    limits: dict[str, Any],
    evidence: dict[str, Any],
) -> VerifyResult:
    error = f"{before.error['type']} ({kind})"  # type: ignore[index]
    if reference is None:  # the original failed inside backward(): the exact oracle applies
        exact = against_saved_clone_reference(before_source, after, error, launcher, limits, evidence, _both_ran)
        if exact is not None:
            return exact
    evidence["oracle"] = FINITE_DIFFERENCE_ORACLE
    comparisons = _shared_forward_values(before, after, reference, evidence["notes"])
    _attach(evidence, comparisons)
    difference = evidence["first_difference"]
    if difference:
        return VerifyResult(
            Verdict.DIFFERENT,
            f"the rewrite removes the {error} but changes a value: {difference['name']}: {difference['detail']}",
            evidence,
        )
    if not comparisons:
        evidence["notes"].append("no forward value of the original was available to compare")
    gradients = check_gradients(rewritten, launcher, limits["timeout"], limits["memory_limit"])
    evidence["finite_difference"] = gradients
    status = gradients["status"]
    if status == "timeout":
        return VerifyResult(Verdict.TIMEOUT, gradients["reason"], evidence)
    if status == "failed":
        return VerifyResult(Verdict.REWRITTEN_FAILS, gradients["reason"], evidence)
    if status == "disagrees":
        return VerifyResult(
            Verdict.DIFFERENT, f"the rewrite runs but its gradients are wrong: {gradients['reason']}", evidence
        )
    shared = _match_counts(comparisons) if comparisons else "no shared forward value"
    completed = sum(not call["failed"] for call in before.record["calls"])
    if completed:  # their gradients were compared exactly above, call by call
        shared += f"; agrees on the {_count(completed, 'backward call', 'backward calls')} the original completed"
    if status == "not-applicable":
        evidence["notes"].append(f"gradients not checked: {gradients['reason']}")
        return VerifyResult(Verdict.FIXED, f"the original raised {error}; the rewrite runs; {shared}", evidence)
    return VerifyResult(
        Verdict.FIXED,
        f"the original raised {error}; the rewrite runs; {shared}; gradients agree with finite differences",
        evidence,
    )


def _shared_forward_values(
    before: RunOutcome, after: RunOutcome, reference: RunOutcome | None, notes: list[str]
) -> list[Comparison]:
    """What both programs computed: the autograd calls and module outputs the original reached
    before failing, and its forward values with autograd off."""
    first, second = before.record, after.record
    comparisons = compare_calls(first["calls"], second["calls"])
    comparisons += compare_forward_outputs(first["forward_outputs"], second["forward_outputs"])
    if reference is None:
        return comparisons
    if reference.status != "ok":
        notes.append(f"the original with autograd off fails with {_failure_text(reference)}; its forward values are not compared")
        return comparisons
    label = " (original without autograd)"
    meant = reference.record
    if meant["calls"] and not second["calls"]:
        comparisons.append(structure("autograd calls", "the original differentiates a value, the rewritten never does"))
    comparisons += compare_calls(meant["calls"], second["calls"], with_gradients=False, label=label)
    before_first_call = [output for output in second["forward_outputs"] if output["after_calls"] == 0]
    comparisons += count_mismatch(
        "forward outputs" + label, "top-level module calls", len(meant["forward_outputs"]), len(before_first_call)
    )
    comparisons += compare_forward_outputs(meant["forward_outputs"], before_first_call, label=label)
    if not meant["stopped_early"] and not second["calls"]:
        global_comparisons, global_notes = compare_globals(meant["globals"], second["globals"])
        comparisons += global_comparisons
        notes += global_notes
    return comparisons


def _attach(evidence: dict[str, Any], comparisons: list[Comparison]) -> None:
    evidence["losses"] = [c.to_json() for c in comparisons if c.kind == "loss"]
    evidence["gradients"] = [c.to_json() for c in comparisons if c.kind == "gradient"]
    evidence["values"] = [c.to_json() for c in comparisons if c.kind in ("forward", "global")]
    evidence["structure"] = [c.to_json() for c in comparisons if c.kind == "structure"]
    difference = next((c for c in comparisons if c.differs), None)
    evidence["first_difference"] = None if difference is None else difference.to_json()


def _match_counts(comparisons: list[Comparison]) -> str:
    losses = sum(c.kind == "loss" for c in comparisons)
    gradients = sum(c.kind == "gradient" for c in comparisons)
    values = sum(c.kind in ("forward", "global") for c in comparisons)
    close = sum(c.match == "close" for c in comparisons)
    exactness = "all bitwise" if not close else f"{close} within dtype tolerance, the rest bitwise"
    return f"{_count(losses, 'loss', 'losses')}, {_count(gradients, 'gradient', 'gradients')} and {_count(values, 'other value', 'other values')} match ({exactness})"


def _count(number: int, singular: str, plural: str) -> str:
    return f"{number} {singular if number == 1 else plural}"


def _did_tensor_work(record: dict[str, Any]) -> bool:
    return bool(record["calls_seen"] or record["forward_outputs"] or record.get("globals"))


def _summary(outcome: RunOutcome) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "status": outcome.status,
        "seconds": round(outcome.seconds, 4),
        "autograd_calls": outcome.record.get("calls_seen", 0),
        "stdout": outcome.stdout,
        "stderr": outcome.stderr,
        "error": None,
    }
    if outcome.exit_description:
        summary["exit"] = outcome.exit_description
    error = outcome.error
    if error:
        kind = classify_in_place_error(error["type"], error["message"])
        if kind is None and is_out_of_memory(error["type"], error["message"]):
            kind = "out-of-memory"
        summary["error"] = {**error, "kind": kind}
    return summary


_RUN_DIRECTORY = re.compile(r"run-[A-Za-z0-9_]+")
_ADDRESS = re.compile(r"0x[0-9a-fA-F]+")


def _failure_identity(outcome: RunOutcome) -> tuple[str, str]:
    if outcome.error:
        message = _ADDRESS.sub("0x?", _RUN_DIRECTORY.sub("run-?", outcome.error["message"]))
        return outcome.error["type"], message
    return outcome.status, outcome.exit_description or ""


def _failure_text(outcome: RunOutcome) -> str:
    """The failure as a noun phrase: "RuntimeError: ... (line 7)", "a crash (killed by ...)"."""
    error = outcome.error
    if error:
        lines = error["message"].strip().splitlines()
        text = error["type"] + (f": {lines[0]}" if lines else "")
        return text + (f" (line {error['line']})" if error.get("line") else "")
    if outcome.status == "timeout":
        return "a timeout"
    return f"a crash ({outcome.exit_description})"
