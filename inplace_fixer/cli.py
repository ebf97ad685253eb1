"""The ``inplace-fixer`` command line.

Importing this module must stay cheap: torch is never imported, and the commands that need heavy
packages (``lsp`` needs pygls, ``verify`` needs torch) are imported only when they are run.
"""

from __future__ import annotations

import enum
import importlib
import importlib.util
import sys
import tempfile
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import click

from inplace_fixer import batch, engine, files, quick_exit, render
from inplace_fixer import config as config_module
from inplace_fixer.collector import collect_less_often
from inplace_fixer.model import Config, FileResult

EXIT_CODES = """\b
Exit codes:
  0  nothing left to report
  1  findings remain (after --apply: findings that were not fixed;
     with --diff: the diff is not empty or findings remain)
  2  usage or configuration error, or a file that could not be read or parsed
     (the other files are still checked)"""

# Commands others provide, imported only when run: name -> ("module:attribute", one-line help).
LAZY_COMMANDS = {
    "blame": (
        "inplace_fixer.blame.cli:blame",
        "Run a program; name the line whose in-place change broke backward.",
    ),
    "lsp": ("inplace_fixer.lsp:lsp", "Run the language server on standard input/output."),
    "verify": (
        "inplace_fixer.verify.cli:verify",
        "Run fixes under torch; compare values and gradients.",
    ),
}


class UserError(click.ClickException):
    """A mistake in the flags or the configuration: ``Error: <message>`` and exit code 2."""

    exit_code = 2


class WriteBack(enum.Enum):
    """What happens to the fixes; the flags are turned into one of these once."""

    CHECK = "check"  # only report
    APPLY = "apply"  # write the fixed files (or, for stdin, the fixed source to stdout)
    DIFF = "diff"  # print the fixes as a unified diff

    @classmethod
    def from_flags(cls, *, diff: bool, apply: bool) -> WriteBack:
        if diff and apply:
            raise UserError("--diff and --apply cannot be used together")
        return cls.DIFF if diff else cls.APPLY if apply else cls.CHECK


@dataclass(frozen=True)
class FileOutcome:
    result: FileResult
    diff: str = ""  # the unified diff, in DIFF mode, for a file the fixes change
    encoding: str = "utf-8"  # of the file, which the diff bytes must use
    # With --verify: the file as read, and where to write it once its rewrite is verified.
    source: files.SourceText | None = None
    path: Path | None = None
    verdict: tuple[str, str] | None = None  # with --verify: (verdict, reason), for the report


def exit_code(results: Sequence[FileResult], write_back: WriteBack, exit_zero: bool) -> int:
    """The one place that turns a run into an exit status (documented in EXIT_CODES)."""
    if any(result.error is not None for result in results):
        return 2
    if exit_zero:
        return 0
    if write_back is WriteBack.APPLY:
        left = any(result.remaining for result in results)
    elif write_back is WriteBack.DIFF:
        left = any(result.changed or result.remaining for result in results)
    else:
        left = any(result.findings for result in results)
    return 1 if left else 0


class LazyGroup(click.Group):
    """Lists the lazy commands from their static help so ``--help`` imports none of them."""

    def _lazy_available(self) -> dict[str, tuple[str, str]]:
        return {
            name: spec
            for name, spec in LAZY_COMMANDS.items()
            if importlib.util.find_spec(spec[0].partition(":")[0]) is not None
        }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._lazy_available()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands or cmd_name not in self._lazy_available():
            return super().get_command(ctx, cmd_name)
        module_name, _, attribute = LAZY_COMMANDS[cmd_name][0].partition(":")
        return getattr(importlib.import_module(module_name), attribute)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, command.get_short_help_str()) for name, command in self.commands.items()]
        rows += [(name, spec[1]) for name, spec in self._lazy_available().items()]
        with formatter.section("Commands"):
            formatter.write_dl(sorted(rows))


@click.group(
    cls=LazyGroup, epilog=EXIT_CODES, context_settings={"help_option_names": ["-h", "--help"]}
)
def cli() -> None:
    """Find in-place tensor mutations that break or endanger autograd; rewrite them out of place."""


