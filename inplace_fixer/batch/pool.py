"""Runs the per-file task over many files: in this process, in a local process pool, or on a Dask
cluster. Every executor returns the outcomes in the order of the paths it was given, so the output
is the same whatever ran it; ``on_done`` sees each outcome as it arrives (for the progress bar and
the resume journal), in completion order.

Files go to workers in small chunks: one message per chunk keeps the overhead of a pool low, and
small chunks keep both workers busy until the end. A chunk holds neighbouring files (a package's
files import each other, and each worker keeps its own cache of what it read of them), and the
largest chunks go first, so that no worker is left with a long file while the other waits.
"""

from __future__ import annotations

import math
import multiprocessing
import multiprocessing.util
import os
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from inplace_fixer import engine
from inplace_fixer.collector import collect_less_often, one_file
from inplace_fixer.inference.imports import RESOLVER
from inplace_fixer.batch.cache import Cache, CachedCheck, Planned
from inplace_fixer.batch.lifeline import watch_run
from inplace_fixer.batch.since import OnChangedLines
from inplace_fixer.model import Config

# Below this many files per worker, starting processes costs more than it saves.
MIN_FILES_PER_WORKER = 4
MAX_CHUNK = 16


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class Job:
    """What every file's task shares; sent to each worker with every chunk."""

    check_path: Callable[..., Any]  # (path, config, write_back, defer_write, check=...) -> outcome
    check_notebook: Callable[..., Any] | None  # the same for .ipynb files
    config: Config
    write_back: Any
    defer_write: bool
    cache: Cache | None


def run_one(job: Job, path: Path, planned: Planned, compute: Any = None) -> Any:
    """``compute``: what analyses the text, when not ``engine.check_source`` itself (a result
    computed on a cluster)."""
    check = compute or engine.check_source
    if job.cache is not None and planned.context is not None:
        check = CachedCheck(job.cache, planned.context, compute)
    if planned.lines is not None:
        check = OnChangedLines(check, planned.lines)
    task = job.check_notebook if path.suffix == ".ipynb" and job.check_notebook else job.check_path
    with one_file():  # collector.py: why
        outcome = task(path, job.config, job.write_back, job.defer_write, check=check)
    result = outcome.result
    if not result.changed and result.error is None and outcome.source is None:
        # Nothing needs the text of an unchanged file any more: leave it out, so the results a
        # large run keeps until the end (to print them in order) hold only findings.
        outcome = replace(outcome, result=replace(result, source="", fixed_source=""))
    return outcome


def run_chunk(job: Job, chunk: Sequence[tuple[Path, Planned]]) -> list[Any]:
    return [run_one(job, path, key) for path, key in chunk]


OnDone = Callable[[Any], None]


def run(
    job: Job,
    tasks: Sequence[tuple[Path, Planned]],
    jobs: int,
    on_done: OnDone,
    executor: str | None = None,
) -> list[Any]:
    """The outcomes of ``tasks`` (path, cache plan), in the same order. Files whose result is
    cached are read here; only the others are worth a worker."""
    if executor is not None:
        from inplace_fixer.batch.cluster import run_on_cluster

        return run_on_cluster(executor, job, tasks, on_done, MAX_CHUNK)
    misses = [index for index, (_, planned) in enumerate(tasks) if not planned.hit]
    workers = min(jobs, len(misses) // MIN_FILES_PER_WORKER)
    if workers <= 1:
        # One process checks them all: an import of one of them parses it whole, for its check
        # too (inference/parsed_files.py). A pool's workers do not plan: a file one imports is
        # mostly checked by the other (largest chunks first), and over transformers `models/`
        # at `--jobs 2` sharing cost 153 CPU-s against 148.
        with RESOLVER.planning(path for path, planned in tasks if not planned.hit):
            return _run_here(job, tasks, on_done)
    outcomes: list[Any] = [None] * len(tasks)
    hits = [index for index, (_, planned) in enumerate(tasks) if planned.hit]
    for index, outcome in zip(hits, _run_here(job, [tasks[i] for i in hits], on_done)):
        outcomes[index] = outcome
    for index, outcome in zip(misses, _run_in_pool(job, [tasks[i] for i in misses], workers, on_done)):
        outcomes[index] = outcome
    return outcomes


def _run_here(job: Job, tasks: Sequence[tuple[Path, Planned]], on_done: OnDone) -> list[Any]:
    outcomes = []
    for path, planned in tasks:
        outcomes.append(run_one(job, path, planned))
        on_done(outcomes[-1])
    return outcomes


def _chunks(tasks: Sequence[tuple[Path, Planned]], workers: int) -> list[list[tuple[Path, Planned]]]:
    size = max(1, min(MAX_CHUNK, math.ceil(len(tasks) / (workers * 8))))
    return [list(tasks[start : start + size]) for start in range(0, len(tasks), size)]


def _start_worker(run_pid: int, run_temp_dir: str | None) -> None:
    collect_less_often()  # collector.py: why
    watch_run(run_pid, run_temp_dir)


def largest_first(chunks: Sequence[Sequence[tuple[Path, Planned]]]) -> list[int]:
    """The chunks' indices, the chunk with the most bytes to read first (the size on disk is
    what the cost of a file follows; a file that vanished counts as empty)."""

    def size(path: Path) -> int:
        try:
            return path.stat().st_size
        except OSError:
            return 0

    totals = [sum(size(path) for path, _ in chunk) for chunk in chunks]
    return sorted(range(len(chunks)), key=lambda index: (-totals[index], index))


def _run_in_pool(job: Job, tasks: Sequence[tuple[Path, Planned]], workers: int, on_done: OnDone) -> list[Any]:
    chunks = _chunks(tasks, workers)
    results: list[list[Any] | None] = [None] * len(chunks)
    # forkserver: forking a process that may run threads (an editor, a test runner) is unsafe.
    context = multiprocessing.get_context("forkserver")
    lifeline = (os.getpid(), multiprocessing.util.get_temp_dir())  # batch/lifeline.py: why
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_start_worker, initargs=lifeline
    ) as pool:
        pending: dict[Future, int] = {
            pool.submit(run_chunk, job, chunks[index]): index for index in largest_first(chunks)
        }
        try:
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    index = pending.pop(future)
                    results[index] = future.result()
                    for outcome in results[index]:
                        on_done(outcome)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    return [outcome for chunk in results for outcome in chunk or ()]
