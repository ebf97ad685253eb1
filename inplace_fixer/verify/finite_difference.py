"""An independent check of the rewritten program's gradients: central finite differences.

The rewritten program is run twice more, up to its first autograd call, with every leaf it
differentiates moved by ``+eps*d`` and ``-eps*d`` along a fixed random direction ``d`` (one
unit-norm block per leaf; see ``perturb.py`` for how leaves are found). Each run reports the
differentiated value ``f`` and autograd's directional derivative ``g . d`` at its own point.
The estimate ``(f(+eps) - f(-eps)) / (2 eps)`` does not use autograd at all; it is compared with
the mean of the two autograd values, which equals ``g . d`` at the unmoved point up to
``O(eps^2)``, the same order as the estimate's own error.

The runs use float64 as the default dtype, so float32 programs are differentiated in float64
(their random initialisations may differ from the float32 run, which is why autograd's side is
taken from the same runs and not from the baseline). A program that breaks in float64
(explicit float32 tensors meeting float64 ones) is re-checked in its own dtypes, and a program
whose leaves or value are coarser than float64 gets a larger step and tolerance.

Agreement: ``|estimate - autograd| <= atol + rtol * max(|estimate|, |autograd|)
+ 8 * u * max|f| / eps`` where ``u`` is the unit roundoff of the coarsest dtype involved; the
last term bounds the cancellation error of the difference quotient.

A leaf the program uses without autograd reaching it (``w.item()`` fed back as a number)
changes ``f`` without a gradient. If the first comparison fails and such leaves were moved,
it is repeated moving only the leaves autograd reached, and the evidence says so.
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
        probe = _Probe(source, launcher, timeout, memory_limit, float64)
        evidence = probe.check(FLOAT64_SETTINGS)
        if evidence["status"] != "failed":
            return evidence
        failures.append(evidence["reason"])
    return {"status": "failed", "reason": "; ".join(failures)}


class _Probe:
    def __init__(self, source: str, launcher: Launcher, timeout: float, memory_limit: int, float64: bool) -> None:
        self.source = source
        self.launcher = launcher
        self.timeout = timeout
        self.memory_limit = memory_limit
        self.float64 = float64

    def check(self, settings: StepSettings, perturb: tuple[int, ...] | None = None) -> dict[str, Any]:
        measured = self._measure(settings.eps, perturb)
        if "status" in measured:
            return measured
        plus, minus = measured["plus"], measured["minus"]
        needed = FLOAT64_SETTINGS if plus["precision"] == "float64" else COARSE_SETTINGS
        if needed != settings:
            return self.check(needed, perturb)
        evidence = self._compare(plus, minus, settings)
        unreached = sorted(set(plus["moved"]) - set(plus["reached"]))
        if evidence["status"] == "disagrees" and perturb is None and unreached:
            retry = self.check(settings, tuple(plus["reached"]))
            retry["first_attempt"] = evidence
            retry.setdefault("notes", []).append(
                f"{len(unreached)} leaf(s) used without a gradient path were moved in the first attempt; "
                "the check was repeated moving only the leaves autograd reaches"
            )
            return retry
        return evidence

    def _measure(self, eps: float, perturb: tuple[int, ...] | None) -> dict[str, Any]:
        records = {}
        for name, step in (("plus", eps), ("minus", -eps)):
            spec = RunSpec(
                self.source, RunMode.FINITE_DIFFERENCE, timeout=self.timeout, memory_limit=self.memory_limit,
                float64=self.float64, step=step, perturb=perturb,
            )
            outcome = self.launcher.run(spec)
            if outcome.status == "timeout":
                return {"status": "timeout", "reason": "the rewritten program timed out with perturbed leaves"}
            if outcome.status != "ok":
                return {"status": "failed", "reason": _describe_failure(outcome, self.float64)}
            measured = outcome.record.get("finite_difference")
            if measured is None:
                return {"status": "not-applicable", "reason": "the rewritten program makes no autograd call"}
            if not measured["reached"]:
                return {
                    "status": "not-applicable",
                    "reason": "no leaf that requires grad reaches the first autograd call",
                }
            records[name] = measured
        plus, minus = records["plus"], records["minus"]
        if (plus["reached"], plus["numbered_leaves"]) != (minus["reached"], minus["numbered_leaves"]):
            return {"status": "failed", "reason": "the program used different leaves once they were perturbed"}
        return records

    def _compare(self, plus: dict[str, Any], minus: dict[str, Any], settings: StepSettings) -> dict[str, Any]:
        estimate = (plus["value"] - minus["value"]) / (2 * settings.eps)
        autograd = (plus["directional"] + minus["directional"]) / 2
        largest_value = max(abs(plus["value"]), abs(minus["value"]))
        tolerance = (
            settings.atol
            + settings.rtol * max(abs(estimate), abs(autograd))
            + ROUNDING_FACTOR * plus["unit_roundoff"] * largest_value / settings.eps
        )
        error = abs(estimate - autograd)
        agrees = error <= tolerance
        return {
            "status": "agrees" if agrees else "disagrees",
            "dtype": "float64 default dtype" if self.float64 else "the program's own dtypes",
            "precision": plus["precision"],
            "direction_seed": DIRECTION_SEED,
            "leaves": plus["leaf_names"],
            "value": (plus["value"] + minus["value"]) / 2,
            "autograd": autograd,
            "estimate": estimate,
            "abs_error": error,
            "tolerance": tolerance,
            "eps": settings.eps,
            "rtol": settings.rtol,
            "atol": settings.atol,
            "reason": (
                f"autograd {autograd:.10g} vs central difference {estimate:.10g} along a random direction "
                f"over {len(plus['leaf_names'])} {'leaf' if len(plus['leaf_names']) == 1 else 'leaves'}: "
                f"error {error:.3g} "
                f"{'<=' if agrees else '>'} tolerance {tolerance:.3g}"
            ),
        }


def _describe_failure(outcome: RunOutcome, float64: bool) -> str:
    where = "with float64 as default dtype and perturbed leaves" if float64 else "with perturbed leaves"
    if outcome.error:
        return f"the rewritten program raised {outcome.error['type']}: {outcome.error['message']} {where}"
    return f"the rewritten program {outcome.exit_description} {where}"
