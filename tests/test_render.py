"""Rendering: text lines, JSON, SARIF checked against the official schema, and diffs that real
``git apply`` and ``patch -p1`` apply byte for byte."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from inplace_fixer import render
from inplace_fixer.engine import physical_lines
from inplace_fixer.model import Applicability, Edit, FileResult, Finding, Fix, Position

SCHEMA_PATH = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"


class AugmentedAssignment:
    """## What it does
    Finds augmented assignments to tensors, like `y *= 3`.

    ## Why is this bad?
    They change the tensor in place.
    """

    code = "IPF001"
    name = "augmented-assignment"
    summary = "Augmented assignment mutates a tensor in place"
    fixable = "always"


class DataMutation:
    """## What it does
    Finds mutations through `.data`.
    """

    code = "IPF007"
    name = "data-mutation"
    summary = "Mutation through .data hides the change from autograd"
    fixable = "never"


RULES = [AugmentedAssignment, DataMutation]


def finding(
    path: str, line: int, col: int, code: str = "IPF001", fix: Fix | None = None, **extra
) -> Finding:
    return Finding(
        path=path,
        start=Position(line, col),
        end=Position(line, col + 6),
        code=code,
        name="augmented-assignment" if code == "IPF001" else "data-mutation",
        message=f"message for {code}",
        fix=fix,
        **extra,
    )


SAFE = Fix(Applicability.SAFE, None, (Edit(Position(4, 1), Position(4, 7), "y = y * 3"),))
UNSAFE = Fix(
    Applicability.UNSAFE, "y may be aliased", (Edit(Position(2, 1), Position(2, 7), "y = y * 3"),)
)


def sample_results() -> list[FileResult]:
    fixed = finding("pkg/model.py", 4, 1, fix=SAFE)
    unsafe = finding("pkg/model.py", 2, 1, fix=UNSAFE, category="breaks-backward")
    report_only = finding("pkg/model.py", 9, 5, code="IPF007")
    return [
        FileResult(
            path="pkg/model.py",
            source="...",
            findings=(fixed, report_only, unsafe),
            fixed_source="fixed",
            fixed=(fixed,),
        ),
        FileResult(
            path="pkg/broken.py", source="", error="cannot parse: line 1: unexpected indent"
        ),
    ]


def test_text_lines_are_sorted_and_mark_what_apply_fixes() -> None:
    assert render.render_text(sample_results()) == (
        "pkg/model.py:2:1: IPF001 message for IPF001\n"
        "pkg/model.py:4:1: IPF001 message for IPF001 [*]\n"
        "pkg/model.py:9:5: IPF007 message for IPF007\n"
    )


def test_absolute_paths_inside_the_cwd_are_shown_relative(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert render.display_path(str(tmp_path / "src" / "a.py")) == "src/a.py"
    assert render.display_path("./src/../src/a.py") == "src/a.py"
    assert render.display_path("/elsewhere/a.py") == "/elsewhere/a.py"


def test_json_is_the_list_of_findings() -> None:
    results = sample_results()
    rendered = json.loads(render.render_json(results))
    expected = sorted(results[0].findings, key=lambda f: f.start.line)
    assert rendered == [f.to_json() for f in expected]


def test_errors_are_one_line_per_file() -> None:
    assert (
        render.render_errors(sample_results())
        == "pkg/broken.py: cannot parse: line 1: unexpected indent\n"
    )


@pytest.mark.parametrize(
    ("counts", "mode", "expected"),
    [
        (
            render.Counts(findings=3, fixed=2, unsafe_hidden=1, checked_files=1),
            "check",
            "Found 3 findings (2 fixable with --apply, 1 more with --unsafe-fixes).\n",
        ),
        (
            render.Counts(findings=1, unsafe_hidden=1, checked_files=1),
            "check",
            "Found 1 finding (1 fixable with --apply --unsafe-fixes).\n",
        ),
        (render.Counts(findings=2, checked_files=4), "check", "Found 2 findings.\n"),
        (
            render.Counts(findings=3, fixed=2, checked_files=1),
            "apply",
            "Found 3 findings (2 fixed, 1 remaining).\n",
        ),
        (
            render.Counts(findings=3, fixed=2, checked_files=1),
            "diff",
            "Would fix 2 of 3 findings (1 remaining).\n",
        ),
        (
            render.Counts(findings=1, fixed=1, checked_files=1),
            "diff",
            "Would fix 1 of 1 finding.\n",
        ),
        (render.Counts(checked_files=2), "check", "All checks passed.\n"),
        (
            render.Counts(findings=1, failed_files=2, checked_files=3),
            "check",
            "Found 1 finding. 2 files were not checked.\n",
        ),
        (render.Counts(failed_files=1, checked_files=1), "check", "1 file was not checked.\n"),
        (render.Counts(), "check", "No Python files found.\n"),
    ],
)
def test_summary(counts: render.Counts, mode: str, expected: str) -> None:
    assert render.summary(counts, mode) == expected


def test_counts_of_results() -> None:
    counts = render.Counts.of(sample_results(), unsafe_fixes=False)
    assert counts == render.Counts(
        findings=3, fixed=1, unsafe_hidden=1, failed_files=1, checked_files=2
    )
    assert render.Counts.of(sample_results(), unsafe_fixes=True).unsafe_hidden == 0


# ---------------------------------------------------------------------------------------------
# SARIF


def test_sarif_is_valid_against_the_official_schema() -> None:
    import jsonschema
    schema = json.loads(SCHEMA_PATH.read_text())
    log = json.loads(render.render_findings(sample_results(), "sarif", RULES))
    jsonschema.Draft4Validator(schema).validate(log)


def test_sarif_has_what_github_code_scanning_reads() -> None:
    log = render.sarif_log(sample_results(), RULES)
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "inplace-fixer"
    assert driver["informationUri"].startswith("https://")
    assert [rule["id"] for rule in driver["rules"]] == ["IPF001", "IPF007"]
    first_rule = driver["rules"][0]
    assert first_rule["shortDescription"]["text"] == AugmentedAssignment.summary
    assert (
        first_rule["fullDescription"]["text"]
        == "Finds augmented assignments to tensors, like `y *= 3`."
    )
    assert first_rule["helpUri"].endswith("#ipf001-augmented-assignment")
    assert "Why is this bad?" in first_rule["help"]["markdown"]

    by_line = {
        r["locations"][0]["physicalLocation"]["region"]["startLine"]: r for r in run["results"]
    }
    assert by_line[2]["level"] == "error"  # category breaks-backward
    assert by_line[4]["level"] == "warning"
    assert by_line[9]["ruleIndex"] == 1
    location = by_line[4]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "pkg/model.py"
    assert location["region"] == {"startLine": 4, "startColumn": 1, "endLine": 4, "endColumn": 7}
    replacement = by_line[4]["fixes"][0]["artifactChanges"][0]["replacements"][0]
    assert replacement["insertedContent"]["text"] == "y = y * 3"
    assert "unsafe: y may be aliased" in by_line[2]["fixes"][0]["description"]["text"]
    assert "fixes" not in by_line[9]

    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is False
    assert "cannot parse" in invocation["toolExecutionNotifications"][0]["message"]["text"]


def test_sarif_with_no_findings_is_valid() -> None:
    import jsonschema
    log = render.sarif_log([FileResult(path="a.py", source="", fixed_source="")], RULES)
    jsonschema.Draft4Validator(json.loads(SCHEMA_PATH.read_text())).validate(log)
    assert log["runs"][0]["results"] == []


# ---------------------------------------------------------------------------------------------
# Diffs


DIFF_CASES = {
    "changed-line": ("a = 1\ny *= 3\nz = 2\n", "a = 1\ny = y * 3\nz = 2\n", "utf-8"),
    "no-newline-at-end": ("a = 1\ny *= 3", "a = 1\ny = y * 3", "utf-8"),
    "newline-added-at-end": ("a = 1\ny = 2", "a = 1\ny = 2\n", "utf-8"),
    "newline-removed-at-end": ("a = 1\ny = 2\n", "a = 1\ny = 2", "utf-8"),
    "crlf": ("a = 1\r\ny *= 3\r\nz = 2\r\n", "a = 1\r\ny = y * 3\r\nz = 2\r\n", "utf-8"),
    "bom-crlf-no-newline": ("\ufeffa = 1\r\ny *= 3", "\ufeffa = 1\r\ny = y * 3", "utf-8"),
    "form-feed": ("a = 1\n\x0cy *= 3\n", "a = 1\n\x0cy = y * 3\n", "utf-8"),
    "latin-1": (
        "# coding: latin-1\ns = 'café'\ny *= 3\n",
        "# coding: latin-1\ns = 'café'\ny = y * 3\n",
        "latin-1",
    ),
    "long-file": (
        "".join(f"v{i} = {i}\n" for i in range(40))
        + "y *= 3\n"
        + "".join(f"w{i} = {i}\n" for i in range(40)),
        "".join(f"v{i} = {i}\n" for i in range(40))
        + "y = y * 3\n"
        + "".join(f"w{i} = {i}\n" for i in range(40)),
        "utf-8",
    ),
}


def test_diff_headers_use_a_and_b_prefixes() -> None:
    diff = render.unified_diff("x = 1\n", "x = 2\n", "pkg/m.py")
    assert diff.splitlines()[:2] == ["--- a/pkg/m.py", "+++ b/pkg/m.py"]


def test_diff_marks_a_missing_final_newline() -> None:
    assert render.unified_diff("x = 1", "x = 2", "m.py").endswith(
        "-x = 1\n\\ No newline at end of file\n+x = 2\n\\ No newline at end of file\n"
    )


def apply_patch(tool: list[str], root: Path, before: bytes, patch: bytes) -> bytes:
    target = root / "pkg" / "m.py"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(before)
    subprocess.run(tool, cwd=root, input=patch, check=True, capture_output=True)
    return target.read_bytes()


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
@pytest.mark.parametrize("case", sorted(DIFF_CASES))
def test_git_apply_gives_exactly_the_fixed_text(tmp_path: Path, case: str) -> None:
    before, after, encoding = DIFF_CASES[case]
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    patch = render.unified_diff(before, after, "pkg/m.py").encode(encoding)
    applied = apply_patch(
        ["git", "apply", "--whitespace=nowarn", "-"], tmp_path, before.encode(encoding), patch
    )
    assert applied == after.encode(encoding)


@pytest.mark.skipif(shutil.which("patch") is None, reason="needs patch")
@pytest.mark.parametrize("case", sorted(DIFF_CASES))
def test_patch_p1_gives_exactly_the_fixed_text(tmp_path: Path, case: str) -> None:
    before, after, encoding = DIFF_CASES[case]
    patch = render.unified_diff(before, after, "pkg/m.py").encode(encoding)
    applied = apply_patch(
        ["patch", "-p1", "--binary", "--quiet"], tmp_path, before.encode(encoding), patch
    )
    assert applied == after.encode(encoding)


def test_write_diff_encodes_in_the_file_encoding() -> None:
    class Sink:
        def __init__(self) -> None:
            self.data = b""

        def write(self, data: bytes) -> None:
            self.data += data

        def flush(self) -> None:
            pass

    sink = Sink()
    render.write_diff(sink, render.unified_diff("s = 'é'\n", "s = 'è'\n", "m.py"), "latin-1")
    assert b"-s = '\xe9'\n+s = '\xe8'\n" in sink.data


# ---------------------------------------------------------------------------------------------
# Rule documentation


def test_rules_table_has_a_row_per_rule() -> None:
    lines = render.render_rules_table(RULES).splitlines()
    assert lines[0].split() == ["Code", "Name", "Fix", "Summary"]
    assert lines[1].split()[:3] == ["IPF001", "augmented-assignment", "always"]
    assert lines[1].endswith(AugmentedAssignment.summary)
    assert lines[2].split()[:3] == ["IPF007", "data-mutation", "never"]


def test_rule_doc_is_the_docstring() -> None:
    doc = render.render_rule_doc(AugmentedAssignment)
    assert doc.startswith("IPF001 (augmented-assignment)\n\n## What it does\nFinds augmented")
    assert "They change the tensor in place." in doc


@pytest.mark.parametrize("case", sorted(DIFF_CASES))
def test_diff_is_a_well_formed_unified_diff(case: str) -> None:
    """An independent parser (unidiff) reads our diff back, and replaying its hunks on the old
    text line by line gives the new text."""
    from unidiff import PatchSet

    before, after, _ = DIFF_CASES[case]
    diff = render.unified_diff(before, after, "pkg/m.py")
    (patched,) = PatchSet(diff)
    assert (patched.source_file, patched.target_file) == ("a/pkg/m.py", "b/pkg/m.py")
    old = [line.rstrip("\r\n") for line in physical_lines(before)]
    new: list[str] = []
    position = 0
    for hunk in patched:
        new.extend(old[position : hunk.source_start - 1])
        position = hunk.source_start - 1
        for line in hunk:
            if line.is_context or line.is_removed:
                assert old[position] == line.value.rstrip("\r\n")
                position += 1
            if line.is_context or line.is_added:
                new.append(line.value.rstrip("\r\n"))
    new.extend(old[position:])
    assert new == [line.rstrip("\r\n") for line in physical_lines(after)]
