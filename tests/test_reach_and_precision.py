"""The whole-program cases: golden/reach/ (real bug shapes the analysis must follow through calls,
containers, branches and classes) and golden/precision/ (look-alikes that must not be reported).

Each reach case marks its culprit line with ``# expect IPFnnn``: that line must have a finding of
that rule. Each precision case says on its first line what must not be reported. And every case is
run under torch, so that what the comments claim stays what torch does: the reach cases raise
torch's in-place autograd error, the precision cases run to the end.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from inplace_fixer import Config, check_source
from inplace_fixer.model import BREAKS_BACKWARD

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
REACH = sorted(p for p in (GOLDEN / "reach").glob("*.py") if not p.name.endswith("expected.py"))
PRECISION = sorted(p for p in (GOLDEN / "precision").rglob("*.py") if not p.name.endswith("expected.py"))
EXPECT = re.compile(r"# expect (IPF\d{3})")
INPLACE_ERRORS = (
    "modified by an inplace operation",
    "a leaf Variable that requires grad is being used in an in-place operation",
    "is a view and is being modified inplace",
    "is a view of a leaf Variable that requires grad",
)


def _findings(path: Path):
    result = check_source(path.read_text(), str(path), Config())
    assert result.error is None, result.error
    return result.findings


@pytest.mark.parametrize("case", REACH, ids=lambda p: p.name)
def test_reach_case_flags_the_culprit_line(case: Path) -> None:
    expected = [
        (number, match.group(1))
        for number, line in enumerate(case.read_text().splitlines(), 1)
        if (match := EXPECT.search(line))
    ]
    assert expected, "a reach case names its culprit line"
    found = {(f.start.line, f.code) for f in _findings(case)}
    assert set(expected) <= found, f"expected {expected}, found {sorted(found)}"


def test_reach_cases_are_the_thirty_from_the_issue() -> None:
    assert len(REACH) >= 30


NO_BREAKS_BACKWARD = [p for p in PRECISION if "no breaks-backward" in p.read_text().splitlines()[0]]


@pytest.mark.parametrize("case", NO_BREAKS_BACKWARD, ids=lambda p: p.name)
def test_precision_case_is_not_breaks_backward(case: Path) -> None:
    findings = _findings(case)
    assert findings, "the writes are still in a gradient path"
    assert all(f.category != BREAKS_BACKWARD for f in findings)


def test_precision_data_writes_in_init_and_before_use_are_not_reported() -> None:
    findings = _findings(GOLDEN / "precision" / "negative" / "h_data_in_init.py")
    assert not [f for f in findings if f.code == "IPF007"]


_RUNNER = r"""
import os, runpy, sys, traceback
import torch
torch.set_num_threads(1)
for path in sys.argv[1:]:
    pid = os.fork()
    if pid == 0:
        os.close(1)
        os.open(os.devnull, os.O_WRONLY)
        try:
            runpy.run_path(path, run_name="__main__")
        except BaseException as error:
            sys.stderr.write(path + "\tRAISED\t" + " ".join(str(error).split())[:300] + "\n")
            os._exit(1)
        sys.stderr.write(path + "\tRAN\t\n")
        os._exit(0)
    os.waitpid(pid, 0)
"""


@pytest.fixture(scope="module")
def torch_outcomes() -> dict[str, tuple[str, str]]:
    pytest.importorskip("torch")
    completed = subprocess.run(
        [sys.executable, "-c", _RUNNER, *map(str, REACH + PRECISION)],
        capture_output=True, text=True, timeout=600,
    )
    outcomes = {}
    for line in completed.stderr.splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and parts[1] in ("RAN", "RAISED"):
            outcomes[parts[0]] = (parts[1], parts[2])
    return outcomes


@pytest.mark.parametrize("case", REACH, ids=lambda p: p.name)
def test_reach_case_raises_under_torch(case: Path, torch_outcomes) -> None:
    outcome, message = torch_outcomes[str(case)]
    assert outcome == "RAISED" and any(text in message for text in INPLACE_ERRORS), message


@pytest.mark.parametrize("case", PRECISION, ids=lambda p: p.name)
def test_precision_case_runs_under_torch(case: Path, torch_outcomes) -> None:
    outcome, message = torch_outcomes[str(case)]
    assert outcome == "RAN", message
