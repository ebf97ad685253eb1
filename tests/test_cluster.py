"""``--executor dask://HOST:PORT`` on a real Dask ``LocalCluster`` (two worker processes): results
byte for byte those of ``--jobs 1`` on the golden tree, and ``--apply`` writing the same files."""

from __future__ import annotations

import filecmp
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import inplace_fixer

distributed = pytest.importorskip("distributed", reason="needs the distributed extra")

REPO_ROOT = Path(inplace_fixer.__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def scheduler() -> str:
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        yield cluster.scheduler_address.replace("tcp://", "dask://")


def run_cli(*args: str, cwd: Path = REPO_ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "inplace_fixer", "check", *args], cwd=cwd, capture_output=True)


@pytest.mark.parametrize("mode", [["--format", "json"], ["--diff"]], ids=["json", "diff"])
def test_the_cluster_gives_byte_for_byte_what_jobs_1_gives_on_golden(scheduler: str, mode: list[str]) -> None:
    local = run_cli("golden/", "--no-cache", "--jobs", "1", *mode)
    remote = run_cli("golden/", "--no-cache", "--executor", scheduler, *mode)
    assert local.returncode == remote.returncode == 1
    assert len(local.stdout) > 10_000
    assert remote.stdout == local.stdout
    assert remote.stderr == local.stderr


def test_apply_on_the_cluster_writes_what_a_local_run_writes(scheduler: str, tmp_path: Path) -> None:
    for name in ("local", "remote"):
        shutil.copytree(REPO_ROOT / "golden" / "methods", tmp_path / name)
    local = run_cli(str(tmp_path / "local"), "--apply", "--no-cache", "--jobs", "1")
    remote = run_cli(str(tmp_path / "remote"), "--apply", "--no-cache", "--executor", scheduler)
    assert local.returncode == remote.returncode
    comparison = filecmp.dircmp(tmp_path / "local", tmp_path / "remote")
    assert comparison.diff_files == [] and comparison.left_only == [] and comparison.right_only == []
    assert any(
        (tmp_path / "local" / name).read_bytes() != (REPO_ROOT / "golden" / "methods" / name).read_bytes()
        for name in comparison.common_files
    )


def test_an_executor_must_be_a_dask_address() -> None:
    result = run_cli("examples/", "--executor", "spark://x:1")
    assert result.returncode == 2 and b"expected dask://HOST:PORT" in result.stderr
