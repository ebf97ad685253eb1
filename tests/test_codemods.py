"""The LibCST codemod commands: thin wrappers over ``check_source``, tested on golden cases.

Expected outputs are the golden files (golden/README.md): a command must produce exactly what the
library produces for the same configuration, plus one warning per finding it leaves in the file.
The last tests run ``python -m libcst.tool codemod`` for real on a temporary copy of some cases.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from libcst.codemod import CodemodContext, CodemodTest

from codemods.inplace import FixInplace, FixInplaceSelect, FixInplaceUnsafe
from inplace_fixer import Config, check_source

REPO_ROOT = Path(__file__).resolve().parent.parent
GOLDEN_DIR = REPO_ROOT / "golden"


def golden_input(case: str) -> str:
    return (GOLDEN_DIR / case).read_text(encoding="utf-8")


def expected_path(case: str, *, unsafe: bool) -> Path:
    """The golden output for ``case``; a missing file means "same as the level below"."""
    path = GOLDEN_DIR / case
    stem = path.name.removesuffix(".py")
    candidates = [path.with_name(stem + ".expected.py"), path]
    if unsafe:
        candidates.insert(0, path.with_name(stem + ".unsafe.expected.py"))
    return next(candidate for candidate in candidates if candidate.exists())


def golden_expected(case: str, *, unsafe: bool = False) -> str:
    return expected_path(case, unsafe=unsafe).read_text(encoding="utf-8")


class FixInplaceTest(CodemodTest):
    TRANSFORM = FixInplace

    def test_safe_fix_rewrites_like_the_golden_file(self) -> None:
        case = "article/example1.py"
        self.assertNotEqual(golden_input(case), golden_expected(case))
        self.assertCodemod(golden_input(case), golden_expected(case), expected_warnings=[])

    def test_file_without_findings_is_skipped_unchanged(self) -> None:
        case = "negative/already_out_of_place.py"
        self.assertCodemod(golden_input(case), golden_input(case), expected_skip=True, expected_warnings=[])

    def test_unsafe_fix_is_left_with_a_warning_naming_its_reason(self) -> None:
        case = "article/example3.py"
        context = CodemodContext(filename=case)
        self.assertCodemod(golden_input(case), golden_input(case), context_override=context, expected_skip=True)
        [finding] = check_source(golden_input(case), case, Config()).findings
        [warning] = context.warnings
        self.assertTrue(warning.startswith(f"{finding.start.line}:{finding.start.col} {finding.code} "))
        self.assertIn(f"unsafe fix not applied: {finding.fix.reason}", warning)

    def test_display_only_finding_is_reported_with_its_reason(self) -> None:
        case = "unsafe/container_element_chunk.py"
        context = CodemodContext(filename=case)
        self.assertCodemod(golden_input(case), golden_input(case), context_override=context, expected_skip=True)
        [finding] = check_source(golden_input(case), case, Config()).findings
        self.assertEqual(len(context.warnings), 1)
        self.assertIn(f"not fixed: {finding.fix.reason}", context.warnings[0])

    def test_report_only_finding_is_reported(self) -> None:
        case = "data_mutation/exp_data_add_wrong_grad.py"
        context = CodemodContext(filename=case)
        self.assertCodemod(golden_input(case), golden_input(case), context_override=context, expected_skip=True)
        self.assertEqual(len(context.warnings), 1)
        self.assertIn("IPF007", context.warnings[0])
        self.assertIn("report only", context.warnings[0])

    def test_source_python_cannot_compile_is_skipped_with_the_cause(self) -> None:
        # LibCST parses string literals without decoding them; Python rejects the escape.
        source = 'name = "\\N{NOT A CHARACTER NAME}"\n'
        context = CodemodContext(filename="bad_escape.py")
        self.assertCodemod(source, source, context_override=context, expected_skip=True)
        [warning] = context.warnings
        self.assertTrue(warning.startswith("not checked: cannot parse:"))
        self.assertIn("unknown Unicode character name", warning)


class FixInplaceUnsafeTest(CodemodTest):
    TRANSFORM = FixInplaceUnsafe

    def test_unsafe_fix_is_applied(self) -> None:
        case = "article/example3.py"
        self.assertNotEqual(golden_input(case), golden_expected(case, unsafe=True))
        self.assertCodemod(golden_input(case), golden_expected(case, unsafe=True), expected_warnings=[])

    def test_display_only_finding_stays_even_with_unsafe_fixes(self) -> None:
        case = "unsafe/container_element_chunk.py"
        context = CodemodContext(filename=case)
        self.assertCodemod(golden_input(case), golden_input(case), context_override=context, expected_skip=True)
        self.assertEqual(len(context.warnings), 1)

    def test_safe_fixes_are_applied_too(self) -> None:
        case = "article/example1.py"
        self.assertCodemod(golden_input(case), golden_expected(case, unsafe=True))


class FixInplaceSelectTest(CodemodTest):
    TRANSFORM = FixInplaceSelect
    # Two safe fixes of different rules: IPF001 (augmented assignment) and IPF002 (method).
    CASE = "format/comments_kept.py"

    def test_every_rule_by_default(self) -> None:
        self.assertCodemod(golden_input(self.CASE), golden_expected(self.CASE))

    def test_only_the_selected_rule_is_fixed(self) -> None:
        source = golden_input(self.CASE)
        full = check_source(source, self.CASE, Config())
        self.assertEqual({finding.code for finding in full.fixed}, {"IPF001", "IPF002"})
        selected = check_source(source, self.CASE, Config(select=("IPF001",)))
        self.assertNotIn(selected.fixed_source, (source, full.fixed_source))
        self.assertCodemod(source, selected.fixed_source, select=("IPF001",), expected_warnings=[])

    def test_ignored_rule_is_not_fixed(self) -> None:
        source = golden_input(self.CASE)
        without_methods = check_source(source, self.CASE, Config(ignore=("IPF002",)))
        self.assertCodemod(source, without_methods.fixed_source, ignore=("IPF002",))
        self.assertCodemod(
            source,
            check_source(source, self.CASE, Config(select=("IPF001",))).fixed_source,
            ignore=("IPF002",),
        )

    def test_command_line_arguments(self) -> None:
        parser = argparse.ArgumentParser()
        FixInplaceSelect.add_args(parser)
        args = parser.parse_args(["--select", "ipf001, IPF002", "--unsafe-fixes"])
        self.assertEqual(args.select, ("IPF001", "IPF002"))
        self.assertTrue(args.unsafe_fixes)

    def test_unknown_rule_code_is_refused_before_any_file(self) -> None:
        parser = argparse.ArgumentParser(exit_on_error=False)
        FixInplaceSelect.add_args(parser)
        with self.assertRaisesRegex(argparse.ArgumentError, "unknown rule code.*'IPF9'"):
            parser.parse_args(["--select", "IPF9"])


# Cases copied for the command-line runs: a safe rewrite, one left alone with a warning, one without
# findings, and two whose bytes (BOM, CRLF, latin-1 cookie) must survive the runner's own write.
CLI_CASES = (
    "article/example1.py",
    "article/example3.py",
    "negative/already_out_of_place.py",
    "format/crlf_with_bom_index_assign.py",
    "format/latin1_coding_cookie.py",
)


def run_libcst_tool(command: str, directory: Path, *extra: str) -> subprocess.CompletedProcess:
    # From the repository root, so that .libcst.codemod.yaml resolves ``inplace.<Command>``.
    return subprocess.run(
        [sys.executable, "-m", "libcst.tool", "codemod", "--no-format", "--hide-progress", command, str(directory), *extra],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def copy_cases(target: Path) -> dict[str, Path]:
    copies = {}
    for case in CLI_CASES:
        copy = target / case.replace("/", "__")
        shutil.copyfile(GOLDEN_DIR / case, copy)
        copies[case] = copy
    return copies


@pytest.mark.parametrize("command, unsafe", [("inplace.FixInplace", False), ("inplace.FixInplaceUnsafe", True)])
def test_libcst_tool_rewrites_a_copy_of_golden_cases(tmp_path: Path, command: str, unsafe: bool) -> None:
    copies = copy_cases(tmp_path)
    completed = run_libcst_tool(command, tmp_path)
    assert completed.returncode == 0, completed.stderr
    for case, copy in copies.items():
        assert copy.read_bytes() == expected_path(case, unsafe=unsafe).read_bytes(), case
    changed = sum(expected_path(case, unsafe=unsafe) != GOLDEN_DIR / case for case in CLI_CASES)
    assert f"Transformed {changed} files successfully" in completed.stderr
    assert "Failed to codemod 0 files" in completed.stderr
    unsafe_warning = "unsafe fix not applied"
    assert (unsafe_warning in completed.stderr) is not unsafe


def test_libcst_tool_rejects_an_unknown_rule_code(tmp_path: Path) -> None:
    copies = copy_cases(tmp_path)
    completed = run_libcst_tool("inplace.FixInplaceSelect", tmp_path, "--select", "IPF9")
    assert completed.returncode == 2
    assert re.search(r"--select: .*unknown rule code.*'IPF9'", completed.stderr), completed.stderr
    assert all(copy.read_bytes() == (GOLDEN_DIR / case).read_bytes() for case, copy in copies.items())
