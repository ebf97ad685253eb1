"""``inplace-fixer verify``: run a program and its rewrite under torch and print the verdict."""

from __future__ import annotations

import json
from pathlib import Path

import click

from inplace_fixer.verify import pool
from inplace_fixer.verify.pool import DEFAULT_MEMORY_LIMIT, DEFAULT_TIMEOUT, VerifierError, VerifierUnavailable
from inplace_fixer.verify.report import render_text
from inplace_fixer.verify.result import VerifyResult

EXIT_VERIFIED = 0
EXIT_NOT_VERIFIED = 1
EXIT_BAD_INPUT = 2
EXIT_VERIFIER_BUG = 3


class _BadInput(click.ClickException):
    exit_code = EXIT_BAD_INPUT


@click.command(
    "verify",
    epilog=(
        "Verdicts: equivalent, fixed, different, rewritten-fails, both-fail, timeout, not-runnable. "
        f"Exit codes: {EXIT_VERIFIED} equivalent or fixed; {EXIT_NOT_VERIFIED} any other verdict; "
        f"{EXIT_BAD_INPUT} a file cannot be read, or torch is missing; {EXIT_VERIFIER_BUG} the verifier itself failed."
    ),
)
@click.argument("original", type=click.Path(path_type=Path))
@click.argument("rewritten", required=False, type=click.Path(path_type=Path))
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--timeout", type=click.FloatRange(min=0.1), default=DEFAULT_TIMEOUT, show_default=True,
              help="Seconds each run of a program may take.")
@click.option("--memory-limit", type=click.IntRange(min=16), default=DEFAULT_MEMORY_LIMIT // 1024**2,
              show_default=True, help="Megabytes each run of a program may allocate.")
def verify(
    original: Path, rewritten: Path | None, output_format: str, timeout: float, memory_limit: int
) -> None:
    """Run ORIGINAL and its rewrite in isolated processes and compare losses and gradients.

    With one file, the rewrite is the one `check --fix --unsafe-fixes` would write, made in
    memory. With two files, REWRITTEN is compared against ORIGINAL as given.
    """
    original_source = _read(original)
    if rewritten is None:
        rewritten_source = pool.rewrite_for_verification(original_source, str(original))
    else:
        rewritten_source = _read(rewritten)
    try:
        if isinstance(rewritten_source, VerifyResult):
            result = rewritten_source
        else:
            result = pool.verify(
                original_source, rewritten_source, timeout=timeout, memory_limit=memory_limit * 1024**2
            )
            result = pool.note_unchanged(result, original_source, rewritten_source)
    except VerifierUnavailable as error:
        raise _BadInput(str(error)) from None
    except VerifierError as error:
        click.echo(f"inplace-fixer verify: internal error, please report it: {error}", err=True)
        raise SystemExit(EXIT_VERIFIER_BUG) from None
    if output_format == "json":
        payload = {"path": str(original), "rewritten_path": None if rewritten is None else str(rewritten)}
        payload.update(result.to_json())
        click.echo(json.dumps(payload, indent=2))
    else:
        label = str(original) if rewritten is None else f"{original} -> {rewritten}"
        click.echo(render_text(result, label))
    raise SystemExit(EXIT_VERIFIED if result.verdict.is_success else EXIT_NOT_VERIFIED)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _BadInput(f"{path}: no such file") from None
    except IsADirectoryError:
        raise _BadInput(f"{path}: is a directory, not a Python file") from None
    except UnicodeDecodeError as error:
        raise _BadInput(f"{path}: not UTF-8 ({error.reason} at byte {error.start})") from None
    except OSError as error:
        raise _BadInput(f"{path}: cannot read: {error.strerror}") from None
