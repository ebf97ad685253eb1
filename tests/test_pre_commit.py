"""The hooks of .pre-commit-hooks.yaml, run by the real ``pre-commit`` on a temporary git
repository, with this repository (its working tree, committed into a temporary hook repository) as
the hook repository: pre-commit installs it into its own environment as it would for a user."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import inplace_fixer

REPO_ROOT = Path(inplace_fixer.__file__).resolve().parent.parent
EXAMPLES = REPO_ROOT / "examples"

pytestmark = [
    pytest.mark.skipif(shutil.which("git") is None, reason="needs git"),
    pytest.mark.skipif(
        subprocess.run([sys.executable, "-m", "pre_commit", "--version"], capture_output=True).returncode != 0,
        reason="needs pre-commit (the test extra installs it)",
    ),
]

NOTEBOOK = """{
 "cells": [
  {"cell_type": "code", "execution_count": 1, "id": "a", "metadata": {}, "outputs": [],
   "source": ["import torch\\n", "x = torch.ones(3, requires_grad=True)"]},
  {"cell_type": "code", "execution_count": 2, "id": "b", "metadata": {}, "outputs": [],
   "source": ["h = torch.tanh(x)\\n", "h.mul_(2)\\n", "h.sum().backward()"]}
 ],
 "metadata": {},
 "nbformat": 4,
 "nbformat_minor": 5
}
"""


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")  # one hook environment for the module


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The tracked files of this repository as they are now, committed: (path, revision)."""
    hooks = tmp_path_factory.mktemp("hook-repo")
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, check=True).stdout
    for name in filter(None, tracked.decode().split("\0")):
        source = REPO_ROOT / name
        if source.is_file():
            (hooks / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, hooks / name)
    subprocess.run(["git", "init", "-q"], cwd=hooks, check=True)
    git(hooks, "add", ".")
    git(hooks, "commit", "-qm", "snapshot")
    revision = subprocess.run(["git", "rev-parse", "HEAD"], cwd=hooks, capture_output=True, text=True, check=True).stdout.strip()
    return hooks, revision


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args], cwd=repo, check=True, capture_output=True)


def run_hook(repo: Path, hooks: tuple[Path, str], home: Path, hook: str, *args: str) -> subprocess.CompletedProcess:
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n- repo: {hooks[0]}\n  rev: {hooks[1]}\n  hooks:\n  - id: inplace-fixer\n  - id: inplace-fixer-fix\n"
    )
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", hook, "--color", "never", *args],
        cwd=repo, capture_output=True, text=True, env={**os.environ, "PRE_COMMIT_HOME": str(home)},
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = tmp_path / "project"
    repo.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    shutil.copy(EXAMPLES / "scaled_tanh_layer.py", repo / "layer.py")
    (repo / "train.ipynb").write_text(NOTEBOOK)
    # Python text in a file that is not .py or .ipynb: the hooks must not be given it.
    shutil.copy(EXAMPLES / "article_example1.py", repo / "snippet.txt")
    return repo


def test_the_check_hook_reports_findings_in_py_and_ipynb_files_only(repo: Path, hook_repo: tuple[Path, str], pre_commit_home: Path) -> None:
    git(repo, "add", ".")
    result = run_hook(repo, hook_repo, pre_commit_home, "inplace-fixer", "--all-files")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "layer.py:17:9: IPF002" in result.stdout
    assert "train.ipynb:cell 2:2:1: IPF002" in result.stdout
    assert "snippet.txt" not in result.stdout and "IPF001" not in result.stdout


def test_the_hooks_pass_when_no_python_file_is_staged(repo: Path, hook_repo: tuple[Path, str], pre_commit_home: Path) -> None:
    git(repo, "add", "snippet.txt")
    for hook in ("inplace-fixer", "inplace-fixer-fix"):
        result = run_hook(repo, hook_repo, pre_commit_home, hook)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "(no files to check)Skipped" in result.stdout


def test_the_fix_hook_writes_the_fixes_and_then_passes(repo: Path, hook_repo: tuple[Path, str], pre_commit_home: Path) -> None:
    git(repo, "add", ".")
    first = run_hook(repo, hook_repo, pre_commit_home, "inplace-fixer-fix", "--all-files")
    assert first.returncode == 1 and "files were modified by this hook" in first.stdout
    assert "h = h * self.scale" in (repo / "layer.py").read_text()
    assert '"h = h * 2\\n",' in (repo / "train.ipynb").read_text()
    assert (repo / "snippet.txt").read_text() == (EXAMPLES / "article_example1.py").read_text()
    git(repo, "add", ".")
    second = run_hook(repo, hook_repo, pre_commit_home, "inplace-fixer-fix", "--all-files")
    assert second.returncode == 0, second.stdout + second.stderr
