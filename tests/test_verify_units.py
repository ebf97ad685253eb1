"""The verifier's pure parts: error recognition, tensor comparison, the record wire format."""

from __future__ import annotations

import math
import pickle
from pathlib import Path

import pytest
import torch

from inplace_fixer.verify.compare import compare_values
from inplace_fixer.verify.corpus import CaseError, load_case
from inplace_fixer.verify.errors import classify_in_place_error
from inplace_fixer.verify.report import render_text
from inplace_fixer.verify.result import Verdict, VerifyResult
from inplace_fixer.verify.wire import decode, encode


def _raise(program) -> BaseException:  # noqa: ANN001 - a callable that must raise
    with pytest.raises(BaseException) as caught:
        program()
    return caught.value


def _saved_result() -> None:
    y = torch.randn(3, requires_grad=True).sigmoid()
    y.mul_(2)
    y.sum().backward()


def _leaf() -> None:
    torch.ones(3, requires_grad=True).add_(1)


def _view_of_leaf() -> None:
    x = torch.ones(3, requires_grad=True)
    x[0] = 0


def _unbind() -> None:
    first, _ = (torch.ones(2, 3, requires_grad=True) * 1).unbind(0)
    first.mul_(2)


def _chunk() -> None:
    first, _ = (torch.ones(4, requires_grad=True) * 1).chunk(2)
    first.mul_(2)


def _out_argument() -> None:
    torch.exp(torch.ones(3, requires_grad=True), out=torch.empty(3))


def _acosh_() -> None:
    h = torch.ones(3, requires_grad=True) + 1
    h.acosh_()
    h.sum().backward()


def _inference() -> None:
    with torch.inference_mode():
        t = torch.ones(3)
    t.mul_(2)


@pytest.mark.parametrize(
    ("program", "kind"),
    [
        (_saved_result, "saved-tensor-modified"),
        (_leaf, "leaf-modified"),
        (_view_of_leaf, "view-of-leaf-modified"),
        (_unbind, "multi-output-view-modified"),
        (_chunk, "multi-output-view-modified"),
        (_out_argument, "out-argument-with-grad"),
        (_acosh_, "in-place-derivative-missing"),
        (_inference, "inference-tensor-updated"),
    ],
)
def test_the_errors_torch_raises_are_recognised(program, kind: str) -> None:  # noqa: ANN001
    error = _raise(program)
    assert classify_in_place_error(type(error).__name__, str(error)) == kind


def test_other_errors_are_not_in_place_errors() -> None:
    error = _raise(lambda: torch.ones(2, 3) @ torch.ones(4, 5))
    assert classify_in_place_error(type(error).__name__, str(error)) is None
    assert classify_in_place_error("ValueError", "a leaf Variable that requires grad is being used in an in-place operation.") is None


def test_equal_tensors_match_bitwise_including_nan() -> None:
    value = torch.tensor([1.0, math.nan, 3.0])
    assert compare_values("v", "global", value, value.clone()).match == "bitwise"


def test_last_bit_differences_are_close_not_bitwise() -> None:
    value = torch.tensor([1.0, 2.0, 3.0])
    nudged = torch.nextafter(value, torch.tensor(math.inf))
    comparison = compare_values("v", "gradient", value, nudged)
    assert comparison.match == "close"
    assert comparison.max_abs_error == pytest.approx(2.384185791015625e-07)


def test_real_differences_report_max_abs_and_rel_error() -> None:
    comparison = compare_values("loss[0]", "loss", torch.tensor([2.0, 4.0]), torch.tensor([2.0, 5.0]))
    assert comparison.match == "differs"
    assert comparison.max_abs_error == 1.0
    assert comparison.max_rel_error == 0.25
    assert comparison.original == {"shape": [2], "dtype": "float32", "values": [2.0, 4.0]}


def test_shape_and_dtype_changes_differ() -> None:
    assert "shape [3] became [2, 3]" in compare_values("x", "global", torch.ones(3), torch.ones(2, 3)).detail
    changed = compare_values("x", "global", torch.ones(3), torch.ones(3, dtype=torch.float64))
    assert changed.match == "differs" and "float64" in changed.detail


def test_a_missing_gradient_differs() -> None:
    assert compare_values("g", "gradient", None, torch.ones(1)).match == "differs"
    assert compare_values("g", "gradient", None, None).match == "bitwise"


def test_records_round_trip_through_the_wire_format() -> None:
    record = {
        "status": "ok",
        "calls": [{"values": [torch.tensor(1.5)], "gradients": [torch.arange(6.0).reshape(2, 3), None]}],
        "flags": torch.tensor([True, False]),
        "empty": torch.empty(0, 2, dtype=torch.float64),
    }
    decoded = decode(encode(record))
    assert torch.equal(decoded["calls"][0]["gradients"][0], record["calls"][0]["gradients"][0])
    assert decoded["calls"][0]["values"][0].item() == 1.5
    assert decoded["flags"].dtype == torch.bool and decoded["flags"].tolist() == [True, False]
    assert decoded["empty"].shape == (0, 2) and decoded["empty"].dtype == torch.float64


def test_the_wire_format_refuses_objects() -> None:
    with pytest.raises(pickle.UnpicklingError):
        decode(pickle.dumps(Path("/etc/passwd")))


def test_json_is_strict_even_for_non_finite_values() -> None:
    result = VerifyResult(Verdict.DIFFERENT, "nan loss", {"first_difference": {"max_abs_error": math.inf}})
    assert result.to_json()["evidence"]["first_difference"]["max_abs_error"] == "inf"


def test_a_case_without_an_expected_verdict_is_rejected(tmp_path: Path) -> None:
    case = tmp_path / "case.py"
    case.write_text("import torch\n")
    with pytest.raises(CaseError, match="no '# expected-verdict: <verdict>' header line"):
        load_case(case, tmp_path)
    case.write_text("# expected-verdict: maybe\n")
    with pytest.raises(CaseError, match="unknown verdict 'maybe'"):
        load_case(case, tmp_path)


def test_text_report_leads_with_the_verdict_and_the_first_difference() -> None:
    result = VerifyResult(
        Verdict.DIFFERENT,
        "loss[0]: max abs error 4",
        {
            "original": {"status": "ok", "autograd_calls": 1},
            "rewritten": {"status": "ok", "autograd_calls": 1},
            "first_difference": {"name": "loss[0]", "detail": "max abs error 4, max rel error 0.333"},
            "losses": [
                {
                    "name": "loss[0]", "kind": "loss", "match": "differs", "max_abs_error": 4.0, "max_rel_error": 1 / 3,
                    "original": {"shape": [], "dtype": "float32", "values": 12.0},
                    "rewritten": {"shape": [], "dtype": "float32", "values": 8.0},
                }
            ],
        },
    )
    lines = render_text(result, "snippet.py").splitlines()
    assert lines[0] == "snippet.py: different"
    assert "  first difference: loss[0]: max abs error 4, max rel error 0.333" in lines
    assert any(line.startswith("  loss[0]") and "12 | 8" in line for line in lines)
