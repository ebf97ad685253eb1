"""``pytest --inplace-blame``, through the pytest11 entry point, in a child pytest."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("torch")

TESTS = textwrap.dedent(
    """\
    import torch


    def scale(t):
        t.mul_(2)


    def test_breaks():
        h = torch.sigmoid(torch.randn(3, requires_grad=True))
        scale(h)
        h.sum().backward()


    def test_fine():
        (torch.randn(3, requires_grad=True) * 2).sum().backward()
    """
)


def _pytest(tmp_path: Path, *flags: str) -> subprocess.CompletedProcess:
    (tmp_path / "test_model.py").write_text(TESTS)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *flags, "test_model.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=180,
    )


def test_failing_test_report_names_the_line(tmp_path: Path) -> None:
    result = _pytest(tmp_path, "--inplace-blame")
    assert result.returncode == 1, result.stdout
    assert "1 failed, 1 passed" in result.stdout
    assert "- inplace-fixer blame -" in result.stdout  # the section in the failure's report
    assert "test_model.py:5:5: breaks-backward `t.mul_(2)`" in result.stdout
    assert "test_model.py::test_fine" not in result.stdout.split("= inplace-fixer blame =")[-1]


def test_without_the_flag_nothing_is_watched(tmp_path: Path) -> None:
    result = _pytest(tmp_path)
    assert "1 failed, 1 passed" in result.stdout
    # The venv's own path may contain the tool's name, so look for the plugin's section and events.
    assert "inplace-fixer blame" not in result.stdout and "breaks-backward" not in result.stdout
