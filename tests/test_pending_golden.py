"""golden/pending/: changes made between a forward and its backward (IPF009).

Each case's header says what torch 2.13 does with it (`# torch 2.13: raises` or `# torch 2.13:
runs`); this test runs every case under torch to keep the headers true, runs the unsafe
reordering fixes to show that they run, and checks that every case outside `negative/` gets an
IPF009 finding. All programs run in one child python (torch is imported once)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from inplace_fixer import Config, check_source

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "pending"
CASES = sorted(p for p in GOLDEN.rglob("*.py") if ".expected" not in p.name)
FIXED = sorted(GOLDEN.rglob("*.unsafe.expected.py"))
HEADER = re.compile(r"# torch 2\.13: (raises|runs)")

RUNNER = r"""
import json, runpy, sys, warnings
warnings.simplefilter("ignore")
outcome = {}
for path in sys.argv[1:]:
    try:
        runpy.run_path(path, run_name="__main__")
        outcome[path] = "runs"
    except Exception as error:  # the case's own error is the point
        outcome[path] = "raises: " + type(error).__name__ + ": " + str(error)[:200]
json.dump(outcome, sys.stdout)
"""


@pytest.fixture(scope="module")
def outcomes() -> dict[str, str]:
    pytest.importorskip("torch")
    paths = [str(p) for p in (*CASES, *FIXED)]
    done = subprocess.run([sys.executable, "-c", RUNNER, *paths], capture_output=True, text=True, timeout=600, check=True)
    return json.loads(done.stdout)


def test_the_corpus_covers_every_shape() -> None:
    positives = [p for p in CASES if "negative" not in p.parts]
    assert len(positives) >= 10 and len(CASES) - len(positives) >= 8


@pytest.mark.parametrize("case", CASES, ids=[str(p.relative_to(GOLDEN)) for p in CASES])
def test_header_says_what_torch_does(case: Path, outcomes: dict[str, str]) -> None:
    header = HEADER.search(case.read_text())
    assert header is not None, "the header must say `# torch 2.13: raises` or `# torch 2.13: runs`"
    outcome = outcomes[str(case)]
    if header.group(1) == "raises":
        assert outcome.startswith("raises: RuntimeError") and "modified by an inplace operation" in outcome, outcome
    else:
        assert outcome == "runs", outcome


@pytest.mark.parametrize("fixed", FIXED, ids=[str(p.relative_to(GOLDEN)) for p in FIXED])
def test_the_reordering_fix_runs(fixed: Path, outcomes: dict[str, str]) -> None:
    assert outcomes[str(fixed)] == "runs"


@pytest.mark.parametrize("case", CASES, ids=[str(p.relative_to(GOLDEN)) for p in CASES])
def test_ipf009_reports_exactly_the_broken_cases(case: Path) -> None:
    findings = check_source(case.read_text(), str(case), Config(), fix=False).findings
    ipf009 = [f for f in findings if f.code == "IPF009"]
    raises = HEADER.search(case.read_text()).group(1) == "raises"
    silent = "fused optimizer" in case.read_text().splitlines()[0]
    if silent:
        # Runs, with wrong gradients: the finding is the only warning a user gets.
        assert ipf009 and all(f.category == "silent-wrong-gradient" for f in ipf009)
    elif "negative" in case.parts or not raises:
        assert ipf009 == []
    else:
        assert ipf009 and all(f.category == "breaks-backward" for f in ipf009)


def test_no_rule_calls_a_change_inside_allow_mutation_on_saved_tensors_breaking() -> None:
    case = GOLDEN / "saved_result_changed_under_allow_mutation.py"
    (finding,) = check_source(case.read_text(), str(case), Config(), fix=False).findings
    assert (finding.code, finding.category) == ("IPF002", "in-gradient-path")
    assert "allow_mutation_on_saved_tensors" in finding.reason


def test_data_edits_are_ipf007s_business() -> None:
    case = GOLDEN.parent / "data_mutation" / "clip_data_before_backward.py"
    codes = {f.code for f in check_source(case.read_text(), str(case), Config(), fix=False).findings}
    assert codes == {"IPF007"}
