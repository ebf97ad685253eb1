"""Batch runs of ``check``: the process pool (same output as one process), the result cache (hits,
what invalidates an entry, damaged entries) and the progress bar (only on a terminal)."""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import inplace_fixer
from inplace_fixer import cli, engine
from inplace_fixer.batch import pool
from inplace_fixer.batch.cache import Cache, plan
from inplace_fixer.batch.shares import ShareQueues, split_into_shares
from inplace_fixer.model import Config, FileResult

REPO_ROOT = Path(inplace_fixer.__file__).resolve().parent.parent
GOLDEN = REPO_ROOT / "golden"


def run_cli(*args: str, cwd: Path = REPO_ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "inplace_fixer", *args], cwd=cwd, capture_output=True,
        env={**os.environ, **(env or {})},
    )


# ---------------------------------------------------------------------------------------------
# --jobs


@pytest.mark.parametrize("mode", [["--format", "json"], ["--diff"], []])
def test_jobs_2_prints_byte_for_byte_what_jobs_1_prints(mode: list[str]) -> None:
    serial = run_cli("check", "golden/", "--no-cache", "--jobs", "1", *mode)
    parallel = run_cli("check", "golden/", "--no-cache", "--jobs", "2", *mode)
    assert serial.returncode == parallel.returncode == 1
    assert serial.stdout and serial.stdout == parallel.stdout
    assert serial.stderr == parallel.stderr


def record_pid(path: Path, config, write_back, defer_write, check=None) -> cli.FileOutcome:
    # As long as a small file's check: instant tasks let the first worker up take every chunk
    # before the second has started, on a loaded machine.
    time.sleep(0.05)
    return cli.FileOutcome(FileResult(path=f"{path}|{os.getpid()}", source="", fixed_source=""))


def test_the_pool_really_runs_files_in_other_processes_and_keeps_their_order(tmp_path: Path) -> None:
    paths = [tmp_path / f"m{index:02}.py" for index in range(40)]
    job = pool.Job(record_pid, None, Config(), cli.WriteBack.CHECK, False, None)
    seen = []
    outcomes = pool.run(job, [(path, plan([path], Config(), None)[path]) for path in paths], 2, seen.append)
    names = [outcome.result.path.split("|")[0] for outcome in outcomes]
    pids = {outcome.result.path.split("|")[1] for outcome in outcomes}
    assert names == [str(path) for path in paths]
    assert str(os.getpid()) not in pids and len(pids) == 2
    assert len(seen) == 40


def record_collector(path: Path, config, write_back, defer_write, check=None) -> cli.FileOutcome:
    import gc

    return cli.FileOutcome(FileResult(path=f"{path}|{gc.get_threshold()[0]}|{gc.isenabled()}", source="", fixed_source=""))


def test_the_workers_and_the_cli_collect_garbage_less_often(tmp_path: Path) -> None:
    import gc

    from inplace_fixer.collector import YOUNG_COLLECTION_EVERY

    paths = [tmp_path / f"m{index:02}.py" for index in range(10)]
    job = pool.Job(record_collector, None, Config(), cli.WriteBack.CHECK, False, None)
    outcomes = pool.run(job, [(path, plan([path], Config(), None)[path]) for path in paths], 2, lambda _: None)
    assert {outcome.result.path.split("|")[1] for outcome in outcomes} == {str(YOUNG_COLLECTION_EVERY)}
    # Each file is checked with the collector off (collector.one_file), here and in the workers.
    assert {outcome.result.path.split("|")[2] for outcome in outcomes} == {"False"}
    here = pool.run(job, [(path, plan([path], Config(), None)[path]) for path in paths[:2]], 1, lambda _: None)
    assert {outcome.result.path.split("|")[2] for outcome in here} == {"False"}
    assert gc.isenabled()
    code = (
        "import gc, sys; from click.testing import CliRunner; from inplace_fixer import cli; "
        "before = gc.get_threshold()[0]; CliRunner().invoke(cli.cli, ['check', sys.argv[1]]); "
        "print(before, gc.get_threshold()[0])"
    )
    (tmp_path / "empty.py").write_text("x = 1\n")
    shown = subprocess.run([sys.executable, "-c", code, str(tmp_path / "empty.py")], capture_output=True, text=True)
    assert shown.stdout.split() == ["700", str(YOUNG_COLLECTION_EVERY)]


