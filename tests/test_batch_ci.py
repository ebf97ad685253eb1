"""``--since REV`` on a real git repository, and the CI output formats (GitHub annotations,
GitLab Code Quality)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import inplace_fixer

REPO_ROOT = Path(inplace_fixer.__file__).resolve().parent.parent
EXAMPLES = REPO_ROOT / "examples"
GIT = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

NEW_FUNCTION = """

def more():
    y = torch.tanh(torch.ones(2, requires_grad=True))
    y.mul_(2)
    return y
"""


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "inplace_fixer", *args], cwd=cwd, capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    for name in ("scaled_tanh_layer.py", "article_example1.py", "gated_residual.py"):
        shutil.copy(EXAMPLES / name, tmp_path / name)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run([*GIT, "add", "."], cwd=tmp_path, check=True)
    subprocess.run([*GIT, "commit", "-qm", "legacy"], cwd=tmp_path, check=True)
    with (tmp_path / "scaled_tanh_layer.py").open("a") as layer:
        layer.write(NEW_FUNCTION)
    shutil.copy(EXAMPLES / "rnn_loop.py", tmp_path / "untracked.py")
    return tmp_path


def test_since_reports_only_changed_lines_and_untracked_files(repo: Path) -> None:
    everything = run_cli("check", ".", "--no-cache", cwd=repo)
    since = run_cli("check", ".", "--no-cache", "--since", "HEAD", cwd=repo)
    assert "scaled_tanh_layer.py:17:9: IPF002" in everything.stdout  # legacy, unchanged line
    assert since.stdout.splitlines() == [
        line for line in everything.stdout.splitlines()
        if line.startswith(("scaled_tanh_layer.py:31:", "untracked.py:"))
    ]
    assert len(since.stdout.splitlines()) == 2 and since.returncode == 1


def test_since_applies_only_the_fixes_on_changed_lines(repo: Path) -> None:
    legacy = (repo / "scaled_tanh_layer.py").read_text()
    result = run_cli("check", ".", "--no-cache", "--since", "HEAD", "--apply", cwd=repo)
    assert result.returncode == 0, result.stderr
    fixed = (repo / "scaled_tanh_layer.py").read_text()
    assert fixed == legacy.replace("    y.mul_(2)\n", "    y = y * 2\n")
    assert "h.mul_(self.scale)" in fixed  # the legacy line is left for later
    assert (repo / "article_example1.py").read_text() == (EXAMPLES / "article_example1.py").read_text()


def test_since_an_unknown_revision_is_a_usage_error(repo: Path) -> None:
    result = run_cli("check", ".", "--since", "no-such-rev", cwd=repo)
    assert result.returncode == 2
    assert result.stderr.strip() == "Error: --since no-such-rev: no such commit in this repository"


def test_github_annotations(tmp_path: Path) -> None:
    result = run_cli("check", str(EXAMPLES), "--no-cache", "--output-format", "github", cwd=REPO_ROOT)
    lines = result.stdout.splitlines()
    assert result.returncode == 1 and len(lines) == 5
    assert lines[0].startswith(
        "::warning file=examples/article_example1.py,line=10,col=1,endLine=10,endColumn=7,"
        "title=IPF001 augmented-assignment::`y *= 3` modifies"
    )
    assert lines[-1].startswith("::error file=examples/scaled_tanh_layer.py,line=17,col=9,")
    broken = tmp_path / "broken.py"
    broken.write_text("def f(:\n")
    failed = run_cli("check", str(broken), "--no-cache", "--format", "github", cwd=tmp_path)
    assert failed.returncode == 2
    assert failed.stdout.startswith("::error file=broken.py,title=inplace-fixer::cannot parse: ")


def test_gitlab_code_quality() -> None:
    result = run_cli("check", "examples", "--no-cache", "--format", "gitlab", cwd=REPO_ROOT)
    issues = json.loads(result.stdout)
    assert len(issues) == 5 and len({issue["fingerprint"] for issue in issues}) == 5
    first = issues[0]
    assert first["check_name"] == "IPF001" and first["severity"] == "minor"
    assert first["location"] == {"path": "examples/article_example1.py", "lines": {"begin": 10, "end": 10}}
    assert {issue["severity"] for issue in issues[1:]} == {"major"}
    again = json.loads(run_cli("check", "examples", "--format", "gitlab", cwd=REPO_ROOT).stdout)
    assert [issue["fingerprint"] for issue in again] == [issue["fingerprint"] for issue in issues]
