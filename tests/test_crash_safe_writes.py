"""Crash-safe writes (issue 12, section 4): ``check --apply`` killed with SIGKILL at 20 seeded
moments while it writes leaves every file with its old or its new bytes, in one process
(``--jobs 1``, a 500-file tree) and with two pool workers (``--jobs 2``, 100 files a trial, to
stay within the time of the first series); the workers end with the killed run, and neither
the tree, the result cache nor the temporary directory keeps a temporary file.

The trials are ``tools/kill_apply.py`` (which runs longer series); each kill lands once a
seeded number of files has been written, plus a random pause of up to 20 ms.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from inplace_fixer import safe_write
from tools import kill_apply

TRIALS = 20
# (jobs, files per trial, first seed)
SERIES = {"jobs1": (1, 500, 0), "jobs2": (2, 100, 1000)}


@pytest.fixture(scope="module", params=sorted(SERIES))
def series(request) -> tuple[int, list[kill_apply.Trial]]:
    jobs, files, first_seed = SERIES[request.param]
    # A second run, which costs a full run, after every fifth trial and after any that left a
    # temporary file: it must finish every file and remove that file.
    return files, kill_apply.run_trials(TRIALS, files, first_seed, extra=[], rerun_every=5, jobs=jobs)


@pytest.fixture
def trials(series) -> list[kill_apply.Trial]:
    return series[1]


def test_every_file_is_old_or_new_after_each_kill(series) -> None:
    files, trials = series
    assert len(trials) == TRIALS
    assert [(t.seed, t.bad) for t in trials if t.bad] == []
    for trial in trials:
        assert trial.old + trial.new == files


def test_no_process_of_the_run_outlives_it(trials) -> None:
    assert [(t.seed, t.survivors) for t in trials if t.survivors] == []


def test_the_kills_land_while_files_are_being_written(trials) -> None:
    # Otherwise the trials would prove nothing: most must leave some files old and some new.
    assert sum(trial.mid_run for trial in trials) >= TRIALS // 2


def test_no_temporary_file_outlives_the_next_run(trials) -> None:
    for trial in trials:
        assert len(trial.temps_after_kill) <= 1, trial
        assert trial.incomplete_temps == () and trial.incomplete_cache_temps == (), trial
        assert trial.stray_after_kill == (), trial  # multiprocessing's pymp-* directory
        assert trial.after_rerun_bad == () and trial.temps_after_rerun == (), trial


def test_a_cache_entry_is_written_whole_and_its_leftover_removed(tmp_path: Path) -> None:
    from inplace_fixer.batch.cache import Cache

    cache = Cache.open(tmp_path / "cache")
    cache.store("ab" + "0" * 62, {"findings": []})
    assert cache.load("ab" + "0" * 62) == {"findings": []}
    shard = tmp_path / "cache" / "results" / "ab"
    assert stat.S_IMODE((shard / ("ab" + "0" * 62 + ".json")).stat().st_mode) == 0o600
    # Left by a killed run (pid 2**22 + 1: no process has it) in a shard this process has not
    # written to yet; opening the cache removes it.
    other = tmp_path / "cache" / "results" / "cd"
    other.mkdir()
    (other / f".{'cd' * 32}.json.{2**22 + 1}{safe_write.TEMP_SUFFIX}").write_bytes(b"{}")
    Cache.open(tmp_path / "cache")
    assert safe_write.temp_files(other) == []


def _temps_after_a_write_beside(tmp_path: Path, left_by: int) -> tuple[list[Path], Path]:
    """Write a file next to a temporary file left by process ``left_by`` and one of a live run
    (this test's parent): the temporary files that remain, and the live run's."""
    target = tmp_path / "model.py"
    target.write_bytes(b"old")
    (tmp_path / f".other.py.{left_by}{safe_write.TEMP_SUFFIX}").write_bytes(b"left by a killed run")
    live = tmp_path / f".other.py.{os.getppid()}{safe_write.TEMP_SUFFIX}"
    live.write_bytes(b"another run, still writing")
    safe_write.replace_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    return safe_write.temp_files(tmp_path), live


def test_a_temporary_file_left_by_a_dead_process_is_removed(tmp_path: Path) -> None:
    # pid 2**22 + 1 is above Linux's largest pid, so no process has it.
    remaining, live = _temps_after_a_write_beside(tmp_path, 2**22 + 1)
    assert remaining == [live]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="process states are read from Linux's /proc")
def test_a_temporary_file_of_a_process_that_ended_unreaped_is_removed(tmp_path: Path) -> None:
    # A pool worker killed with its run may stay a zombie (a container's init may not reap it):
    # its pid is still taken, but it writes nothing more.
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 30
    while safe_write._zombie(ended.pid) is False and time.monotonic() < deadline:
        time.sleep(0.01)  # not reaped: this process does not wait for it yet
    try:
        assert safe_write._zombie(ended.pid)
        os.kill(ended.pid, 0)  # the pid is still taken
        remaining, live = _temps_after_a_write_beside(tmp_path, ended.pid)
        assert remaining == [live]
    finally:
        ended.wait()


def test_permissions_owner_and_symlink_are_kept(tmp_path: Path) -> None:
    real = tmp_path / "real.py"
    real.write_bytes(b"old")
    real.chmod(0o640)
    if os.geteuid() == 0:
        os.chown(real, 1234, 5678)
    link = tmp_path / "link.py"
    link.symlink_to(real)
    before = real.stat()
    safe_write.replace_bytes(link, b"new")
    after = real.stat()
    assert link.is_symlink() and real.read_bytes() == b"new"
    assert stat.S_IMODE(after.st_mode) == 0o640
    assert (after.st_uid, after.st_gid) == (before.st_uid, before.st_gid)
    assert after.st_ino != before.st_ino  # a new file renamed into place, not rewritten in place
    assert safe_write.temp_files(tmp_path) == []


POOL_SCRIPT = """
import multiprocessing, multiprocessing.util, os, sys, time
from concurrent.futures import ProcessPoolExecutor
from inplace_fixer.batch.lifeline import watch_run

if __name__ == "__main__":
    context = multiprocessing.get_context("forkserver")
    lifeline = (os.getpid(), multiprocessing.util.get_temp_dir())
    with ProcessPoolExecutor(1, mp_context=context, initializer=watch_run, initargs=lifeline) as pool:
        print(pool.submit(os.getpid).result(), lifeline[1], flush=True)
        time.sleep(120)
"""


def test_pool_workers_end_with_a_killed_run_and_remove_its_temporary_directory(tmp_path: Path) -> None:
    script = tmp_path / "pool_run.py"
    script.write_text(POOL_SCRIPT, encoding="utf-8")
    run = subprocess.Popen(
        [sys.executable, str(script)], cwd=kill_apply.REPO_ROOT, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "TMPDIR": str(tmp_path)}, start_new_session=True,
    )
    worker, temp_dir = run.stdout.readline().split()
    assert Path(temp_dir).is_dir() and Path(temp_dir).parent == tmp_path
    assert int(worker) in kill_apply._group_members(run.pid)
    run.kill()
    run.wait()
    assert kill_apply._wait_for_group(run.pid, kill_apply.SURVIVOR_SECONDS) == []
    assert not Path(temp_dir).exists()
