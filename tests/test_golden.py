"""Golden-file tests for the static rewriter (layout and workflow: golden/README.md).

A case is ``golden/<topic>/<name>.py``. Next to it, ``<name>.expected.py`` holds the output with the
safe fixes applied and ``<name>.unsafe.expected.py`` the output with unsafe fixes too; a missing file
means "same as the level below" (the unsafe output equals the safe one, the safe output equals the
input). Cases under a directory named ``negative`` must produce no finding at all; every other case
must produce at least one, so a positive case cannot silently turn negative.

``pytest tests/test_golden.py --update-golden`` rewrites the expected files from the tool's output;
the diff is then reviewed like code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import libcst
import pytest

from inplace_fixer import Config, FileResult, check_source
from inplace_fixer.files import decode_source

GOLDEN_DIR = Path(__file__).resolve().parent.parent / "golden"
# golden/verify/ holds torch verification cases with their own test module, not rewriter cases.
VERIFY_DIR = GOLDEN_DIR / "verify"
SAFE_SUFFIX = ".expected.py"
UNSAFE_SUFFIX = ".unsafe.expected.py"
NEGATIVE_DIR_NAME = "negative"

SAFE = Config()
UNSAFE = Config(unsafe_fixes=True)


def _is_input(path: Path) -> bool:
    # ".unsafe.expected.py" also ends with ".expected.py".
    return not path.name.endswith(SAFE_SUFFIX) and VERIFY_DIR not in path.parents


def discover_cases() -> list[Path]:
    return sorted(path for path in GOLDEN_DIR.rglob("*.py") if _is_input(path))


def case_id(case: Path) -> str:
    return case.relative_to(GOLDEN_DIR).as_posix()


def is_negative(case: Path) -> bool:
    return NEGATIVE_DIR_NAME in case.relative_to(GOLDEN_DIR).parts[:-1]


def safe_expected_path(case: Path) -> Path:
    return case.with_name(case.name.removesuffix(".py") + SAFE_SUFFIX)


def unsafe_expected_path(case: Path) -> Path:
    return case.with_name(case.name.removesuffix(".py") + UNSAFE_SUFFIX)


@dataclass(frozen=True)
class Run:
    result: FileResult
    output: bytes  # the fixed source encoded back exactly as a file write would


def run_tool(raw: bytes, path: str, config: Config) -> Run:
    """Check ``raw`` through the same decode/encode boundary a file write uses, so the coding
    cookie, the BOM and the line endings reach the byte comparison exactly as they would on disk."""
    source = decode_source(raw)
    result = check_source(source.text, path=path, config=config)
    assert result.error is None, f"{path}: {result.error}"
    fixed = source.text if result.fixed_source is None else result.fixed_source
    return Run(result=result, output=source.encode(fixed))


class GoldenRunner:
    """Runs the tool once per (case, config) for all the tests of a session."""

    def __init__(self) -> None:
        self._runs: dict[tuple[Path, bool], Run] = {}

    def run(self, case: Path, config: Config) -> Run:
        key = (case, config.unsafe_fixes)
        if key not in self._runs:
            self._runs[key] = run_tool(case.read_bytes(), case_id(case), config)
        return self._runs[key]


@pytest.fixture(scope="session")
def runner() -> GoldenRunner:
    return GoldenRunner()


def _sync_expected(expected: Path, output: bytes, baseline: bytes) -> None:
    """Write ``expected`` when the output differs from what its absence would mean, else delete it."""
    if output == baseline:
        expected.unlink(missing_ok=True)
    else:
        expected.write_bytes(output)


def update_case(case: Path, runner: GoldenRunner) -> None:
    """Rewrite both expected files of ``case``; each test calls it so any subset of tests works."""
    if is_negative(case):
        # A negative case's golden output is the input itself: a change is a failure to report,
        # never something to record.
        safe_expected_path(case).unlink(missing_ok=True)
        unsafe_expected_path(case).unlink(missing_ok=True)
        return
    safe_output = runner.run(case, SAFE).output
    _sync_expected(safe_expected_path(case), safe_output, baseline=case.read_bytes())
    _sync_expected(unsafe_expected_path(case), runner.run(case, UNSAFE).output, baseline=safe_output)


def _describe(result: FileResult) -> str:
    return "\n".join(
        f"  {f.start.line}:{f.start.col} {f.code} {f.message}"
        f" [{'no fix' if f.fix is None else f.fix.applicability.value}]"
        for f in result.findings
    )


CASES = discover_cases()
CASE_IDS = [case_id(case) for case in CASES]
NEGATIVE_CASES = [case for case in CASES if is_negative(case)]


def test_corpus_has_the_minimum_case_counts() -> None:
    positives = len(CASES) - len(NEGATIVE_CASES)
    assert positives >= 80 and len(NEGATIVE_CASES) >= 40, (positives, len(NEGATIVE_CASES))


def _input_name(expected_name: str) -> str:
    return expected_name.removesuffix(UNSAFE_SUFFIX).removesuffix(SAFE_SUFFIX) + ".py"


def test_every_expected_file_has_an_input() -> None:
    expected_files = [
        path for path in GOLDEN_DIR.rglob(f"*{SAFE_SUFFIX}") if VERIFY_DIR not in path.parents
    ]
    orphans = [
        case_id(path)
        for path in expected_files
        if not path.with_name(_input_name(path.name)).exists()
    ]
    assert orphans == []


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_findings_match_case_kind(case: Path, runner: GoldenRunner) -> None:
    result = runner.run(case, SAFE).result
    if is_negative(case):
        assert result.findings == (), f"negative case has findings:\n{_describe(result)}"
    else:
        assert result.findings, "positive case produced no finding"


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_safe_fixes_match_golden(case: Path, runner: GoldenRunner, update_golden: bool) -> None:
    raw = case.read_bytes()
    run = runner.run(case, SAFE)
    expected = safe_expected_path(case)
    if update_golden:
        update_case(case, runner)
    want = expected.read_bytes() if expected.exists() else raw
    assert run.output == want, f"findings:\n{_describe(run.result)}"
    assert (run.output != raw) == bool(run.result.fixed), "output changed iff a fix was applied"


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_unsafe_fixes_match_golden(case: Path, runner: GoldenRunner, update_golden: bool) -> None:
    raw = case.read_bytes()
    run = runner.run(case, UNSAFE)
    expected = unsafe_expected_path(case)
    if update_golden:
        update_case(case, runner)
    safe_expected = safe_expected_path(case)
    baseline = safe_expected.read_bytes() if safe_expected.exists() else raw
    want = expected.read_bytes() if expected.exists() else baseline
    assert run.output == want, f"findings:\n{_describe(run.result)}"
    assert (run.output != raw) == bool(run.result.fixed), "output changed iff a fix was applied"


@pytest.mark.parametrize("config", [SAFE, UNSAFE], ids=["safe", "unsafe"])
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_output_parses_and_is_idempotent(case: Path, config: Config, runner: GoldenRunner) -> None:
    first = runner.run(case, config)
    libcst.parse_module(first.output)  # raises ParserSyntaxError when a fix broke the syntax
    second = run_tool(first.output, case_id(case), config)
    assert second.output == first.output, "a second run changed the fixed output"


@pytest.mark.parametrize("config", [SAFE, UNSAFE], ids=["safe", "unsafe"])
@pytest.mark.parametrize("case", NEGATIVE_CASES, ids=[case_id(case) for case in NEGATIVE_CASES])
def test_negative_case_is_untouched_byte_for_byte(case: Path, config: Config, runner: GoldenRunner) -> None:
    run = runner.run(case, config)
    assert run.result.fixed_source in (None, run.result.source)
    assert run.output == case.read_bytes()
    assert not safe_expected_path(case).exists() and not unsafe_expected_path(case).exists()
