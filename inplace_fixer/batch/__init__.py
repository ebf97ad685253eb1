"""``check`` over many files: discovery, the result cache, the process pool (or a cluster), the
progress bar, ``--since``, ``--resume`` and the migration report. ``run_batch`` is the one call the
CLI makes; the per-file work itself stays the CLI's ``_check_path`` (read, check, diff or write one
file), handed in as ``check_path`` so that batch code never imports the CLI.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from inplace_fixer import files
from inplace_fixer.batch.cache import Cache, plan
from inplace_fixer.batch.options import BatchOptions, batch_options
from inplace_fixer.batch.pool import Job, run
from inplace_fixer.batch.progress import Progress
from inplace_fixer.batch.since import SinceError, changed_lines

__all__ = ["BatchError", "BatchOptions", "BatchRun", "batch_options", "run_batch"]


class BatchError(Exception):
    """A batch flag cannot be honoured (``--since`` outside git, ``--resume`` without --apply):
    a usage error, with the reason."""


@dataclass(frozen=True)
class BatchRun:
    outcomes: list[Any]  # the CLI's FileOutcome, one per file checked in this run, in path order
    # Files not checked in this run, with the reason: (display path, reason).
    skipped: list[tuple[str, str]] = field(default_factory=list)


def run_batch(
    paths: tuple[str, ...],
    settings: Any,
    write_back: Any,
    options: BatchOptions,
    *,
    check_path: Callable[..., Any],
    check_notebook: Callable[..., Any] | None = None,
    defer_write: bool = False,
) -> BatchRun:
    config = settings.config
    found = list(files.discover(paths, config, exclude_root=settings.root))
    skipped: list[tuple[str, str]] = []
    changed: dict[Path, frozenset[int] | None] | None = None
    if options.since is not None:
        try:
            first = Path(paths[0]).resolve()
            changed = changed_lines(options.since, first if first.is_dir() else first.parent)
        except SinceError as exc:
            raise BatchError(f"--since {options.since}: {exc}") from exc
        skipped = [(str(p), f"no line changed since {options.since}") for p in found if p.resolve() not in changed]
        found = [path for path in found if path.resolve() in changed]
    cache = None
    if options.cache:
        cache_dir = options.cache_dir if options.cache_dir.is_absolute() else settings.root / options.cache_dir
        cache = Cache.open(cache_dir)
    planned = plan(found, config, cache)
    if changed is not None:
        planned = {path: replace(planned[path], lines=changed[path.resolve()]) for path in found}
    job = Job(check_path, check_notebook, config, write_back, defer_write, cache)
    progress = Progress(len(found), enabled=not options.quiet)
    try:
        outcomes = run(job, [(path, planned[path]) for path in found], options.jobs, progress.done, options.executor)
    finally:
        progress.close()
    return BatchRun(outcomes, skipped)
