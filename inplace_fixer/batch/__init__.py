"""``check`` over many files: discovery, the result cache, the process pool (or a cluster), the
progress bar, ``--since``, ``--resume`` and the migration report. ``run_batch`` is the one call the
CLI makes, and ``finish_batch`` writes the report once the CLI has verified and printed; the
per-file work itself stays the CLI's ``_check_path`` (read, check, diff or write one file), handed
in as ``check_path`` so that batch code never imports the CLI.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from inplace_fixer import files, guard
from inplace_fixer.batch import report
from inplace_fixer.batch.cache import Cache, plan
from inplace_fixer.batch.cluster import ExecutorError
from inplace_fixer.batch.journal import Journal, run_identity
from inplace_fixer.batch.options import BatchOptions, batch_options
from inplace_fixer.batch.pool import Job, run
from inplace_fixer.batch.progress import Progress
from inplace_fixer.batch.since import SinceError, changed_lines

__all__ = ["BatchError", "BatchOptions", "BatchRun", "batch_options", "finish_batch", "run_batch"]


class BatchError(Exception):
    """A batch flag cannot be honoured (``--since`` outside git, ``--resume`` without --apply, a
    report that cannot be written): a usage error, with the reason."""


@dataclass(frozen=True)
class BatchRun:
    outcomes: list[Any]  # the CLI's FileOutcome, one per file checked (or done earlier), in path order
    options: BatchOptions
    mode: str  # "check", "diff" or "apply"
    # Files not checked, with the reason: (path, reason).
    skipped: list[tuple[str, str]] = field(default_factory=list)
    # Paths an interrupted run had done, with the status it recorded.
    earlier: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # for the user, on stderr


def refuse_stdin(flags: dict[str, Any]) -> None:
    for flag in ("since", "report", "resume", "executor"):
        if flags.get(flag):
            raise BatchError(f"--{flag} needs files, not standard input")


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
    mode = write_back.value
    if options.resume and (mode != "apply" or defer_write):
        raise BatchError("--resume continues an interrupted --apply (without --verify)")
    config = settings.config
    found = list(files.discover(paths, config, exclude_root=settings.root))
    state_dir = options.cache_dir if options.cache_dir.is_absolute() else settings.root / options.cache_dir
    batch_run = BatchRun([], options, mode)

    changed: dict[Path, frozenset[int] | None] | None = None
    if options.since is not None:
        try:
            first = guard.identity(Path(paths[0]))
            changed = changed_lines(options.since, first if first.is_dir() else first.parent)
        except SinceError as exc:
            raise BatchError(f"--since {options.since}: {exc}") from exc
        batch_run.skipped.extend(
            (str(p), f"no line changed since {options.since}") for p in found if guard.identity(p) not in changed
        )
        found = [path for path in found if guard.identity(path) in changed]

    journal = None
    earlier: dict[Path, Any] = {}
    if mode == "apply" and not defer_write:
        flags = f"since={options.since}"
        journal = Journal.open(state_dir, run_identity(found, config, flags), resume=options.resume)
        if options.resume and not journal.done:
            batch_run.notes.append("--resume: no interrupted run of these files to resume; checking all of them")
        for path in found:
            if str(guard.identity(path)) in journal.done:
                status, result = journal.result_of(path)
                earlier[path] = _Done(result)
                batch_run.earlier[result.path] = f"{status} (earlier run)"
        if earlier:
            batch_run.notes.append(f"--resume: {len(earlier)} files were done by the interrupted run; not checked again")
        try:
            journal.start()
        except OSError as exc:  # a read-only checkout still gets its fixes, only not resumable
            batch_run.notes.append(f"{journal.path}: cannot keep a resume journal: {exc.strerror or exc}")
            journal = None

    todo = [path for path in found if path not in earlier]
    cache = Cache.open(state_dir) if options.cache else None
    planned = plan(todo, config, cache)
    if changed is not None:
        # A notebook's lines are JSON, not the program's: a changed notebook is changed everywhere.
        planned = {
            path: replace(planned[path], lines=None if path.suffix == ".ipynb" else changed[guard.identity(path)])
            for path in todo
        }
    job = Job(check_path, check_notebook, config, write_back, defer_write, cache)
    progress = Progress(len(todo), enabled=not options.quiet)

    def done(outcome: Any) -> None:
        progress.done(outcome)
        if journal is not None:
            result = outcome.result
            status = "failed" if result.error else "changed" if result.changed else "unchanged"
            journal.record(Path(result.path), status, result)

    try:
        outcomes = run(job, [(path, planned[path]) for path in todo], options.jobs, done, options.executor)
    except ExecutorError as exc:
        raise BatchError(f"--executor {options.executor}: {exc}") from exc
    finally:
        progress.close()
        if journal is not None:
            journal.close()
    if journal is not None:
        journal.finish()
    by_path = dict(zip(todo, outcomes)) | earlier
    batch_run.outcomes.extend(by_path[path] for path in found)
    return batch_run


@dataclass(frozen=True)
class _Done:
    """A file an interrupted run finished: its recorded result stands in for an outcome."""

    result: Any
    diff: str = ""
    encoding: str = "utf-8"
    source: Any = None
    path: Any = None
    verdict: Any = None


def finish_batch(batch_run: BatchRun, outcomes: list[Any], display_path: Callable[[str], str]) -> list[str]:
    """Write the migration report if one was asked for; return what to tell the user."""
    if batch_run.options.report is None:
        return batch_run.notes
    lines = report.file_lines(outcomes, batch_run.mode, batch_run.earlier, batch_run.skipped)
    try:
        json_path = report.write(batch_run.options.report, report.build(lines, batch_run.mode, display_path))
    except OSError as exc:
        raise BatchError(f"{batch_run.options.report}: cannot write the report: {exc.strerror or exc}") from exc
    return [*batch_run.notes, f"Migration report: {display_path(str(batch_run.options.report))}, {display_path(str(json_path))}"]
