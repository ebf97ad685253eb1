"""Runs the per-file task over many files: in this process, in a local process pool, or on a Dask
cluster. Every executor returns the outcomes in the order of the paths it was given, so the output
is the same whatever ran it; ``on_done`` sees each outcome as it arrives (for the progress bar and
the resume journal), in completion order.

In a local pool each worker owns a share of the files, consecutive in path order, which it plans
as one process does, and gets it in small chunks (one message per chunk keeps the overhead of a
pool low); a worker whose share is done takes chunks from the end of the others' (shares.py).
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.util
import os
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from inplace_fixer import engine
from inplace_fixer.collector import collect_less_often, one_file
from inplace_fixer.inference.imports import RESOLVER
from inplace_fixer.batch.cache import Cache, CachedCheck, Planned
from inplace_fixer.batch.lifeline import watch_run
from inplace_fixer.batch.shares import MAX_CHUNK, ShareQueues, size_on_disk
from inplace_fixer.batch.since import OnChangedLines
from inplace_fixer.model import Config

# Below this many files per worker, starting processes costs more than it saves.
MIN_FILES_PER_WORKER = 4
# Chunks sent ahead to each worker: the next is waiting when one is done.
CHUNKS_AHEAD = 2


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
        # too (inference/parsed_files.py). A pool's worker plans its own share (shares.py).
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


# What a worker plans for its whole life (its share): entered by the initializer, never left.
_PLAN = ExitStack()


def _start_worker(run_pid: int, run_temp_dir: str | None, share: Sequence[Path] = ()) -> None:
    collect_less_often()  # collector.py: why
    watch_run(run_pid, run_temp_dir)
    _PLAN.enter_context(RESOLVER.planning(share))


def _run_in_pool(job: Job, tasks: Sequence[tuple[Path, Planned]], workers: int, on_done: OnDone) -> list[Any]:
    queues = ShareQueues([size_on_disk(path) for path, _ in tasks], workers)
    results: dict[int, list[Any]] = {}
    # forkserver: forking a process that may run threads (an editor, a test runner) is unsafe.
    context = multiprocessing.get_context("forkserver")
    lifeline = (os.getpid(), multiprocessing.util.get_temp_dir())  # batch/lifeline.py: why
    pending: dict[Future, tuple[int, range]] = {}
    with ExitStack() as stack:
        # One single-process executor per worker, so that each chunk goes to the worker that planned it.
        executors = [
            stack.enter_context(ProcessPoolExecutor(
                max_workers=1, mp_context=context, initializer=_start_worker,
                initargs=(*lifeline, [tasks[index][0] for index in share]),
            ))
            for share in queues.shares
        ]

        def send_next(worker: int) -> None:
            chunk = queues.next_for(worker)
            if chunk is not None:
                future = executors[worker].submit(run_chunk, job, [tasks[index] for index in chunk])
                pending[future] = (worker, chunk)

        try:
            for worker in range(len(executors)):
                for _ in range(CHUNKS_AHEAD):
                    send_next(worker)
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    worker, chunk = pending.pop(future)
                    results[chunk.start] = future.result()
                    for outcome in results[chunk.start]:
                        on_done(outcome)
                    send_next(worker)
        except BaseException:
            for executor in executors:
                executor.shutdown(wait=False, cancel_futures=True)
            raise
    return [outcome for start in sorted(results) for outcome in results[start]]
