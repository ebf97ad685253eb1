"""A verifier that never says `different` proves nothing: deliberately wrong rewrites of golden
cases (test-only corruptions of the good rewritten files) must each be reported as different."""

from __future__ import annotations

import pytest

from inplace_fixer.verify import Verdict, VerifierPool, VerifyResult
from inplace_fixer.verify.corpus import GOLDEN_ROOT, load_case

# (golden case, text in its good rewrite, corrupted text, what the corruption does)
CORRUPTIONS = [
    ("article/example1_augmented_assignment", "y = y * 3", "y = y * 2", "changes a constant"),
    ("fixed/saved_result_sigmoid_mul_", "y = y.mul(2)", "y = y.mul(2.5)", "changes a constant"),
    ("fixed/saved_result_exp_iadd", "y = y + 1", "y = y", "drops a term"),
    ("fixed/saved_result_softmax_div_", "p = p.div(temperature)", "p = p.div(temperature + 1)", "adds a term"),
    ("fixed/saved_result_relu_add_", "y = y.add(1.0)", "y = y.detach().add(1.0)", "detaches: x loses its gradient"),
    ("fixed/view_of_leaf_slice_add_", "x[0:2].add(1.0), 0, 0, 2)", "x[0:2].add(1.0), 0, 1, 3)", "writes the wrong slice"),
    ("fixed/multi_output_for_row", "row.mul(2)", "row.add(2)", "uses the wrong operation"),
    ("fixed/inplace_flag_module_relu", "nn.ReLU()", "nn.Tanh()", "swaps the activation"),
    ("fixed/leaf_iadd", "bias = bias + 1.0", "bias = bias + 1.5", "changes a constant on a leaf"),
    (
        "fixed/saved_result_tanh_sub_",
        "y = y.sub(0.5)",
        "y = y.sub(0.5) + (y - y.detach())",
        "same values, doubled gradient: only the finite-difference check can see it",
    ),
    ("equivalent/training_loop_clamp_", "min=-1.0, max=1.0)", "min=-1.0, max=0.1)", "changes a clamp bound"),
    ("equivalent/residual_iadd_in_forward", "out = out + x", "out = out - x", "flips a sign"),
    ("equivalent/setitem_on_scaled", "h[0] = 0.0", "h[1] = 0.0", "assigns the wrong index"),
    (
        "equivalent/linear_then_imul",
        "out = out * 0.5",
        "out = out * 0.5 + (out - out.detach())",
        "same values, different gradients",
    ),
]


def _corrupt(name: str, good: str, bad: str) -> tuple[str, str]:
    case = load_case(GOLDEN_ROOT / f"{name}.py")
    assert case.rewritten.count(good) == 1, f"{name}: the good rewrite no longer contains {good!r} once"
    return case.original, case.rewritten.replace(good, bad)


@pytest.fixture(scope="module")
def verdicts() -> list[VerifyResult]:
    pairs = [_corrupt(name, good, bad) for name, good, bad, _ in CORRUPTIONS]
    with VerifierPool(workers=2) as pool:
        return pool.verify_many(pairs, timeout=5.0)


@pytest.mark.parametrize("index", range(len(CORRUPTIONS)), ids=[f"{c[0]}: {c[3]}" for c in CORRUPTIONS])
def test_corrupted_rewrite_is_different(index: int, verdicts: list[VerifyResult]) -> None:
    result = verdicts[index]
    assert result.verdict is Verdict.DIFFERENT, f"{result.verdict.value}: {result.reason}"
    assert result.reason


def test_value_differences_name_the_tensor_and_its_error(verdicts: list[VerifyResult]) -> None:
    result = verdicts[0]  # y * 2 instead of y * 3: the loss is 8 instead of 12
    difference = result.first_difference
    assert difference["name"] == "loss[0]"
    assert difference["original"]["values"] == 12.0
    assert difference["rewritten"]["values"] == 8.0
    assert difference["max_abs_error"] == pytest.approx(4.0)
    assert difference["max_rel_error"] == pytest.approx(1 / 3)


def test_gradient_only_corruption_is_caught_by_the_exact_oracle(verdicts: list[VerifyResult]) -> None:
    # The original fails inside backward(), so its gradients come from the re-run with saved
    # tensors cloned: the doubled gradient differs from them element by element.
    index = next(i for i, c in enumerate(CORRUPTIONS) if c[0] == "fixed/saved_result_tanh_sub_")
    result = verdicts[index]
    assert result.evidence["oracle"] == "saved-tensor clone reference"
    assert result.first_difference["name"].startswith("grad[0]")
    assert result.first_difference["max_rel_error"] == pytest.approx(1.0)  # doubled: |2g - g| / |g|


def test_gradient_only_corruption_at_the_in_place_line_is_caught_by_finite_differences() -> None:
    # A leaf error is raised at the in-place line: no backward to re-run, finite differences stay.
    original, rewritten = _corrupt("fixed/leaf_iadd", "bias = bias + 1.0", "bias = bias + 1.0 + (bias - bias.detach())")
    with VerifierPool(workers=1) as pool:
        result = pool.verify(original, rewritten, timeout=5.0)
    assert result.verdict is Verdict.DIFFERENT, result.reason
    assert result.evidence["oracle"] == "finite differences"
    check = result.finite_difference
    assert check["status"] == "disagrees"
    assert check["abs_error"] > check["tolerance"]


def test_detached_leaf_is_reported_as_a_lost_gradient(verdicts: list[VerifyResult]) -> None:
    index = next(i for i, c in enumerate(CORRUPTIONS) if c[0] == "fixed/saved_result_relu_add_")
    structure = verdicts[index].evidence["structure"]
    # The clone reference really computes x's gradient (the old path could only say "would get").
    assert verdicts[index].evidence["oracle"] == "saved-tensor clone reference"
    assert any("`x` gets a gradient only in the original" in entry["detail"] for entry in structure)
