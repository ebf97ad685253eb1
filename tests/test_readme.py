"""The README stays true: its rule headings, `check` options, configuration keys, dependency
reasons, set-up commands and pasted output are checked against the tool itself, and the bundled
examples against an independent syntactic oracle."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import click
import pytest

from inplace_fixer import cli, config
from inplace_fixer.rules import ALL_RULES

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
EXAMPLES = ROOT / "examples"
# The README pastes real output right after these markers.
FINDINGS_MARKER = "<!-- output of: inplace-fixer check examples/ -->"
DIFF_MARKER = "<!-- output of: inplace-fixer check examples/ --diff -->"
TOOL_COMMAND = (
    "python3 -m venv .venv && .venv/bin/pip install -e . && "
    ".venv/bin/inplace-fixer check examples/ --diff"
)
TEST_COMMAND = (
    "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/python -m pytest"
)


def run_tool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "inplace_fixer", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def section(heading: str) -> str:
    """The README text under ``heading`` up to the next heading of the same or a higher level."""
    match = re.search(rf"^(#+) {re.escape(heading)}\s*$", README, re.MULTILINE)
    assert match, f"README has no heading {heading!r}"
    level = len(match.group(1))
    rest = README[match.end():]
    end = re.search(rf"^#{{1,{level}}} ", rest, re.MULTILINE)
    return rest[: end.start()] if end else rest


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: rule.code)
def test_every_rule_has_its_anchor_heading_with_its_summary(rule):
    # SARIF helpUri and the language server's code links point at "#ipf00n-rule-name".
    body = section(f"{rule.code} {rule.name}")

    assert " ".join(rule.summary.split()) in " ".join(body.split())


def check_options() -> list[str]:
    command = cli.cli.get_command(click.Context(cli.cli), "check")
    assert command is not None
    return [
        flag
        for param in command.params
        if isinstance(param, click.Option)
        for flag in (*param.opts, *param.secondary_opts)
        if flag.startswith("--") and flag != "--help"
    ]


@pytest.mark.parametrize("flag", check_options())
def test_every_check_option_is_documented(flag):
    assert f"`{flag}" in section("inplace-fixer check")


@pytest.mark.parametrize("key", config.KNOWN_KEYS)
def test_every_configuration_key_is_documented(key):
    assert re.search(rf"^\| `{re.escape(key)}` \|", section("Configuration"), re.MULTILINE)


def declared_dependencies() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = [*project["dependencies"]]
    for extra in project["optional-dependencies"].values():
        requirements += extra
    return sorted({re.match(r"[A-Za-z0-9_.-]+", r).group(0).lower() for r in requirements})


@pytest.mark.parametrize("package", declared_dependencies())
def test_every_declared_dependency_says_why(package):
    rows = [line for line in section("Why each dependency").splitlines() if line.startswith("| ")]

    assert any(package in re.split(r"[\s,|]+", row.split("|")[1]) for row in rows)


def test_the_two_set_up_commands_are_there_verbatim():
    assert TOOL_COMMAND in README
    assert TEST_COMMAND in README


def pasted_after(marker: str, language: str = "") -> str:
    assert marker in README
    block = re.match(rf"\s*```{language}\n(.*?)```", README.split(marker, 1)[1], re.DOTALL)
    assert block, f"{marker} must be followed by a ```{language} block"
    return block.group(1)


def test_the_pasted_findings_are_what_check_prints_today():
    completed = run_tool("check", "examples/")

    assert completed.returncode == 1, completed.stderr
    # A terminal shows the findings (stdout), then the summary line (stderr).
    assert pasted_after(FINDINGS_MARKER) == completed.stdout + completed.stderr


def test_the_pasted_diff_is_what_the_first_command_prints_today():
    completed = run_tool("check", "examples/", "--diff")

    assert completed.returncode == 1, completed.stderr
    assert pasted_after(DIFF_MARKER, "diff") == completed.stdout


def test_the_pasted_verify_verdicts_are_what_verify_says_today():
    pytest.importorskip("torch")
    pasted = re.findall(r"^\$ inplace-fixer verify (\S+)\n(\S+): (\S+)$", README, re.MULTILINE)
    assert pasted, "the Verification section shows real `inplace-fixer verify` runs"

    for path, shown_path, verdict in pasted:
        completed = run_tool("verify", path)
        first_line = completed.stdout.splitlines()[0] if completed.stdout else completed.stderr

        assert shown_path == path
        assert first_line == f"{path}: {verdict}"


def has_inplace_syntax(source: str) -> bool:
    """An independent, purely syntactic oracle: any construct that mutates in place."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.AugAssign) and not isinstance(node.op, ast.MatMult):
            return True
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Subscript) for target in node.targets
        ):
            return True
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else ""
            if name.endswith("_") and not name.startswith("_"):
                return True
            for keyword in node.keywords:
                inplace = keyword.arg == "inplace" and getattr(keyword.value, "value", None) is True
                if inplace or keyword.arg == "out":
                    return True
    return False


def test_check_finds_something_in_every_example_with_an_inplace_op():
    example_files = sorted(EXAMPLES.glob("*.py"))
    assert len(example_files) >= 4, "examples/: the three article examples and a model file"

    completed = run_tool("check", "examples/", "--format", "json")
    flagged = {Path(finding["path"]).name for finding in json.loads(completed.stdout)}

    assert completed.returncode == 1, completed.stderr
    for path in example_files:
        mutates = has_inplace_syntax(path.read_text(encoding="utf-8"))
        assert (path.name in flagged) == mutates, path.name