def test_shares_are_consecutive_and_weigh_about_the_same() -> None:
    sizes = [400, 10, 10, 300, 0, 0, 50, 50, 900, 20, 20, 20]
    for workers in (2, 3, 4):
        shares = split_into_shares(sizes, workers)
        assert len(shares) == workers
        assert [index for share in shares for index in share] == list(range(len(sizes)))
        weights = [size + 1 for size in sizes]
        for number, share in enumerate(shares[:-1], start=1):
            # Each split falls at the boundary between files nearest its share of the total.
            target = sum(weights) * number / workers
            here = sum(weights[: share.stop])
            for moved in (share.stop - 1, share.stop + 1):
                if 0 <= moved <= len(sizes):
                    assert abs(here - target) <= abs(sum(weights[:moved]) - target)
    assert split_into_shares([0] * 40, 2) == [range(0, 20), range(20, 40)], "empty files count too"
    assert split_into_shares([1000, 1, 1, 1], 2) == [range(0, 1), range(1, 4)]


def test_a_worker_whose_share_is_done_takes_the_end_of_the_share_with_most_left() -> None:
    sizes = [10] * 16 + [1000] * 2 + [10] * 14  # share 0: the first 16 files; share 1: the rest
    queues = ShareQueues(sizes, 2)
    assert queues.shares == [range(0, 17), range(17, 32)]
    assert [queues.next_for(1) for _ in range(4)] == [range(17, 19), range(19, 21), range(21, 23), range(23, 25)]
    # Worker 0 works through its own share from the start, in path order.
    assert [queues.next_for(0) for _ in range(2)] == [range(0, 2), range(2, 4)]
    left_of_share_1 = [queues.next_for(1) for _ in range(4)]
    assert left_of_share_1 == [range(25, 27), range(27, 29), range(29, 31), range(31, 32)]
    # Share 1 is done: worker 1 takes the last chunk of share 0, the only one with anything left.
    assert queues.next_for(1) == range(16, 17)
    assert queues.next_for(0) == range(4, 6)
    taken = [queues.next_for(1) for _ in range(5)]
    assert taken == [range(14, 16), range(12, 14), range(10, 12), range(8, 10), range(6, 8)]
    assert queues.next_for(0) is None and queues.next_for(1) is None
    empty = ShareQueues([0] * 8, 2)
    assert [empty.next_for(0) for _ in range(4)] == [range(0, 1), range(1, 2), range(2, 3), range(3, 4)]
    assert empty.next_for(0) == range(7, 8), "empty files are still work to take over"


def record_plan(path: Path, config, write_back, defer_write, check=None) -> cli.FileOutcome:
    from inplace_fixer.inference.imports import RESOLVER

    if path.name.startswith("slow"):
        time.sleep(0.15)
    planned = RESOLVER.planned or frozenset()
    shown = f"{path}|{os.getpid()}|{path.resolve() in planned}|{len(planned)}"
    return cli.FileOutcome(FileResult(path=shown, source="", fixed_source=""))


def test_each_worker_plans_its_share_and_takes_over_the_end_of_a_slow_one(tmp_path: Path) -> None:
    paths = [tmp_path / f"{'slow' if index < 20 else 'z'}{index:02}.py" for index in range(40)]
    for path in paths:
        path.write_text("x = 1\n")
    job = pool.Job(record_plan, None, Config(), cli.WriteBack.CHECK, False, None)
    seen = []
    outcomes = pool.run(job, [(path, plan([path], Config(), None)[path]) for path in paths], 2, seen.append)
    rows = [outcome.result.path.split("|") for outcome in outcomes]
    assert [row[0] for row in rows] == [str(path) for path in paths] and len(seen) == 40
    fast_share = rows[20:]
    assert len({row[1] for row in fast_share}) == 1 and {row[2:] for row in map(tuple, fast_share)} == {("True", "20")}
    fast_worker = fast_share[0][1]
    slow_share = rows[:20]
    own = [row for row in slow_share if row[1] != fast_worker]
    taken = [row for row in slow_share if row[1] == fast_worker]
    assert own and {tuple(row[2:]) for row in own} == {("True", "20")}, "the slow share's worker planned it"
    # The fast worker finished its share, then took the end of the slow one, unplanned there.
    assert taken and {tuple(row[2:]) for row in taken} == {("False", "20")}
    assert [row[0] for row in slow_share] == [row[0] for row in own + taken], "it took the end, the last files"


def test_jobs_must_be_positive() -> None:
    result = CliRunner().invoke(cli.cli, ["check", "examples/", "--jobs", "0"])
    assert result.exit_code == 2 and "must be 1 or more" in result.output


# ---------------------------------------------------------------------------------------------
# The cache


