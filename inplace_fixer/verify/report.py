"""Render a verification result as text for a terminal (JSON is ``VerifyResult.to_json``)."""

from __future__ import annotations

from typing import Any

from inplace_fixer.verify.result import VerifyResult

MAX_COMPARISON_LINES = 12
MAX_SHOWN_VALUES = 6


def render_text(result: VerifyResult, label: str) -> str:
    evidence = result.evidence
    lines = [f"{label}: {result.verdict.value}", f"  {result.reason}"]
    for side in ("original", "rewritten"):
        run = evidence.get(side)
        if run:
            lines.append(f"  {side + ':':<10} {_run_line(run)}")
    difference = result.first_difference
    if difference:
        lines.append(f"  first difference: {difference['name']}: {difference.get('detail', '')}")
    comparisons = result.losses + result.gradients + evidence.get("values", []) + evidence.get("structure", [])
    for comparison in comparisons[:MAX_COMPARISON_LINES]:
        lines.append("  " + _comparison_line(comparison))
    if len(comparisons) > MAX_COMPARISON_LINES:
        lines.append(f"  ... {len(comparisons) - MAX_COMPARISON_LINES} more compared values (--format json shows all)")
    finite_difference = result.finite_difference
    if finite_difference:
        lines.append(f"  finite differences: {finite_difference['status']}: {finite_difference['reason']}")
        if "eps" in finite_difference:
            lines.append(
                f"    ({finite_difference['dtype']}, precision {finite_difference['precision']}, "
                f"eps {finite_difference['eps']:g}, rtol {finite_difference['rtol']:g}, "
                f"atol {finite_difference['atol']:g}; leaves: {', '.join(finite_difference['leaves'])})"
            )
    if evidence.get("oracle"):
        lines.append(f"  oracle: {evidence['oracle']}")
    for note in evidence.get("notes", []):
        lines.append(f"  note: {note}")
    return "\n".join(lines)


def _run_line(run: dict[str, Any]) -> str:
    calls = run.get("autograd_calls", 0)
    counted = f"{calls} autograd call{'' if calls == 1 else 's'}"
    if run["status"] == "ok":
        return f"ran, {counted}"
    if run.get("error"):
        error = run["error"]
        kind = f" [{error['kind']}]" if error.get("kind") else ""
        line = f" (line {error['line']})" if error.get("line") else ""
        message = error["message"].strip().splitlines()[0] if error["message"].strip() else ""
        return f"{error['type']}: {message}{line}{kind}"
    return f"{run['status']}: {run.get('exit', '')}".rstrip(": ")


def _comparison_line(comparison: dict[str, Any]) -> str:
    name = comparison["name"]
    if comparison["kind"] == "structure":
        return f"{name:<28} differs  {comparison.get('detail', '')}"
    shown = f"{_value(comparison.get('original'))} | {_value(comparison.get('rewritten'))}"
    extra = ""
    if comparison["match"] != "bitwise" and comparison.get("max_abs_error") is not None:
        extra = f"  (max abs error {comparison['max_abs_error']:.3g}, max rel error {comparison['max_rel_error']:.3g})"
    elif comparison["match"] == "differs" and comparison.get("detail"):
        extra = f"  ({comparison['detail']})"
    return f"{name:<28} {comparison['match']:<8} {shown}{extra}"


def _value(summary: Any) -> str:
    if summary is None:
        return "none"
    if "values" not in summary:
        return f"<{summary.get('dtype', '?')} {summary.get('shape', '?')}>"
    values = summary["values"]
    if not isinstance(values, list):
        return _number(values)
    flat = _flatten(values)
    shown = ", ".join(_number(value) for value in flat[:MAX_SHOWN_VALUES])
    return f"[{shown}{', ...' if len(flat) > MAX_SHOWN_VALUES else ''}]"


def _flatten(values: list[Any]) -> list[Any]:
    flat: list[Any] = []
    for value in values:
        flat.extend(_flatten(value) if isinstance(value, list) else [value])
    return flat


def _number(value: Any) -> str:
    return f"{value:.6g}" if isinstance(value, float) else str(value)