def load_rules() -> Sequence[render.RuleInfo]:
    from inplace_fixer.rules import ALL_RULES

    return ALL_RULES


def _split_codes(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> tuple[str, ...]:
    return config_module.parse_code_list(values)


@cli.command(epilog=EXIT_CODES, short_help="Report, diff or fix in-place mutations in files.")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff; change no file.")
@click.option("--apply", is_flag=True, help="Write the fixes into the files.")
@click.option(
    "--unsafe-fixes/--no-unsafe-fixes",
    default=None,
    help="Also apply fixes that may change behaviour (each finding says why).",
)
@click.option(
    "--select",
    multiple=True,
    metavar="CODES",
    callback=_split_codes,
    help="Only these rule codes or prefixes (comma-separated, repeatable).",
)
@click.option(
    "--ignore",
    multiple=True,
    metavar="CODES",
    callback=_split_codes,
    help="Skip these rule codes or prefixes (comma-separated, repeatable).",
)
@click.option(
    "--format",
    "--output-format",
    "output_format",
    type=click.Choice(["text", "json", "sarif", "github", "gitlab"]),
    default="text",
    show_default=True,
    help="How findings are printed.",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even if findings remain.")
@click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A pyproject.toml or inplace-fixer.toml to use instead of the one found.",
)
@click.option(
    "--stdin-filename", metavar="NAME", help="The file name to report for '-' (standard input)."
)
@click.option(
    "--verify",
    is_flag=True,
    help=(
        "With --diff or --apply: run each rewritten file and its original under torch (needs the "
        "verify extra) and print the verdict; --apply then writes only rewrites that verify "
        "(equivalent or fixed; a library module with nothing to run is written as not-runnable)."
    ),
)
@batch.batch_options
@click.pass_context
def check(
    ctx: click.Context,
    paths: tuple[str, ...],
    diff: bool,
    apply: bool,
    unsafe_fixes: bool | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    output_format: str,
    exit_zero: bool,
    config_file: Path | None,
    stdin_filename: str | None,
    verify: bool,
    **batch_flags: object,
) -> None:
    """Check PATHS (files or directories; '-' reads standard input) and report or fix findings.

    With --apply on standard input the fixed source is written to standard output and the findings
    to standard error.
    """
    collect_less_often()
    write_back = WriteBack.from_flags(diff=diff, apply=apply)
    if write_back is WriteBack.DIFF and output_format != "text":
        raise UserError("--diff prints a unified diff; it cannot be combined with --format")
    if verify and write_back is WriteBack.CHECK:
        raise UserError("--verify goes with --diff or --apply")
    from_stdin = "-" in paths
    if verify and from_stdin:
        raise UserError("--verify needs files, not standard input")
    if from_stdin and len(paths) > 1:
        raise UserError("'-' (standard input) cannot be combined with other paths")
    rules = load_rules()
    start = Path(stdin_filename or ".") if from_stdin else Path(paths[0])
    try:
        settings = config_module.resolve_settings(
            start,
            config_module.Overrides(select=select, ignore=ignore, unsafe_fixes=unsafe_fixes),
            config_file,
            known_codes=[rule.code for rule in rules],
        )
    except config_module.ConfigError as exc:
        raise UserError(str(exc)) from exc

    if from_stdin:
        try:
            batch.refuse_stdin(batch_flags)
        except batch.BatchError as exc:
            raise UserError(str(exc)) from exc
        outcomes = [_check_stdin(stdin_filename or "-", settings.config, write_back)]
    else:
        try:
            run = batch.run_batch(
                paths, settings, write_back, batch.BatchOptions.from_flags(batch_flags),
                check_path=_check_path, check_notebook=_check_notebook, defer_write=verify,
            )
        except batch.BatchError as exc:
            raise UserError(str(exc)) from exc
        outcomes = run.outcomes
        if verify:
            outcomes = _verify_outcomes(outcomes, write_back)
    results = [outcome.result for outcome in outcomes]
    _report(outcomes, write_back, output_format, settings.config, rules, from_stdin)
    if not from_stdin:
        try:
            notes = batch.finish_batch(run, outcomes, render.display_path)
        except batch.BatchError as exc:
            raise UserError(str(exc)) from exc
        render.write_text(sys.stderr, "".join(note + "\n" for note in notes))
    quick_exit.request()  # only this package's code ran here (quick_exit.py)
    ctx.exit(exit_code(results, write_back, exit_zero))


def _check_path(
    path: Path, config: Config, write_back: WriteBack, defer_write: bool = False,
    check: files.CheckSource = engine.check_source,
) -> FileOutcome:
    try:
        checked = files.load_and_check(path, config, check=check)
    except Exception as exc:  # a tool bug: report it for this file and go on with the others
        return FileOutcome(_internal_error(str(path), exc))
    result, source = checked.result, checked.source
    if result.error is not None or not result.changed or source is None:
        return FileOutcome(result)
    if write_back is WriteBack.DIFF:
        diff = render.unified_diff(
            source.with_bom(source.text), source.with_bom(result.fixed_source), str(path)
        )
        return FileOutcome(result, diff=diff, encoding=source.encoding, source=source, path=path)
    if defer_write:
        return FileOutcome(result, source=source, path=path)
    if write_back is WriteBack.APPLY:
        try:
            files.write_source_atomic(path, result.fixed_source, like=source)
        except OSError as exc:
            return FileOutcome(replace(result, error=f"cannot write: {exc.strerror or exc}"))
    return FileOutcome(result)


def _check_notebook(
    path: Path, config: Config, write_back: WriteBack, defer_write: bool = False,
    check: files.CheckSource = engine.check_source,
) -> FileOutcome:
    """A notebook's outcome; with --verify its fixes are neither run nor written (the verifier runs
    Python files)."""
    from inplace_fixer import notebook_files

    try:
        checked = notebook_files.check_notebook_file(path, config, check)
    except Exception as exc:  # a tool bug: report it for this file and go on with the others
        return FileOutcome(_internal_error(str(path), exc))
    result = checked.result
    if result.error is not None or not result.changed:
        return FileOutcome(result)
    if defer_write:
        return FileOutcome(replace(result, fixed_source=result.source, fixed=()))
    if write_back is WriteBack.DIFF:
        return FileOutcome(result, diff=notebook_files.cell_diff(checked, render.display_path))
    if write_back is WriteBack.APPLY:
        error = notebook_files.write(path, checked)
        if error is not None:
            return FileOutcome(replace(result, error=error))
    return FileOutcome(result)


def _verify_outcomes(outcomes: list[FileOutcome], write_back: WriteBack) -> list[FileOutcome]:
    """Run every rewritten file and its original under torch; print each verdict; with --apply,
    write only the rewrites that verify, and keep the others' findings as remaining."""
    from inplace_fixer.verify import VerifierError, Verdict, verify_many
    from inplace_fixer.verify.report import render_text

    pending = [o for o in outcomes if o.source is not None and o.result.changed]
    try:
        verdicts = verify_many([(o.source.text, o.result.fixed_source) for o in pending])  # type: ignore[union-attr]
    except VerifierError as exc:
        raise UserError(f"--verify: {exc}") from exc
    by_outcome = {id(o): verdict for o, verdict in zip(pending, verdicts)}
    stderr = sys.stderr
    checked: list[FileOutcome] = []
    for outcome in outcomes:
        verdict = by_outcome.get(id(outcome))
        if verdict is None:
            checked.append(outcome)
            continue
        label = render.display_path(str(outcome.path))
        accepted = verdict.verdict.is_success or verdict.verdict is Verdict.NOT_RUNNABLE
        outcome = replace(outcome, verdict=(verdict.verdict.value, verdict.reason))
        if accepted:
            render.write_text(stderr, f"{label}: verified: {verdict.verdict.value}: {verdict.reason}\n")
        else:
            render.write_text(stderr, render_text(verdict, label) + "\n")
        if write_back is not WriteBack.APPLY:
            checked.append(outcome)
        elif accepted:
            checked.append(_write(outcome))
        else:
            render.write_text(stderr, f"{label}: not written: the rewrite did not verify\n")
            checked.append(replace(outcome, result=replace(outcome.result, fixed_source=outcome.result.source, fixed=())))
    return checked


def _write(outcome: FileOutcome) -> FileOutcome:
    try:
        files.write_source_atomic(outcome.path, outcome.result.fixed_source, like=outcome.source)  # type: ignore[arg-type]
    except OSError as exc:
        return replace(outcome, result=replace(outcome.result, error=f"cannot write: {exc.strerror or exc}"))
    return outcome


def _check_stdin(name: str, config: Config, write_back: WriteBack) -> FileOutcome:
    data = sys.stdin.buffer.read()
    try:
        source = files.decode_source(data)
    except files.ReadError as exc:
        if write_back is WriteBack.APPLY:  # an editor piping its buffer through us keeps it
            render.write_bytes(sys.stdout.buffer, data)
        return FileOutcome(FileResult(path=name, source="", error=f"cannot read: {exc}"))
    try:
        result = engine.check_source(source.text, name, config)
    except Exception as exc:  # a tool bug: report it, and still give the editor its code back
        result = _internal_error(name, exc)
    fixed = result.fixed_source if result.error is None and result.changed else source.text
    if write_back is WriteBack.APPLY:
        render.write_bytes(sys.stdout.buffer, source.encode(fixed))
    if write_back is WriteBack.DIFF and fixed != source.text:
        diff = render.unified_diff(source.with_bom(source.text), source.with_bom(fixed), name)
        return FileOutcome(result, diff=diff, encoding=source.encoding)
    return FileOutcome(result)


def _internal_error(path: str, exc: Exception) -> FileResult:
    """The file's result when checking it crashed, with the traceback saved for a bug report."""
    with tempfile.NamedTemporaryFile(
        "w", prefix="inplace-fixer-", suffix=".log", delete=False
    ) as log:
        log.write(f"while checking {path}:\n")
        traceback.print_exception(exc, file=log)
    message = (
        f"internal error: {type(exc).__name__}: {exc} (traceback in {log.name}; please report it)"
    )
    return FileResult(path=path, source="", error=message)


def _report(
    outcomes: Sequence[FileOutcome],
    write_back: WriteBack,
    output_format: str,
    config: Config,
    rules: Sequence[render.RuleInfo],
    from_stdin: bool,
) -> None:
    stdout = sys.stdout
    stderr = sys.stderr
    results = [outcome.result for outcome in outcomes]
    if write_back is WriteBack.CHECK:
        shown, findings_stream = results, stdout
    else:
        # After --apply or in a diff only what the fixes leave is worth reading; stdout carries the
        # diff or, for stdin, the fixed source, so the findings go to stderr then.
        shown = [replace(r, findings=r.remaining, fixed=()) for r in results]
        findings_stream = stderr if write_back is WriteBack.DIFF or from_stdin else stdout
    for outcome in outcomes:
        if outcome.diff:
            render.write_diff(sys.stdout.buffer, outcome.diff, outcome.encoding)
    render.write_text(findings_stream, render.render_findings(shown, output_format, rules))
    render.write_text(stderr, render.render_errors(results))
    if output_format == "text":
        counts = render.Counts.of(results, config.unsafe_fixes)
        render.write_text(stderr, render.summary(counts, write_back.value))


@cli.command("rules", short_help="List the rules or explain one.")
@click.argument("code", required=False)
def rules_command(code: str | None) -> None:
    """List the rules, or print the documentation of rule CODE."""
    rules = load_rules()
    stdout = sys.stdout
    if code is None:
        render.write_text(stdout, render.render_rules_table(rules))
        return
    by_code = {rule.code: rule for rule in rules}
    rule = by_code.get(code.strip().upper())
    if rule is None:
        raise UserError(f"unknown rule code '{code}' (`inplace-fixer rules` lists them)")
    render.write_text(stdout, render.render_rule_doc(rule))


def main() -> None:
    """The console script. A finished ``check`` ends without Python's teardown (quick_exit.py)."""
    try:
        cli()
    except SystemExit as done:
        if quick_exit.requested():
            quick_exit.exit_now(done.code)
        raise