def copy_examples(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    shutil.copytree(REPO_ROOT / "examples", tree)
    return tree


def test_a_warm_run_reads_every_result_from_the_cache_and_prints_the_same(tmp_path: Path, monkeypatch) -> None:
    tree = copy_examples(tmp_path)
    cache_dir = tmp_path / "cache"
    runner = CliRunner()
    cold = runner.invoke(cli.cli, ["check", str(tree), "--cache-dir", str(cache_dir), "-j", "1"])
    assert cold.exit_code == 1 and "IPF002" in cold.output
    cold_diff = runner.invoke(cli.cli, ["check", str(tree), "--diff", "--no-cache"])

    calls = []
    real = engine.check_source

    def counting(*args, **kwargs):
        calls.append(args[1])
        return real(*args, **kwargs)

    counting.__module__, counting.__qualname__ = real.__module__, real.__qualname__
    monkeypatch.setattr(engine, "check_source", counting)
    warm = runner.invoke(cli.cli, ["check", str(tree), "--cache-dir", str(cache_dir), "-j", "1"])
    assert warm.output == cold.output and warm.exit_code == 1
    assert calls == []
    # The same through --diff: the fixed source comes from the cache too.
    warm_diff = runner.invoke(cli.cli, ["check", str(tree), "--diff", "--cache-dir", str(cache_dir)])
    assert warm_diff.output == cold_diff.output and "+        h = h * self.scale" in warm_diff.output
    assert calls == []
    assert (cache_dir / ".gitignore").read_text().splitlines()[-1] == "*"


def test_no_cache_writes_nothing(tmp_path: Path) -> None:
    tree = copy_examples(tmp_path)
    result = CliRunner().invoke(cli.cli, ["check", str(tree), "--no-cache", "--cache-dir", str(tmp_path / "c")])
    assert result.exit_code == 1
    assert not (tmp_path / "c").exists()


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_editing_an_imported_project_file_invalidates_its_importers_only(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    write(pkg / "__init__.py", "")
    layers = write(pkg / "layers.py", "import torch\n\ndef act(x):\n    return x\n")
    model = write(pkg / "model.py", "from .layers import act\nimport torch\nx = torch.ones(2)\nx *= 2\n")
    user = write(pkg / "user.py", "from pkg import model\n")
    other = write(tmp_path / "other.py", "import os\ny = 1\ny += 1\n")
    paths = [pkg / "__init__.py", layers, model, user, other]
    cache = Cache.open(tmp_path / "cache")
    before = plan(paths, Config(), cache)
    layers.write_text("import torch\n\ndef act(x):\n    return x * 2\n")
    after = plan(paths, Config(), cache)
    changed = {path.name for path in paths if before[path].context != after[path].context}
    assert changed == {"model.py", "user.py"}  # user imports model, which imports layers
    # The configuration is part of every key.
    unsafe = plan(paths, Config(unsafe_fixes=True), cache)
    assert all(unsafe[path].context != after[path].context for path in paths)


def test_a_changed_file_misses_and_a_damaged_entry_is_recomputed(tmp_path: Path) -> None:
    tree = copy_examples(tmp_path)
    cache_dir = tmp_path / "cache"
    args = ["check", str(tree), "--cache-dir", str(cache_dir), "-j", "1", "--format", "json"]
    runner = CliRunner()
    cold = runner.invoke(cli.cli, args).output
    for entry in (cache_dir / "results").rglob("*.json"):
        entry.write_text("{not json")
    assert runner.invoke(cli.cli, args).output == cold
    target = tree / "scaled_tanh_layer.py"
    target.write_text(target.read_text().replace("h.mul_(self.scale)", "h = h * self.scale"))
    warm = runner.invoke(cli.cli, args).output
    assert "scaled_tanh_layer" in cold and "scaled_tanh_layer" not in warm


# ---------------------------------------------------------------------------------------------
# The progress bar


def run_with_terminal_stderr(*args: str) -> tuple[bytes, bytes]:
    """Run the CLI with standard error on a pseudo-terminal; return (stdout, what the terminal got)."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "inplace_fixer", *args], cwd=REPO_ROOT, stdout=subprocess.PIPE,
        stderr=terminal,
    )
    os.close(terminal)
    # Standard output is read at the same time: the child blocks once a pipe's buffer is full.
    collected: list[bytes] = []
    reader = threading.Thread(target=lambda: collected.append(process.stdout.read()))
    reader.start()
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    reader.join()
    stdout = collected[0]
    process.wait()
    os.close(controller)
    return stdout, shown


def test_a_progress_bar_on_a_terminal_and_none_with_quiet_or_on_a_pipe() -> None:
    stdout, shown = run_with_terminal_stderr("check", "golden/", "--no-cache", "-j", "1")
    assert b"files, " in shown and b"findings" in shown and b"<" in shown  # elapsed<ETA
    total = len(list(cli.files.discover(["golden/"])))
    assert f"{total}/{total} files".encode() in shown
    quiet_stdout, quiet_shown = run_with_terminal_stderr("check", "golden/", "--no-cache", "-j", "1", "--quiet")
    assert b"files, " not in quiet_shown and quiet_stdout == stdout
    piped = run_cli("check", "golden/", "--no-cache", "-j", "1")
    assert b"files, " not in piped.stderr and piped.stdout == stdout
