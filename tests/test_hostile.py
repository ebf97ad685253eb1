"""Hostile files (issue 12, section 3): each is one clear error line and exit code 2, and the
other files of the run are still checked and fixed.

One real ``python -m inplace_fixer check TREE --apply`` process runs over a tree holding every
hostile file next to a good one: a file that crashed the parser process would show as a signal
exit code and a good file left unfixed, which no in-process runner can show.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

import inplace_fixer
from inplace_fixer import cli, files, guard

REPO_ROOT = Path(inplace_fixer.__file__).resolve().parent.parent

INPLACE = b"import torch\nx = torch.ones(2, requires_grad=True) * 2\nx *= 3\n"
FIXED = b"import torch\nx = torch.ones(2, requires_grad=True) * 2\nx = x * 3\n"


@dataclass(frozen=True)
class Hostile:
    name: str  # file name in the tree
    data: bytes
    cause: str  # what the one error line must say


HOSTILE = [
    Hostile("deep_brackets.py", INPLACE + b"y = " + b"[" * 5000 + b"]" * 5000 + b"\n",
            "cannot parse: too many nested parentheses (line 4"),
    # Python's parser accepts 20,000 `and`s; libcst's native parser overflowed its stack on them.
    Hostile("deep_and.py", INPLACE + b"y = " + b" and ".join([b"x"] * 20000) + b"\n",
            "cannot parse: nested 20004 levels deep; inplace-fixer analyses at most 200"),
    Hostile("deep_unary_1000.py", INPLACE + b"y = " + b"-" * 1000 + b"x\n",
            "cannot parse: nested 1004 levels deep"),
    Hostile("deep_attribute_1000.py", INPLACE + b"y = x" + b".real" * 1000 + b"\n",
            "cannot parse: nested 1004 levels deep"),
    Hostile("latin1_without_cookie.py", INPLACE + "name = 'café'\n".encode("latin-1"),
            "cannot read: line 4 is not valid utf-8 (byte 0xe9 at offset"),
    Hostile("unknown_cookie.py", b"# -*- coding: utf-42 -*-\n" + INPLACE,
            "cannot read: unknown encoding: utf-42"),
    Hostile("wrong_cookie.py", b"# coding: ascii\n" + INPLACE + "name = 'π'\n".encode(),
            "cannot read: line 5 is not valid ascii (byte 0xcf"),
    Hostile("nul_byte.py", INPLACE + b"y = 1\0\n", "cannot read: not Python source: a NUL byte on line 4 (offset 67)"),
    Hostile("binary.py", b"\x7fELF\x02\x01\x01\0\0\0" + bytes(range(256)) * 4,
            "cannot read: not Python source: a NUL byte on line 1 (offset 7)"),
    Hostile("python2.py", INPLACE + b"print 'hello'\n",
            "cannot parse: Missing parentheses in call to 'print'. Did you mean print(...)? (line 4"),
    # Python accepts a line holding only a backslash inside a block; libcst 1.9's parser does not.
    # The statement with the finding holds it: its fix needs libcst's tree of it (cst_build/twins.py).
    Hostile("valid_python_libcst_rejects.py", INPLACE + b"if x.add_(1).sum() > 0:\n  \\\n  y = 1\n",
            "cannot parse: valid Python that libcst cannot parse: parser error: error at 6:4: expected INDENT"),
]

# The same line elsewhere: only the statements with findings are parsed by libcst, so the file is
# checked and fixed.
LIBCST_REJECTS_ELSEWHERE = b"if 1:\n  \\\n  y = 1\n"

# libcst 1.9 parses this, then its check of the `else(` node raised TypeError (a bug in the
# check); the engine parses without those checks (cst_parse.py), so the file is checked and fixed.
LIBCST_CHECK_BUG = b"() if 0 else(lambda:())\n"

HUGE_SIZE = 50 * 1024 * 1024


def _build_tree(root: Path) -> None:
    for case in HOSTILE:
        (root / case.name).write_bytes(case.data)
    (root / "good.py").write_bytes(INPLACE)
    (root / "libcst_check_bug.py").write_bytes(INPLACE + LIBCST_CHECK_BUG)
    (root / "libcst_rejects_elsewhere.py").write_bytes(INPLACE + LIBCST_REJECTS_ELSEWHERE)
    with (root / "huge.py").open("wb") as huge:  # real Python text, 50 MB of it
        line = b"x = 1\n"
        huge.write(INPLACE + line * ((HUGE_SIZE - len(INPLACE)) // len(line)))
    (root / "loop_a.py").symlink_to("loop_b.py")
    (root / "loop_b.py").symlink_to("loop_a.py")
    # A directory named like a file is walked as a directory: the file in it is checked.
    (root / "package.py").mkdir()
    (root / "package.py" / "inner.py").write_bytes(INPLACE)


# In one process and in a pool: each plans the files it checks (batch/pool.py), and a symlink loop
# among them must not end the run there either.
@pytest.fixture(scope="module", params=["1", "2"], ids=["jobs-1", "jobs-2"])
def hostile_run(tmp_path_factory: pytest.TempPathFactory, request) -> tuple[Path, subprocess.CompletedProcess]:
    root = tmp_path_factory.mktemp("hostile")
    _build_tree(root)
    run = subprocess.run(
        [sys.executable, "-m", "inplace_fixer", "check", str(root), "--apply", "--jobs", request.param],
        capture_output=True, text=True, cwd=REPO_ROOT, timeout=300,
    )
    return root, run


def _error_lines(run: subprocess.CompletedProcess, name: str) -> list[str]:
    return [line for line in run.stderr.splitlines() if line.split(":", 1)[0].endswith("/" + name)]


def test_hostile_tree_exits_2_and_fixes_the_good_files(hostile_run) -> None:
    root, run = hostile_run
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr and "Error" not in run.stdout
    assert (root / "good.py").read_bytes() == FIXED
    assert (root / "package.py" / "inner.py").read_bytes() == FIXED
    assert (root / "libcst_check_bug.py").read_bytes() == FIXED + LIBCST_CHECK_BUG
    assert (root / "libcst_rejects_elsewhere.py").read_bytes() == FIXED + LIBCST_REJECTS_ELSEWHERE


@pytest.mark.parametrize("case", HOSTILE, ids=[case.name for case in HOSTILE])
def test_each_hostile_file_is_one_clear_line_and_left_as_it_was(hostile_run, case: Hostile) -> None:
    root, run = hostile_run
    lines = _error_lines(run, case.name)
    assert len(lines) == 1, run.stderr
    assert case.cause in lines[0]
    assert (root / case.name).read_bytes() == case.data


def test_a_50_mb_file_is_rejected_before_it_is_read(hostile_run) -> None:
    root, run = hostile_run
    (line,) = _error_lines(run, "huge.py")
    assert line.endswith("huge.py: cannot read: too large (50.0 MB; inplace-fixer checks files up to 10 MB)")
    assert (root / "huge.py").stat().st_size > 49 * 1024 * 1024


def test_a_symlink_loop_is_named_for_each_link(hostile_run) -> None:
    _, run = hostile_run
    for name in ("loop_a.py", "loop_b.py"):
        (line,) = _error_lines(run, name)
        assert line.endswith(": cannot read: a symlink loop (too many levels of symbolic links)")


def test_a_symlink_loop_named_on_the_command_line_is_that_files_error(tmp_path: Path) -> None:
    (tmp_path / "loop_a.py").symlink_to(tmp_path / "loop_b.py")
    (tmp_path / "loop_b.py").symlink_to(tmp_path / "loop_a.py")
    (tmp_path / "good.py").write_bytes(INPLACE)
    run = subprocess.run(
        [sys.executable, "-m", "inplace_fixer", "check", "loop_a.py", "good.py", "--no-cache"],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
    )
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert run.stderr.splitlines()[0] == "loop_a.py: cannot read: a symlink loop (too many levels of symbolic links)"
    assert "good.py:" in run.stdout


def test_every_error_line_counts_as_a_file_not_checked(hostile_run) -> None:
    _, run = hostile_run
    expected = len(HOSTILE) + 3  # + huge.py and the two links of the loop
    assert f"{expected} files were not checked." in run.stderr


# ---------------------------------------------------------------------------------------------
# Files that change under the run, and files the user may not read


def _run_in_process(args: list[str]):
    return CliRunner().invoke(cli.cli, args)


def test_a_file_deleted_between_discovery_and_reading(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "a_vanishes.py").write_bytes(INPLACE)
    (tmp_path / "b_stays.py").write_bytes(INPLACE)
    discover = files.discover

    def discover_then_delete(*args, **kwargs):
        found = list(discover(*args, **kwargs))
        (tmp_path / "a_vanishes.py").unlink()
        yield from found

    monkeypatch.setattr(files, "discover", discover_then_delete)
    result = _run_in_process(["check", str(tmp_path), "--apply"])
    assert result.exit_code == 2
    assert "a_vanishes.py: cannot read: No such file or directory" in result.output
    assert (tmp_path / "b_stays.py").read_bytes() == FIXED


def test_a_file_replaced_by_a_directory_after_discovery(tmp_path: Path) -> None:
    (tmp_path / "x.py").mkdir()
    with pytest.raises(files.ReadError, match="is a directory, not a file"):
        files.read_source(tmp_path / "x.py")


def test_a_named_pipe_does_not_block_the_run(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.py")  # opening it for reading would wait for a writer forever
    with pytest.raises(files.ReadError, match=r"not a regular file \(a pipe, socket or device\)"):
        files.read_source(tmp_path / "pipe.py")


# Root reads a chmod 000 file anyway (CAP_DAC_OVERRIDE). As root the check runs without the two
# capabilities that bypass file permissions, which is what an ordinary user has.
_DROP_FILE_OVERRIDES = [
    "setpriv",
    "--inh-caps=-dac_override,-dac_read_search",
    "--bounding-set=-dac_override,-dac_read_search",
]


def test_an_unreadable_file(tmp_path: Path) -> None:
    prefix: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root, which reads a chmod 000 file, and no setpriv to drop that right")
        prefix = _DROP_FILE_OVERRIDES
    (tmp_path / "secret.py").write_bytes(INPLACE)
    (tmp_path / "secret.py").chmod(0)
    (tmp_path / "good.py").write_bytes(INPLACE)
    run = subprocess.run(
        [*prefix, sys.executable, "-m", "inplace_fixer", "check", str(tmp_path), "--apply"],
        capture_output=True, text=True, cwd=REPO_ROOT, timeout=120,
    )
    assert run.returncode == 2, run.stderr
    assert f"{tmp_path}/secret.py: cannot read: Permission denied" in run.stderr.splitlines()
    assert (tmp_path / "good.py").read_bytes() == FIXED
    (tmp_path / "secret.py").chmod(0o644)
    assert (tmp_path / "secret.py").read_bytes() == INPLACE


# ---------------------------------------------------------------------------------------------
# Bytes a rewrite must keep


def _apply(tmp_path: Path, data: bytes) -> bytes:
    path = tmp_path / "model.py"
    path.write_bytes(data)
    result = _run_in_process(["check", str(path), "--apply"])
    assert result.exit_code == 0, result.output
    return path.read_bytes()


def test_tabs_mixed_with_spaces_keep_their_bytes(tmp_path: Path) -> None:
    data = (
        b"import torch\n"
        b"x = torch.ones(2, requires_grad=True) * 2\n"
        b"if x.sum() > 0:\n"
        b"\ty = x * 1\n"
        b"\ty *= 3  \t# a tab before the comment\n"
        b"else:\n"
        b"        y = x * 1\n"
        b"        y *= 3\n"
    )
    expected = data.replace(b"\ty *= 3", b"\ty = y * 3").replace(b" y *= 3", b" y = y * 3")
    assert _apply(tmp_path, data) == expected


@pytest.mark.parametrize("ending", [b"\r", b"\r\n", b"\n"], ids=["cr", "crlf", "lf"])
def test_line_endings_and_form_feeds_round_trip(tmp_path: Path, ending: bytes) -> None:
    lines = [b"import torch", b"\x0c", b"x = torch.ones(2, requires_grad=True) * 2  \x0c",
             b"x *= 3", b"\x0c", b"y = x", b""]
    data = ending.join(lines)
    expected = data.replace(b"x *= 3", b"x = x * 3")
    assert _apply(tmp_path, data) == expected


def test_a_line_starting_with_a_form_feed_is_reported_not_rewritten(tmp_path: Path) -> None:
    """libcst drops a form feed at the start of a line; the engine edits only lines libcst
    reproduced exactly, so this one keeps its bytes and its finding is left for the user."""
    path = tmp_path / "model.py"
    data = b"import torch\nx = torch.ones(2, requires_grad=True) * 2\n\x0cx *= 3\n"
    path.write_bytes(data)
    result = _run_in_process(["check", str(path), "--apply"])
    assert result.exit_code == 1
    assert "IPF001" in result.output and "(0 fixed, 1 remaining)" in result.output
    assert path.read_bytes() == data


def test_the_guard_limits_are_what_the_errors_say() -> None:
    assert guard.MAX_SOURCE_BYTES == 10 * 1024 * 1024 and guard.MAX_NESTING == 200
    assert guard.source_problem("y = " + "-" * 190 + "x\n") is None
    assert guard.source_problem("y = " + "-" * 200 + "x\n") == (
        "nested 204 levels deep; inplace-fixer analyses at most 200"
    )


def test_python_syntax_warnings_are_not_printed(tmp_path: Path) -> None:
    # A real process: pytest records warnings itself, which would hide a printed one.
    (tmp_path / "odd.py").write_bytes(INPLACE + b"y = 1if x is None else 2\n")
    run = subprocess.run(
        [sys.executable, "-m", "inplace_fixer", "check", str(tmp_path / "odd.py")],
        capture_output=True, text=True, cwd=REPO_ROOT, timeout=120,
    )
    assert run.returncode == 1, run.stderr
    assert "SyntaxWarning" not in run.stderr and "IPF001" in run.stdout
