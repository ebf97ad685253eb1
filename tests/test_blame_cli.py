"""``inplace-fixer blame`` end to end, in a real subprocess: the program runs as python would run
it, and the locator's report, exit codes and --apply are what the README says."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("torch")

HELPER = textwrap.dedent(
    """\
    def scale(t):
        t.mul_(2)
    """
)
TRAIN = textwrap.dedent(
    """\
    import sys
    import torch
    from helper import scale

    print("argv:", sys.argv[1:])
    print("to stderr", file=sys.stderr)
    x = torch.randn(3, requires_grad=True)
    h = torch.sigmoid(x)
    scale(h)
    h.sum().backward()
    """
)


def _blame(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "inplace_fixer", "blame", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_script_runs_unchanged_and_the_report_names_the_helper_line(tmp_path: Path) -> None:
    (tmp_path / "helper.py").write_text(HELPER)
    (tmp_path / "train.py").write_text(TRAIN)
    plain = subprocess.run([sys.executable, "train.py", "--epochs", "1"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    blamed = _blame("--report", "out.json", "train.py", "--epochs", "1", cwd=tmp_path)
    assert blamed.returncode == plain.returncode == 1
    assert blamed.stdout == plain.stdout == "argv: ['--epochs', '1']\n"
    assert "to stderr\n" in blamed.stderr
    assert "helper.py:2:5: breaks-backward `t.mul_(2)`" in blamed.stderr
    assert "  Fix (unsafe): t = t * 2" in blamed.stderr
    report = json.loads((tmp_path / "out.json").read_text())
    assert report["returncode"] == 1
    (event,) = report["events"]
    assert set(event) == {
        "path", "line", "col", "end_line", "end_col", "category", "op", "message",
        "saved_by", "backward_at", "module_defined_at", "fix",
    }
    assert (event["path"], event["line"], event["col"], event["end_col"]) == ("helper.py", 2, 5, 14)
    assert event["saved_by"] == {"op": "torch.sigmoid", "path": "train.py", "line": 8}
    assert event["backward_at"] == {"path": "train.py", "line": 10}
    assert event["fix"]["applicability"] == "unsafe"
    assert event["fix"]["edits"][0]["content"] == "t = t * 2\n"


def test_module_mode_passes_arguments_and_keeps_the_exit_code(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "train.py").write_text("import sys\nprint(sys.argv[1:])\nsys.exit(3)\n")
    blamed = _blame("-m", "pkg.train", "--", "--epochs", "1", cwd=tmp_path)
    assert (blamed.returncode, blamed.stdout) == (3, "['--epochs', '1']\n")
    assert "inplace-fixer blame" not in blamed.stderr  # no event, nothing to say


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("missing.py",), "inplace-fixer blame: cannot run 'missing.py': No such file or directory\n"),
        (("-m", "no_such_module"), "inplace-fixer blame: cannot run module 'no_such_module': No module named 'no_such_module'\n"),
        (("broken.py",), "inplace-fixer blame: cannot run 'broken.py': SyntaxError (line 1): invalid syntax\n"),
    ],
)
def test_a_program_that_cannot_run_is_exit_2_and_one_line(tmp_path: Path, args: tuple[str, ...], expected: str) -> None:
    (tmp_path / "broken.py").write_text("def (:\n")
    blamed = _blame(*args, cwd=tmp_path)
    assert blamed.returncode == 2
    assert blamed.stderr.endswith(expected) and blamed.stderr.count("inplace-fixer blame") == 1


def test_apply_writes_the_safe_fix_where_the_module_was_built(tmp_path: Path) -> None:
    program = tmp_path / "net.py"
    program.write_text(textwrap.dedent(
        """\
        import torch
        from torch import nn


        def block(n):
            return nn.Sequential(nn.Linear(n, n), nn.Sigmoid(), nn.ReLU(inplace=True))


        block(3)(torch.randn(2, 3)).sum().backward()
        """
    ))
    blamed = _blame("--apply", "net.py", cwd=tmp_path)
    assert blamed.returncode == 1
    assert "net.py:9:1: breaks-backward" in blamed.stderr and "Fix (safe) at net.py:6: nn.ReLU()" in blamed.stderr
    assert "nn.Sigmoid(), nn.ReLU())" in program.read_text()
    assert subprocess.run([sys.executable, "net.py"], cwd=tmp_path, timeout=120).returncode == 0


def test_help_lists_blame_without_importing_torch() -> None:
    code = "import sys; from inplace_fixer.cli import cli; cli(['--help'], standalone_mode=False); print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "blame" in result.stdout and result.stdout.strip().endswith("False")
