"""Compare what two runs recorded, with ``torch.testing.assert_close`` semantics.

Each tensor pair is first compared bitwise (NaN equal to NaN). A rewrite that only moves where
an operation happens (``y *= 3`` to ``y = y * 3``) is bitwise exact in every case measured, so
that is the expectation. A pair that is not bitwise equal may still match within
``assert_close``'s default tolerance for its dtype (float32: rtol 1.3e-6, atol 1e-5; float64:
rtol 1e-7, atol 1e-7): that is the documented allowance for dtype promotion, where
``x = x.op(y).to(x.dtype)`` reproduces the in-place result but the gradient of a float64 ``y``
differs by up to 5.4e-8 relative. Such matches are labelled ``close``, never ``bitwise``.
Shapes and dtypes must agree exactly.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import torch

MAX_SHOWN_ELEMENTS = 16


@dataclass
class Comparison:
    name: str  # e.g. "loss[0]", "grad[0] layer.weight", "global y"
    kind: str  # loss | gradient | forward | global | structure
    match: str  # bitwise | close | differs
    detail: str | None = None
    call: int | None = None
    leaf: str | None = None
    max_abs_error: float | None = None
    max_rel_error: float | None = None
    original: Any = None
    rewritten: Any = None

    @property
    def differs(self) -> bool:
        return self.match == "differs"

    def to_json(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if value is not None}


def structure(name: str, detail: str) -> Comparison:
    return Comparison(name=name, kind="structure", match="differs", detail=detail)


def summarize(value: object) -> Any:
    """A JSON-safe picture of a recorded value: shape, dtype and, when small, the values."""
    if value is None or isinstance(value, dict):
        return value
    assert isinstance(value, torch.Tensor)
    summary: dict[str, Any] = {"shape": list(value.shape), "dtype": str(value.dtype).removeprefix("torch.")}
    if value.numel() <= MAX_SHOWN_ELEMENTS:
        summary["values"] = _json_safe(value.tolist())
    elif value.is_floating_point():
        summary["sum"] = _json_safe(value.double().sum().item())
    return summary


def _json_safe(value: Any) -> Any:
    if isinstance(value, list):
        return [_json_safe(item) for item in value]
    if isinstance(value, complex):
        return [_json_safe(value.real), _json_safe(value.imag)]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # JSON has no NaN or infinity
    return value


def compare_values(name: str, kind: str, original: object, rewritten: object, **where: Any) -> Comparison:
    comparison = Comparison(name, kind, "bitwise", original=summarize(original), rewritten=summarize(rewritten), **where)
    if original is None or rewritten is None:
        if original is not rewritten:
            side = "original" if rewritten is None else "rewritten"
            comparison.match, comparison.detail = "differs", f"a value exists only in the {side} run"
        return comparison
    if isinstance(original, dict) or isinstance(rewritten, dict):
        if original != rewritten or "unsupported" in original:  # type: ignore[operator]
            comparison.match, comparison.detail = "differs", "large or unsupported tensors differ (compared by digest)"
        return comparison
    assert isinstance(original, torch.Tensor) and isinstance(rewritten, torch.Tensor)
    if original.shape != rewritten.shape:
        comparison.match = "differs"
        comparison.detail = f"shape {list(original.shape)} became {list(rewritten.shape)}"
        return comparison
    if original.dtype != rewritten.dtype:
        comparison.match = "differs"
        comparison.detail = f"dtype {original.dtype} became {rewritten.dtype}"
        return comparison
    if _close(original, rewritten, rtol=0.0, atol=0.0):
        return comparison
    comparison.max_abs_error, comparison.max_rel_error = _errors(original, rewritten)
    if (original.is_floating_point() or original.is_complex()) and _close(original, rewritten):
        comparison.match = "close"
        return comparison
    comparison.match = "differs"
    comparison.detail = (
        f"max abs error {comparison.max_abs_error:.6g}, max rel error {comparison.max_rel_error:.6g}"
    )
    return comparison


def _close(original: torch.Tensor, rewritten: torch.Tensor, **tolerance: float) -> bool:
    try:
        torch.testing.assert_close(rewritten, original, equal_nan=True, **tolerance)
    except AssertionError:
        return False
    return True


def _errors(original: torch.Tensor, rewritten: torch.Tensor) -> tuple[float, float]:
    if original.dtype == torch.bool:
        original, rewritten = original.to(torch.int64), rewritten.to(torch.int64)
    a = original.to(torch.complex128 if original.is_complex() else torch.float64)
    b = rewritten.to(a.dtype)
    both_nan = torch.isnan(a) & torch.isnan(b) if a.is_floating_point() else torch.zeros_like(a, dtype=torch.bool)
    difference = (a - b).abs().masked_fill(both_nan, 0.0)
    difference = torch.nan_to_num(difference, nan=math.inf)
    relative = difference / a.abs().clamp_min(torch.finfo(torch.float64).tiny)
    return difference.max().item(), relative.masked_fill(difference == 0, 0.0).max().item()


# --- whole records -----------------------------------------------------------------------


def compare_calls(
    original: list[dict[str, Any]], rewritten: list[dict[str, Any]], *, with_gradients: bool = True, label: str = ""
) -> list[Comparison]:
    """Autograd calls pairwise: the values differentiated, then each leaf's gradient by name."""
    comparisons = []
    for index, (first, second) in enumerate(zip(original, rewritten)):
        if first["kind"] != second["kind"]:
            comparisons.append(structure(f"call[{index}]", f"{first['kind']} became {second['kind']}"))
            continue
        for position, (a, b) in enumerate(zip(first["values"], second["values"])):
            name = f"loss[{index}]" if len(first["values"]) == 1 else f"loss[{index}][{position}]"
            comparisons.append(compare_values(name + label, "loss", a, b, call=index))
        if not with_gradients:
            continue
        if not first["failed"] and not second["failed"]:
            comparisons.extend(_compare_gradients(index, first, second))
        elif first["failed"] and not second["failed"]:
            # The failing backward still walked its graph: a rewrite that detaches a leaf (same
            # values, lost gradient) shows up here.
            comparisons.extend(_compare_leaf_sets(index, first["leaves"], second["leaves"]))
    return comparisons


