"""The console script ends a finished ``check`` without Python's teardown (quick_exit.py), and
keeps what a normal exit does that anyone could notice: flushed output, atexit hooks, waiting for
threads, the exit status. Every test runs a real Python process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import inplace_fixer

REPO_ROOT = Path(inplace_fixer.__file__).resolve().parent.parent

# Imported by every Python process started with it on the path: an object that says so on
# standard error when the interpreter's teardown frees it.
SITECUSTOMIZE = """\
import os

class _Sentinel:
    def __del__(self):
        os.write(2, b"<teardown ran>")

_sentinel = _Sentinel()
"""


@pytest.fixture
def env(tmp_path: Path) -> dict:
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE)
    # Buffered streams, as in a terminal or a pipe by default: flushing them is part of what is tested.
    variables = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    return {**variables, "PYTHONPATH": os.pathsep.join([str(site), str(REPO_ROOT)])}


def run_python(code: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], env=env, capture_output=True, text=True, timeout=60
    )


def test_the_sentinel_sees_a_normal_teardown(env):
    done = run_python("print('out')", env)
    assert done.stdout == "out\n"
    assert "<teardown ran>" in done.stderr


@pytest.mark.parametrize(("code", "status", "message"), [(3, 3, ""), (None, 0, ""), ("bad input", 1, "bad input\n")])
def test_exit_now_keeps_output_hooks_and_status_but_skips_teardown(env, code, status, message):
    done = run_python(
        f"""
        import atexit, sys
        from inplace_fixer import quick_exit
        atexit.register(lambda: print("hook ran"))
        sys.stdout.write("buffered, no newline: ")
        quick_exit.exit_now({code!r})
        """,
        env,
    )
    assert done.returncode == status
    assert done.stdout == "buffered, no newline: hook ran\n"
    assert done.stderr == message


def test_exit_now_waits_for_threads_as_a_normal_exit_does(env):
    done = run_python(
        """
        import threading, time
        from inplace_fixer import quick_exit

        def late():
            time.sleep(0.3)
            print("thread finished", flush=True)

        threading.Thread(target=late).start()
        quick_exit.exit_now(0)
        """,
        env,
    )
    assert done.stdout == "thread finished\n"
    assert done.returncode == 0


def test_a_closed_standard_output_gives_pythons_own_status(env):
    done = run_python(
        """
        import os, sys
        from inplace_fixer import quick_exit
        sys.stdout.write("never read")
        os.close(1)
        quick_exit.exit_now(0)
        """,
        env,
    )
    assert done.returncode == 120


def _command_line(args: list[str], env: dict, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "inplace_fixer", *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_check_ends_without_teardown_and_with_all_its_output(env, tmp_path):
    (tmp_path / "model.py").write_text(
        "import torch\nfrom torch import nn\n\n\nclass Net(nn.Module):\n"
        "    def forward(self, x):\n        y = torch.sigmoid(x)\n        y.mul_(2)\n        return y\n"
    )
    done = _command_line(["check", "model.py", "--format", "json", "--no-cache"], env, tmp_path)
    assert done.returncode == 1  # findings remain
    findings = json.loads(done.stdout)
    assert [(finding["path"], finding["line"]) for finding in findings] == [("model.py", 8)]
    assert "<teardown ran>" not in done.stderr


def test_check_refused_for_its_flags_exits_normally(env, tmp_path):
    (tmp_path / "model.py").write_text("x = 1\n")
    done = _command_line(["check", "model.py", "--select", "IPF999"], env, tmp_path)
    assert done.returncode == 2
    assert "IPF999" in done.stderr
    assert "<teardown ran>" in done.stderr


def test_other_commands_exit_normally(env, tmp_path):
    done = _command_line(["rules"], env, tmp_path)
    assert done.returncode == 0
    assert "IPF001" in done.stdout
    assert "<teardown ran>" in done.stderr
