"""Run the corpus once, compare a predictor with torch, and describe the result."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from tests.agreement.corpus import Case, Corpus, build_corpus
from tests.agreement.modules import module_cases
from tests.agreement.runtime import Outcome, run_program

SHOWN_DISAGREEMENTS = 40


@dataclass
class Truth:
    corpus: Corpus
    module_cases: list[Case]
    outcomes: dict[str, Outcome]  # case id -> what torch did
    seconds: float  # building and running the corpus, for the printed report

    @property
    def usable(self) -> list[Case]:
        return [case for case in self.all_cases if self.outcomes[case.case_id].other_error is None]

    @property
    def all_cases(self) -> list[Case]:
        return self.corpus.cases + self.module_cases

    def excluded(self) -> Counter[str]:
        """Programs that failed for a reason unrelated to in-place ops, by first line of error."""
        return Counter(
            outcome.other_error for outcome in self.outcomes.values() if outcome.other_error
        )


def gather_truth() -> Truth:
    start = time.perf_counter()
    corpus = build_corpus()
    modules = list(module_cases())
    outcomes = {case.case_id: run_program(case.source) for case in corpus.cases + modules}
    return Truth(corpus, modules, outcomes, time.perf_counter() - start)


@dataclass
class Agreement:
    label: str
    total: int
    agreed: int
    disagreements: list[tuple[Case, bool, bool]] = field(default_factory=list)
    seconds: float = 0.0  # predicting, for the printed report

    @property
    def rate(self) -> float:
        return self.agreed / self.total if self.total else 0.0

    def describe(self, truth: Truth) -> str:
        corpus = truth.corpus
        raised = sum(1 for case in truth.usable if truth.outcomes[case.case_id].raised)
        lines = [
            f"{self.label}: agreement {self.agreed}/{self.total} = {self.rate:.2%}",
            (
                f"  op programs generated: {len(corpus.cases)} from"
                f" {len(corpus.spellings_in_corpus)} spellings ({len(corpus.ops_in_corpus)} aten"
                f" ops) of {corpus.spellings_considered} differentiable spellings in the data"
            ),
            f"  module programs: {len(truth.module_cases)}",
            f"  torch raised on {raised} of {len(truth.usable)} usable programs",
            (
                f"  time: corpus built and run under torch in {truth.seconds:.1f} s,"
                f" predictions in {self.seconds:.1f} s"
            ),
            f"  spellings skipped ({sum(corpus.skipped.values())}): "
            + ", ".join(f"{reason}: {n}" for reason, n in corpus.skipped.most_common()),
        ]
        excluded = truth.excluded()
        if excluded:
            lines.append(
                f"  programs excluded ({sum(excluded.values())}): "
                + ", ".join(f"{why}: {n}" for why, n in excluded.most_common())
            )
        for case, predicted, actual in self.disagreements[:SHOWN_DISAGREEMENTS]:
            lines.append(
                f"  DISAGREE {case.case_id}: predicted"
                f" {'raise' if predicted else 'no raise'}, torch"
                f" {'raised' if actual else 'did not raise'}"
            )
        if len(self.disagreements) > SHOWN_DISAGREEMENTS:
            lines.append(f"  ... and {len(self.disagreements) - SHOWN_DISAGREEMENTS} more")
        return "\n".join(lines)


def compare(label: str, truth: Truth, predict: Callable[[list[Case]], list[bool]]) -> Agreement:
    """Run ``predict`` over the usable cases and count where it matches torch."""
    cases = truth.usable
    start = time.perf_counter()
    predictions = predict(cases)
    agreement = Agreement(label, len(cases), 0, seconds=time.perf_counter() - start)
    for case, predicted in zip(cases, predictions, strict=True):
        actual = truth.outcomes[case.case_id].raised
        if predicted == actual:
            agreement.agreed += 1
        else:
            agreement.disagreements.append((case, predicted, actual))
    return agreement
