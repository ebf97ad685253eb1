"""An independent check of the rewritten program's gradients: central finite differences.

The rewritten program is run three more times up to its first autograd call: once to number
its leaves and take autograd's directional derivative ``g . d`` along a fixed random direction
``d`` (one unit-norm block per leaf), and twice with every reached leaf moved by ``+eps*d`` and
``-eps*d``. The estimate ``(f(+eps) - f(-eps)) / (2 eps)`` does not trust autograd at all.

The runs use float64 as the default dtype, so float32 programs are differentiated in float64
(their random initialisations may differ from the float32 run, which is why autograd's side is
taken from the same float64 run and not from the baseline). A program that breaks in float64
(explicit float32 tensors meeting float64 ones) is re-checked in its own dtypes with a coarser
step and tolerance.

Agreement: ``|estimate - autograd| <= atol + rtol * max(|estimate|, |autograd|)
+ 8 * u * max|f| / eps`` where ``u`` is the unit roundoff of the coarsest dtype involved; the
last term bounds the cancellation error of the difference quotient.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from inplace_fixer.verify.launch import RunOutcome, Launcher
from inplace_fixer.verify.perturb import DIRECTION_SEED
from inplace_fixer.verify.spec import RunMode, RunSpec

ROUNDING_FACTOR = 8.0


@dataclass(frozen=True)
class StepSettings:
    eps: float
    rtol: float
    atol: float


FLOAT64_SETTINGS = StepSettings(eps=1e-6, rtol=1e-5, atol=1e-9)
COARSE_SETTINGS = StepSettings(eps=1e-2, rtol=5e-3, atol=1e-6)


def check_gradients(source: str, launcher: Launcher, timeout: float, memory_limit: int) -> dict[str, Any]:
    failures = []
    for float64 in (True, False):
        base = RunSpec(source, RunMode.FD_CENTER, timeout=timeout, memory_limit=memory_limit, float64=float64)
        center = launcher.run(base)
        if center.status == "timeout":
            return {"status": "timeout", "reason": "the rewritten program timed out in the finite-difference run"}
        if center.status == "ok":
            if not center.record.get("finite_difference"):
                return {"status": "not-applicable", "reason": "the rewritten program makes no autograd call"}
            return _with_steps(base, center, launcher)
        failures.append(_describe_failure(center, float64))
    return {"status": "failed", "reason": "; ".join(failures)}


def _with_steps(base: RunSpec, center: RunOutcome, launcher: Launcher) -> dict[str, Any]:
    measured = center.record["finite_difference"]
    settings = FLOAT64_SETTINGS if measured["precision"] == "float64" else COARSE_SETTINGS
    evidence: dict[str, Any] = {
        "dtype": "float64 default dtype" if base.float64 else "the program's own dtypes",
        "precision": measured["precision"],
        "direction_seed": DIRECTION_SEED,
        "leaves": measured["leaf_names"],
        "value": measured["value"],
        "autograd": measured["directional"],
    }
    if not measured["perturbed"]:
        evidence.update(status="not-applicable", reason="no leaf that requires grad reaches the first autograd call")
        return evidence
    values = []
    for sign in (1.0, -1.0):
        step = RunSpec(
            base.source, RunMode.FD_STEP, timeout=base.timeout, memory_limit=base.memory_limit,
            float64=base.float64, step=sign * settings.eps, perturb=tuple(measured["perturbed"]),
        )
        outcome = launcher.run(step)
        if outcome.status == "timeout":
            evidence.update(status="timeout", reason="the rewritten program timed out with perturbed leaves")
            return evidence
        moved = outcome.record.get("finite_difference") if outcome.status == "ok" else None
        if moved is None:
            evidence.update(status="failed", reason=_describe_failure(outcome, base.float64, perturbed=True))
            return evidence
        if moved["perturbed"] != measured["perturbed"] or moved["numbered_leaves"] != measured["numbered_leaves"]:
            evidence.update(status="failed", reason="the program used different leaves once they were perturbed")
            return evidence
        values.append(moved["value"])
    plus, minus = values
    estimate = (plus - minus) / (2 * settings.eps)
    autograd = measured["directional"]
    largest_value = max(abs(plus), abs(minus), abs(measured["value"]))
    tolerance = (
        settings.atol
        + settings.rtol * max(abs(estimate), abs(autograd))
        + ROUNDING_FACTOR * measured["unit_roundoff"] * largest_value / settings.eps
    )
    error = abs(estimate - autograd)
    agrees = error <= tolerance
    evidence.update(
        status="agrees" if agrees else "disagrees",
        eps=settings.eps,
        rtol=settings.rtol,
        atol=settings.atol,
        estimate=estimate,
        abs_error=error,
        tolerance=tolerance,
        reason=(
            f"autograd {autograd:.10g} vs central difference {estimate:.10g}: "
            f"error {error:.3g} {'<=' if agrees else '>'} tolerance {tolerance:.3g}"
        ),
    )
    return evidence


def _describe_failure(outcome: RunOutcome, float64: bool, perturbed: bool = False) -> str:
    where = "with float64 as default dtype" if float64 else "in its own dtypes"
    if perturbed:
        where += " and perturbed leaves"
    if outcome.status == "ok":
        return f"the rewritten program made no autograd call {where}"
    if outcome.error:
        return f"the rewritten program raised {outcome.error['type']}: {outcome.error['message']} {where}"
    return f"the rewritten program {outcome.exit_description} {where}"
