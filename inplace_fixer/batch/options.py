"""The flags of a batch run (``check`` over many files), declared once as click options so that
``cli.py`` adds them with one decorator and receives them as one value."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from inplace_fixer.batch.cache import DEFAULT_DIRECTORY
from inplace_fixer.batch.pool import default_jobs


@dataclass(frozen=True)
class BatchOptions:
    jobs: int
    cache: bool
    cache_dir: Path
    quiet: bool
    since: str | None
    report: Path | None
    resume: bool
    executor: str | None

    @classmethod
    def from_flags(cls, flags: dict[str, Any]) -> BatchOptions:
        return cls(
            jobs=flags["jobs"] or default_jobs(),
            cache=not flags["no_cache"],
            # Given: relative to the current directory, as any path argument. The default is in the
            # directory of the configuration file (the project), wherever the command runs.
            cache_dir=flags["cache_dir"].resolve() if flags["cache_dir"] else Path(DEFAULT_DIRECTORY),
            quiet=flags["quiet"],
            since=flags["since"],
            report=flags["report"],
            resume=flags["resume"],
            executor=flags["executor"],
        )


def _positive(ctx: click.Context, param: click.Parameter, value: int | None) -> int | None:
    if value is not None and value < 1:
        raise click.BadParameter("must be 1 or more")
    return value


def _executor(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not value.startswith(("dask://", "tcp://")):
        raise click.BadParameter("expected dask://HOST:PORT (the address of a Dask scheduler)")
    return value


BATCH_OPTIONS = [
    click.option(
        "--jobs", "-j", type=int, callback=_positive, metavar="N",
        help="Check files in N processes (default: the number of cores). Output is in the same "
        "order whatever N is.",
    ),
    click.option("--no-cache", is_flag=True, help="Neither read nor write the result cache."),
    click.option(
        "--cache-dir", type=click.Path(file_okay=False, path_type=Path),
        envvar="INPLACE_FIXER_CACHE_DIR", show_envvar=True,
        help=f"Where the result cache lives (default: {DEFAULT_DIRECTORY}/ in the directory of "
        "the configuration file, else the current directory).",
    ),
    click.option("--quiet", "-q", is_flag=True, help="No progress bar, even on a terminal."),
    click.option(
        "--since", metavar="REV",
        help="Only findings on lines changed since the git revision REV (committed or not), and "
        "only their fixes.",
    ),
    click.option(
        "--report", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE.md",
        help="Also write a migration report: FILE.md, and FILE.json next to it.",
    ),
    click.option(
        "--resume", is_flag=True,
        help="With --apply: continue an interrupted run, skipping the files it finished.",
    ),
    click.option(
        "--executor", callback=_executor, metavar="dask://HOST:PORT",
        help="Run the file tasks on a Dask distributed cluster (needs the distributed extra).",
    ),
]


def batch_options(command: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(BATCH_OPTIONS):
        command = option(command)
    return command
