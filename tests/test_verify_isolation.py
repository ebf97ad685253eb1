"""Whatever a program does to its own process ends as a verdict, never as a hang or a crash."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from inplace_fixer.verify import Verdict, VerifierPool, VerifyResult

PROGRAMS = {
    "sys_exit": "import sys\nsys.exit(3)\n",
    "sys_exit_zero_after_work": """\
        import sys
        import torch
        x = torch.ones(2, requires_grad=True)
        (x * 3).sum().backward()
        sys.exit(0)
        """,
    "os_exit": "import os\nos._exit(7)\n",
    "segfault": "import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n",
    "endless_loop": "while True:\n    pass\n",
    "sleeps_with_grandchild": """\
        import subprocess, sys, time
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        time.sleep(60)
        """,
    "huge_torch_allocation": "import torch\nbig = torch.ones(1024**3)\n",
    "huge_python_allocation": "block = bytearray(8 * 1024**3)\n",
    "reads_stdin": "line = input()\n",
    "writes_a_file": """\
        import torch
        with open("written_by_snippet.txt", "w") as handle:
            handle.write("x")
        x = torch.ones(2, requires_grad=True)
        (x * 2).sum().backward()
        """,
    "prints_a_lot": """\
        import torch
        for i in range(100000):
            print("line", i)
        x = torch.ones(2, requires_grad=True)
        (x * 2).sum().backward()
        """,
    "writes_garbage_to_every_fd": """\
        import os, torch
        for fd in range(3, 64):
            try:
                os.write(fd, b"not a record\\n")
            except OSError:
                pass
        x = torch.ones(2, requires_grad=True)
        (x * 2).sum().backward()
        """,
}
PROGRAMS["syntax_error"] = "def broken(:\n    pass\n"
LIMITS = {"timeout": 2.0, "memory_limit": 512 * 1024**2}


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, VerifyResult]:
    names = list(PROGRAMS)
    sources = [textwrap.dedent(PROGRAMS[name]) for name in names]
    cwd = Path.cwd()
    os.chdir(tmp_path_factory.mktemp("caller-cwd"))
    try:
        with VerifierPool(workers=2) as pool:
            verified = pool.verify_many([(source, source) for source in sources], **LIMITS)
    finally:
        os.chdir(cwd)
    return dict(zip(names, verified))


def test_sys_exit_with_a_code_is_a_failure_of_both(results: dict[str, VerifyResult]) -> None:
    result = results["sys_exit"]
    assert result.verdict is Verdict.BOTH_FAIL
    assert result.evidence["original"]["error"]["type"] == "SystemExit"
    assert result.evidence["original"]["error"]["message"] == "3"


def test_sys_exit_zero_is_a_normal_end(results: dict[str, VerifyResult]) -> None:
    assert results["sys_exit_zero_after_work"].verdict is Verdict.EQUIVALENT


def test_os_exit_is_a_crash(results: dict[str, VerifyResult]) -> None:
    result = results["os_exit"]
    assert result.verdict is Verdict.BOTH_FAIL
    assert result.evidence["original"]["status"] == "crashed"
    assert "code 7" in result.evidence["original"]["exit"]


def test_segfault_is_a_crash(results: dict[str, VerifyResult]) -> None:
    result = results["segfault"]
    assert result.verdict is Verdict.BOTH_FAIL
    assert "SIGSEGV" in result.evidence["original"]["exit"]


@pytest.mark.parametrize("name", ["endless_loop", "sleeps_with_grandchild"])
def test_programs_that_never_finish_time_out(name: str, results: dict[str, VerifyResult]) -> None:
    result = results[name]
    assert result.verdict is Verdict.TIMEOUT
    assert result.evidence["original"]["seconds"] < LIMITS["timeout"] + 1.0


@pytest.mark.parametrize("name", ["huge_torch_allocation", "huge_python_allocation"])
def test_allocations_beyond_the_memory_limit_fail_inside_the_child(name: str, results: dict[str, VerifyResult]) -> None:
    result = results[name]
    assert result.verdict is Verdict.BOTH_FAIL
    assert result.evidence["original"]["error"]["kind"] == "out-of-memory"


def test_stdin_is_closed(results: dict[str, VerifyResult]) -> None:
    result = results["reads_stdin"]
    assert result.verdict is Verdict.BOTH_FAIL
    assert result.evidence["original"]["error"]["type"] == "EOFError"


def test_files_are_written_in_a_temporary_directory(results: dict[str, VerifyResult], tmp_path_factory) -> None:
    assert results["writes_a_file"].verdict is Verdict.EQUIVALENT
    caller_directory = tmp_path_factory.getbasetemp() / "caller-cwd0"
    assert not (caller_directory / "written_by_snippet.txt").exists()
    assert not Path("written_by_snippet.txt").exists()


def test_output_is_captured_and_truncated(results: dict[str, VerifyResult], capfd: pytest.CaptureFixture[str]) -> None:
    result = results["prints_a_lot"]
    assert result.verdict is Verdict.EQUIVALENT
    stdout = result.evidence["original"]["stdout"]
    assert stdout.endswith("line 99999\n")
    assert len(stdout) < 5000
    assert "line 99999" not in capfd.readouterr().out


def test_a_program_cannot_corrupt_the_worker_protocol(results: dict[str, VerifyResult]) -> None:
    assert results["writes_garbage_to_every_fd"].verdict is Verdict.EQUIVALENT


def test_a_worker_keeps_serving_after_crashes_and_timeouts() -> None:
    crash = textwrap.dedent(PROGRAMS["segfault"])
    loop = textwrap.dedent(PROGRAMS["endless_loop"])
    fine = "import torch\nx = torch.ones(2, requires_grad=True)\n(x * 2).sum().backward()\n"
    with VerifierPool(workers=1) as pool:
        verdicts = [r.verdict for r in pool.verify_many([(crash, crash), (loop, loop), (fine, fine)], timeout=1.0)]
    assert verdicts == [Verdict.BOTH_FAIL, Verdict.TIMEOUT, Verdict.EQUIVALENT]


def test_a_program_that_does_not_compile_is_not_runnable(results: dict[str, VerifyResult]) -> None:
    result = results["syntax_error"]
    assert result.verdict is Verdict.NOT_RUNNABLE
    assert result.reason.startswith("the original does not compile: ")
    assert "(line 1)" in result.reason
