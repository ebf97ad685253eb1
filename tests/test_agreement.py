"""Issue 4's proof: the breaks-backward verdict agrees with what torch does, on a generated corpus.

The corpus (tests/agreement/) mutates one role of one call per program and runs backward; torch's
own errors are the truth. Two predictors are held to at least 98% agreement:

* the reference predictor reads only the saved-tensor data, given the call and role of each case:
  it validates the data file and ``saves_for_call``;
* the engine test asks the product's static analysis (``check_source`` and each finding's
  ``category``). It fails until the engine emits categories.

Run with ``pytest tests/test_agreement.py -s`` (or ``-rA``) to see counts and the rates.
"""

from __future__ import annotations

import pytest

from tests.agreement import reference_predictor
from tests.agreement.engine_predictor import predict_all
from tests.agreement.harness import Truth, compare, gather_truth

REQUIRED_AGREEMENT = 0.98


@pytest.fixture(scope="module")
def truth() -> Truth:
    return gather_truth()


def test_corpus_exercises_both_verdicts(truth: Truth) -> None:
    outcomes = [truth.outcomes[case.case_id].raised for case in truth.usable]
    print(
        f"\nagreement corpus: {len(truth.corpus.cases)} op programs,"
        f" {len(truth.module_cases)} module programs, {sum(outcomes)} raise"
    )
    assert len(truth.corpus.spellings_in_corpus) >= 300, "the corpus shrank: see its skip reasons"
    assert any(outcomes) and not all(outcomes)


def test_reference_predictor_agrees_with_torch(truth: Truth) -> None:
    agreement = compare(
        "reference predictor (data file only)",
        truth,
        lambda cases: [reference_predictor.predict(case) for case in cases],
    )
    report = agreement.describe(truth)
    print("\n" + report)
    rate = agreement.rate
    assert rate >= REQUIRED_AGREEMENT, report


def test_engine_categories_agree_with_torch(truth: Truth) -> None:
    """ENGINE AGREEMENT (issue 4, done-when): check_source's categories vs torch.

    Expected to fail until the engine sets ``Finding.category``; it then measures the product.
    """
    agreement = compare(
        "engine (check_source categories)",
        truth,
        lambda cases: predict_all([case.source for case in cases]),
    )
    report = agreement.describe(truth)
    print("\n" + report)
    rate = agreement.rate
    assert rate >= REQUIRED_AGREEMENT, report
