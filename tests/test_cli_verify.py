"""`check --diff --verify` and `check --apply --verify`, through the real command line."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# A view of `h` changed in place: the unsafe fix `v = v * 10` no longer changes `h`, and the
# verifier sees the loss change (33 before, 6 after).
VIEW_OF_BASE = """\
import torch
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
h = x * 1
v = h[:2]
v.mul_(10)
loss = h.sum()
loss.backward()
print(loss.item())
"""


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "inplace_fixer", "check", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def test_apply_verify_writes_the_rewrites_that_verify(tmp_path: Path) -> None:
    for name in ("article_example1.py", "article_example3.py", "scaled_tanh_layer.py"):
        shutil.copy(ROOT / "examples" / name, tmp_path / name)
    completed = run(".", "--apply", "--verify", "--unsafe-fixes", cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert "article_example1.py: verified: equivalent" in completed.stderr
    assert "article_example3.py: verified: fixed" in completed.stderr
    assert "y = y * 3" in (tmp_path / "article_example1.py").read_text()
    assert "h = h * self.scale" in (tmp_path / "scaled_tanh_layer.py").read_text()


def test_apply_verify_refuses_a_rewrite_that_changes_the_result(tmp_path: Path) -> None:
    target = tmp_path / "view.py"
    target.write_text(VIEW_OF_BASE)
    completed = run("view.py", "--apply", "--verify", "--unsafe-fixes", cwd=tmp_path)
    assert completed.returncode == 1
    assert "view.py: different" in completed.stderr
    assert "not written" in completed.stderr
    assert target.read_text() == VIEW_OF_BASE


def test_diff_verify_prints_the_diff_and_a_verdict(tmp_path: Path) -> None:
    shutil.copy(ROOT / "examples" / "article_example1.py", tmp_path / "a.py")
    completed = run("a.py", "--diff", "--verify", cwd=tmp_path)
    assert completed.stdout.startswith("--- a/a.py\n+++ b/a.py\n")
    assert "a.py: verified: equivalent" in completed.stderr
    assert (tmp_path / "a.py").read_text() == (ROOT / "examples" / "article_example1.py").read_text()


def test_verify_needs_diff_or_apply(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    completed = run("a.py", "--verify", cwd=tmp_path)
    assert completed.returncode == 2
    assert "--verify goes with --diff or --apply" in completed.stderr
