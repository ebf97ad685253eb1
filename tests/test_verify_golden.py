"""Every runnable golden case under golden/verify/ gets its expected verdict, under real torch."""

from __future__ import annotations

import pytest

from inplace_fixer.verify import Verdict, VerifierPool, VerifyResult
from inplace_fixer.verify.corpus import RunnableCase, load_cases

CASES = load_cases()
# Golden programs are tiny; a short limit keeps the deliberate endless loop cheap.
TIMEOUT = 3.0


@pytest.fixture(scope="module")
def verdicts() -> dict[str, VerifyResult]:
    with VerifierPool(workers=2) as pool:
        results = pool.verify_many([(case.original, case.rewritten) for case in CASES], timeout=TIMEOUT)
    return {case.name: result for case, result in zip(CASES, results)}


def _explain(result: VerifyResult) -> str:
    return (
        f"{result.verdict.value}: {result.reason}\n"
        f"original error: {result.original_error}\nrewritten error: {result.rewritten_error}\n"
        f"first difference: {result.first_difference}\nfinite difference: {result.finite_difference}"
    )


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_golden_case_gets_its_expected_verdict(case: RunnableCase, verdicts: dict[str, VerifyResult]) -> None:
    result = verdicts[case.name]
    assert result.verdict is case.expected, _explain(result)


def test_corpus_has_the_required_cases() -> None:
    expected = [case.expected for case in CASES]
    assert expected.count(Verdict.FIXED) >= 30
    assert expected.count(Verdict.EQUIVALENT) >= 10
    assert all(case.rewritten != case.original for case in CASES if case.expected is Verdict.FIXED)


def _gradient_values(result: VerifyResult, leaf: str) -> tuple[list[float], list[float]]:
    (entry,) = [gradient for gradient in result.gradients if gradient["leaf"] == leaf]
    return entry["original"]["values"], entry["rewritten"]["values"]


@pytest.mark.parametrize("name", ["article/example1_augmented_assignment", "article/example2_out_of_place"])
def test_article_examples_1_and_2_give_gradient_6_both_ways(name: str, verdicts: dict[str, VerifyResult]) -> None:
    result = verdicts[name]
    assert result.verdict is Verdict.EQUIVALENT, _explain(result)
    assert _gradient_values(result, "x") == ([6.0], [6.0])
    assert result.gradients[0]["match"] == "bitwise"


def test_article_example_3_original_raises_the_leaf_error(verdicts: dict[str, VerifyResult]) -> None:
    result = verdicts["article/example3_custom_layer_leaf"]
    assert result.verdict is Verdict.FIXED, _explain(result)
    error = result.evidence["original"]["error"]
    assert error["kind"] == "leaf-modified"
    assert error["message"] == "a leaf Variable that requires grad is being used in an in-place operation."
    assert result.finite_difference["status"] == "agrees"
    assert set(result.finite_difference["leaves"]) == {"x", "layer.weight"}


def test_fixed_verdicts_rest_on_the_exact_oracle_or_an_agreeing_finite_difference_check(
    verdicts: dict[str, VerifyResult],
) -> None:
    for case in CASES:
        result = verdicts[case.name]
        if result.verdict is not Verdict.FIXED:
            continue
        if result.evidence["oracle"] == "saved-tensor clone reference":
            # failed inside backward(): every gradient the reference computed matched the rewrite's
            assert result.evidence["gradients"], case.name
            assert all(g["match"] in ("bitwise", "close") for g in result.evidence["gradients"])
            assert result.finite_difference is None
        else:
            assert result.evidence["oracle"] == "finite differences", case.name
            check = result.finite_difference
            assert check["status"] == "agrees", (case.name, check)
            assert check["abs_error"] <= check["tolerance"]
            # float64 unless the program itself pins a coarser dtype
            assert check["precision"] == "float64" or check["dtype"] == "the program's own dtypes"


def test_programs_that_break_in_float64_are_checked_in_their_own_dtypes(verdicts: dict[str, VerifyResult]) -> None:
    # explicit_float32_leaves fails inside backward() and is now checked by the exact oracle;
    # its leaf-error twin still goes to finite differences.
    assert verdicts["fixed/explicit_float32_leaves"].evidence["oracle"] == "saved-tensor clone reference"
    check = verdicts["fixed/explicit_float32_leaf_error"].finite_difference
    assert (check["status"], check["dtype"], check["precision"]) == ("agrees", "the program's own dtypes", "float32")
    assert check["eps"] == 1e-2


def test_failures_inside_backward_are_checked_against_the_saved_clone_reference(verdicts: dict[str, VerifyResult]) -> None:
    # A ResNet-style block (`out += residual` after relu) and a three-step training loop: the
    # reference is the original re-run with saved tensors cloned, compared loss by loss and
    # gradient by gradient (finite differences of a whole training run are not its gradient).
    for name in ("fixed/resnet_block_residual_iadd", "fixed/training_loop_three_steps"):
        result = verdicts[name]
        assert result.verdict is Verdict.FIXED, _explain(result)
        assert result.evidence["oracle"] == "saved-tensor clone reference"
    loop = verdicts["fixed/training_loop_three_steps"]
    assert len(loop.evidence["losses"]) == 3 and all(g["match"] == "bitwise" for g in loop.evidence["gradients"])


def test_a_leaf_error_after_completed_backward_calls_compares_them_call_by_call(verdicts: dict[str, VerifyResult]) -> None:
    result = verdicts["fixed/leaf_error_after_two_backward_calls"]
    assert result.verdict is Verdict.FIXED, _explain(result)
    assert result.evidence["oracle"] == "finite differences"
    assert "agrees on the 2 backward calls the original completed" in result.reason