def _compare_leaf_sets(index: int, original: list[str], rewritten: list[str]) -> list[Comparison]:
    missing = [leaf for leaf in original if leaf not in rewritten]
    added = [leaf for leaf in rewritten if leaf not in original]
    return [structure(f"grad[{index}] {leaf}", f"`{leaf}` would get a gradient only in the original") for leaf in missing] + [
        structure(f"grad[{index}] {leaf}", f"`{leaf}` gets a gradient only in the rewritten") for leaf in added
    ]


def _compare_gradients(index: int, first: dict[str, Any], second: dict[str, Any]) -> list[Comparison]:
    original = dict(zip(first["leaves"], first["gradients"]))
    rewritten = dict(zip(second["leaves"], second["gradients"]))
    comparisons = []
    for leaf, gradient in original.items():
        name = f"grad[{index}] {leaf}"
        if leaf not in rewritten:
            comparisons.append(structure(name, f"`{leaf}` gets a gradient only in the original"))
        else:
            comparisons.append(compare_values(name, "gradient", gradient, rewritten[leaf], call=index, leaf=leaf))
    for leaf in rewritten.keys() - original.keys():
        comparisons.append(structure(f"grad[{index}] {leaf}", f"`{leaf}` gets a gradient only in the rewritten"))
    return comparisons


def compare_forward_outputs(original: list[dict[str, Any]], rewritten: list[dict[str, Any]], label: str = "") -> list[Comparison]:
    comparisons = []
    for index, (first, second) in enumerate(zip(original, rewritten)):
        name = f"forward[{index}] {first['module']}{label}"
        if first["module"] != second["module"] or len(first["values"]) != len(second["values"]):
            comparisons.append(structure(name, f"{first['module']} output became {second['module']} output"))
            continue
        for position, (a, b) in enumerate(zip(first["values"], second["values"])):
            suffix = "" if len(first["values"]) == 1 else f"[{position}]"
            comparisons.append(compare_values(name + suffix, "forward", a, b))
    return comparisons


def compare_globals(original: list[list[Any]], rewritten: list[list[Any]]) -> tuple[list[Comparison], list[str]]:
    """Module-level tensors by name. A name only the rewrite binds is a note (a rewrite may
    add a helper); a tensor the original had and the rewrite lost is a difference."""
    first = dict((name, value) for name, value in original)
    second = dict((name, value) for name, value in rewritten)
    comparisons = []
    for name, value in first.items():
        if name not in second:
            comparisons.append(structure(f"global {name}", f"`{name}` is a module-level tensor only in the original"))
        else:
            comparisons.append(compare_values(f"global {name}", "global", value, second[name]))
    notes = [f"`{name}` is a module-level tensor only in the rewritten" for name in second if name not in first]
    return comparisons, notes


def count_mismatch(name: str, what: str, original: int, rewritten: int) -> list[Comparison]:
    if original == rewritten:
        return []
    return [structure(name, f"the original made {original} {what}, the rewritten {rewritten}")]
