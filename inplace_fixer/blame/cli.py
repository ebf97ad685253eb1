"""``inplace-fixer blame``: the command. Importing it is cheap; torch loads when it runs."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import click

BLAME_EPILOG = """\b
Exit codes: the program's own exit code, or 2 when the program cannot be
found or compiled (one line on stderr).
\b
Examples:
  inplace-fixer blame train.py --epochs 1
  inplace-fixer blame -m pkg.train -- --epochs 1
  inplace-fixer blame --report out.json train.py"""


@click.command(
    "blame",
    epilog=BLAME_EPILOG,
    context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False},
    short_help="Run a program; name the line whose in-place change broke backward.",
)
@click.option("-m", "module", metavar="MODULE", help="Run a module, as `python -m MODULE`.")
@click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=Path),
    help='Also write {"returncode", "events"} as JSON to this file.',
)
@click.option("--apply", is_flag=True, help="Write the events' safe fixes into the files.")
@click.option("--unsafe-fixes", is_flag=True, help="With --apply: also write unsafe fixes.")
@click.option(
    "--sample",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    metavar="N",
    help="Trace one optimizer step in N (cost about 1/N; a change in an untraced step is reported without its line).",
)
@click.argument("program", nargs=-1, type=click.UNPROCESSED)
@click.pass_context
def blame(
    ctx: click.Context,
    module: Optional[str],
    report: Optional[Path],
    apply: bool,
    unsafe_fixes: bool,
    sample: int,
    program: tuple[str, ...],
) -> None:
    """Run PROGRAM (a script and its arguments, or -m MODULE -- ARGS) under the runtime locator.

    The program runs unchanged; every in-place change that breaks a backward (or, through a
    fused optimizer, silently corrupts one) is printed on stderr with its line and its fix.
    """
    args = list(program)
    if args and args[0] == "--":
        args = args[1:]
    if module is None and not args:
        raise click.UsageError("give a script to run, or -m MODULE")
    from inplace_fixer.blame import session

    ctx.exit(session.blame_program(script=None if module else args[0], module=module,
                                   args=args if module else args[1:], report=report,
                                   apply=apply, unsafe_fixes=unsafe_fixes, sample=sample))
