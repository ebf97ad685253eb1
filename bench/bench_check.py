"""Throughput of ``check`` on a large real tree, against what LibCST itself costs on the same files.

All files are read and decoded first, so no phase pays for I/O. The process collects garbage as
the CLI does (collector.py), for every phase alike. Then, in the same run and on the same texts,
one phase at a time:

- parse only: ``libcst.parse_module``, the floor for any LibCST-based tool;
- check: ``check_source`` with the default configuration (find + safe fixes), what the CLI runs
  per file;
- scope + qualified names: LibCST's stock ``ScopeProvider`` and ``QualifiedNameProvider`` on the
  already parsed module. This is the resolution our own one-pass name tracking replaces; a checker
  built on those providers pays parse + this on every file;
- with ``--in-turns``, parse only and check take turns file by file instead (each file is parsed,
  then checked): on a machine whose speed drifts over minutes (a shared virtual machine), a phase
  run minutes after the other can take 10-25 % longer or shorter on the same code, and the ratio
  with it; in turns, the drift slows both alike. But each phase then faults in again memory the
  other freed, the parse more than check: both take longer than apart, and the ratio is lower
  (1.76-1.77 against 1.81-1.94 over ``models/`` at 9ebec76). It compares commits; the aim is
  stated for the phases apart;
- TorchFix (``--torchfix``, if installed): its flake8 plugin ``TorchChecker`` run in process the
  way flake8 runs it, over the same texts.

Then findings are counted by rule code and fix applicability.

Then whole command-line runs over the same tree (``batch_phases.py``): wall time at ``--jobs 1``
and ``--jobs 2`` without the cache, a cold and a warm cached run, CPU and peak memory of the
process tree; and ``check --apply`` over a notebook corpus (every ``.ipynb`` the installed packages
ship, or ``--notebooks DIR``): no crash, and notebooks without fixes unchanged byte for byte.

    .venv/bin/python bench/bench_check.py [--tree PATH] [--glob PATTERN] [--limit N] [--in-turns] [--torchfix] [--notebooks DIR] [--no-cli]

The default tree is the ``models/`` folder of an installed ``transformers``. ``--glob
'modeling_*.py'`` measures the set issue 8 states its figures on: only those files are parsed
and checked, while their imports still read the tree's other files, as in a user's repository
(the command-line phases copy the whole tree and name the matching files).
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import platform
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ContextManager
from dataclasses import dataclass
from pathlib import Path

import libcst
from libcst.metadata import MetadataWrapper, QualifiedNameProvider, ScopeProvider

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from inplace_fixer import FileResult, check_source  # noqa: E402
from inplace_fixer.collector import collect_less_often, one_file  # noqa: E402
from inplace_fixer.files import ReadError, read_source  # noqa: E402
from inplace_fixer.inference.imports import RESOLVER  # noqa: E402

HOW_TO_GET_TRANSFORMERS = """\
no tree to benchmark: transformers is not installed and --tree was not given.
Get a copy of its sources without installing it, then pass its models folder:

    pip download --no-deps transformers -d /tmp/tf && unzip -q /tmp/tf/transformers-*.whl -d /tmp/tf
    python bench/bench_check.py --tree /tmp/tf/transformers/models
"""


@dataclass(frozen=True)
class SourceFile:
    path: str
    text: str

    @property
    def lines(self) -> int:
        return self.text.count("\n") + (not self.text.endswith("\n") and bool(self.text))


@dataclass(frozen=True)
class Timing:
    # CPU time of this process: other processes sharing the machine do not inflate it.
    seconds: float
    wall_seconds: float
    failures: tuple[str, ...]  # "path: cause", for files a phase could not process


class Stopwatch:
    """CPU and wall time summed over the stretches between ``start`` and ``stop``."""

    def __init__(self) -> None:
        self.cpu = 0.0
        self.wall = 0.0
        self._cpu_start = self._wall_start = 0.0

    def start(self) -> None:
        self._cpu_start, self._wall_start = time.process_time(), time.perf_counter()

    def stop(self) -> None:
        self.cpu += time.process_time() - self._cpu_start
        self.wall += time.perf_counter() - self._wall_start


def main() -> int:
    args = parse_args()
    tree = args.tree or default_tree()
    if tree is None:
        print(HOW_TO_GET_TRANSFORMERS, file=sys.stderr, end="")
        return 2
    if not tree.is_dir():
        print(f"{tree}: not a directory", file=sys.stderr)
        return 2
    torchfix_checker = load_torchfix() if args.torchfix else None
    if args.torchfix and torchfix_checker is None:
        print(
            "--torchfix: torchfix is not installed. `pip install torchfix` (it pins libcst<1.6; "
            "`pip install --no-deps torchfix` keeps your libcst, flake8 is not needed here)",
            file=sys.stderr,
        )
        return 2

    if args.cli_only:
        return run_cli_phases(args, tree, tree_paths(tree, args.glob, args.limit))
    files, unreadable = read_tree(tree, args.glob, args.limit)
    if not files:
        print(f"{tree}: no readable .py file", file=sys.stderr)
        return 2
    warm_up(files[0])
    collect_less_often()  # as `check` does; TorchFix and libcst's phases run under it too

    results: list[FileResult] = []
    check_file = lambda file: results.append(check_source(file.text, file.path))  # noqa: E731
    # As `check --jobs 1` does (batch/pool.py): the resolver knows which files this process checks.
    if args.in_turns:
        with RESOLVER.planning(Path(file.path) for file in files):
            parse, check = timed_in_turns(files, parse_only, check_file)
    else:
        parse = timed("parse only", files, parse_only)
        with RESOLVER.planning(Path(file.path) for file in files):
            check = timed("check", files, check_file)
    scopes = None if args.skip_scopes else timed_after_parse("scope + qualified names", files, resolve_scopes_and_names)
    torchfix = timed("torchfix", files, torchfix_checker) if torchfix_checker else None

    print_report(tree, files, unreadable, parse, check, scopes, torchfix, results)
    if args.no_cli:
        return 0
    return run_cli_phases(args, tree, [Path(file.path) for file in files])


def run_cli_phases(args: argparse.Namespace, tree: Path, paths: Sequence[Path]) -> int:
    from batch_phases import PHASES, cli_phases, notebook_phase

    # The command line gets the same files as the phases above, in a copy: where the tree is (an
    # installed package inside a virtualenv a .gitignore names) must not decide what is checked.
    # With --glob the copy has the other files too, as their imports find them in the tree.
    cli_tree = Path(tempfile.mkdtemp(prefix="bench-tree-"))
    for path in tree_paths(tree, None, None) if args.glob else paths:
        target = cli_tree / path.relative_to(tree)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    targets = [str(cli_tree / path.relative_to(tree)) for path in paths] if args.glob else [str(cli_tree)]
    try:
        cli_phases(cli_tree, tuple(args.cli_phases.split(",")) if args.cli_phases else PHASES, targets)
    finally:
        shutil.rmtree(cli_tree, ignore_errors=True)
    return 0 if args.cli_phases else notebook_phase(args.notebooks)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", type=Path, help="folder of Python files (default: transformers/models)")
    parser.add_argument("--limit", type=int, metavar="N", help="only the first N files, in path order")
    parser.add_argument("--glob", metavar="PATTERN", help="only the files whose name matches (`modeling_*.py`); imports still reach the others")
    parser.add_argument("--torchfix", action="store_true", help="also time TorchFix on the same files")
    parser.add_argument("--notebooks", type=Path, metavar="DIR", help="notebook corpus (default: the .ipynb files installed packages ship)")
    parser.add_argument("--in-turns", action="store_true", help="parse only and check take turns file by file (robust to a machine whose speed drifts)")
    parser.add_argument("--skip-scopes", action="store_true", help="skip the libcst scope + qualified names phase (slow)")
    parser.add_argument("--cli-only", action="store_true", help="only the command-line phases")
    parser.add_argument("--cli-phases", metavar="LIST", help="some of jobs1,jobs2,cold,warm (and no notebook phase)")
    parser.add_argument("--no-cli", action="store_true", help="skip the command-line and notebook phases")
    return parser.parse_args()


def default_tree() -> Path | None:
    spec = importlib.util.find_spec("transformers")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "models"


def load_torchfix() -> Callable[[SourceFile], None] | None:
    try:
        from torchfix.torchfix import TorchChecker
    except ImportError:
        return None

    def run_torchfix(file: SourceFile) -> None:
        # What flake8 does with the plugin: construct it from the lines, exhaust ``run()``.
        for _ in TorchChecker(None, file.text.splitlines(keepends=True)).run():
            pass

    return run_torchfix


def tree_paths(tree: Path, pattern: str | None, limit: int | None) -> list[Path]:
    """The tree's Python files in path order: those whose name matches ``pattern``, the first ``limit``."""
    paths = sorted(path for path in tree.rglob("*.py") if path.is_file() and (pattern is None or path.match(pattern)))
    return paths if limit is None else paths[:limit]


def read_tree(tree: Path, pattern: str | None, limit: int | None) -> tuple[list[SourceFile], list[str]]:
    files, unreadable = [], []
    for path in tree_paths(tree, pattern, limit):
        try:
            files.append(SourceFile(str(path), read_source(path).text))
        except ReadError as error:
            unreadable.append(f"{path}: {error}")
    return files, unreadable


def warm_up(file: SourceFile) -> None:
    """Imports and first-call caches are paid here, not by whichever phase runs first."""
    module = libcst.parse_module(file.text)
    MetadataWrapper(module, unsafe_skip_copy=True).resolve_many([ScopeProvider, QualifiedNameProvider])
    check_source(file.text, file.path)


def parse_only(file: SourceFile) -> None:
    libcst.parse_module(file.text)


def resolve_scopes_and_names(module: libcst.Module) -> None:
    MetadataWrapper(module, unsafe_skip_copy=True).resolve_many([ScopeProvider, QualifiedNameProvider])


def timed(name: str, files: Sequence[SourceFile], work: Callable[[SourceFile], object]) -> Timing:
    gc.collect()  # garbage from the previous phase is not this phase's cost
    failures = []
    stopwatch = Stopwatch()
    for file in files:
        time_one(file.path, work, file, stopwatch, failures)
    return finished(name, stopwatch, failures)


def time_one(
    path: str, work: Callable[[Any], object], argument: Any, stopwatch: Stopwatch, failures: list[str],
    collect: Callable[[], ContextManager[None]] = one_file,
) -> None:
    """``work(argument)`` on ``stopwatch``'s clock, collecting garbage as the CLI does around each
    file (every phase collects the same way unless told otherwise); a failure is noted in
    ``failures`` and the benchmark goes on."""
    stopwatch.start()
    try:
        with collect():
            work(argument)
    except Exception as error:  # a benchmark reports every failure and goes on
        failures.append(f"{path}: {type(error).__name__}: {error}")
    stopwatch.stop()


def timed_in_turns(
    files: Sequence[SourceFile], parse: Callable[[SourceFile], object], check: Callable[[SourceFile], object]
) -> tuple[Timing, Timing]:
    """``timed`` for parse only and for check, taking turns on each file. Only check counts files
    for the collector's full collections (collector.py), as it does alone: one after a parse would
    scan check's live trees on parse's clock. Parse only gets its young collection, all that
    its own phase needs (its trees hold no cycle)."""
    gc.collect()
    failures: tuple[list[str], list[str]] = ([], [])
    stopwatches = (Stopwatch(), Stopwatch())
    for file in files:
        for work, collect, stopwatch, failed in zip((parse, check), (young_only, one_file), stopwatches, failures):
            time_one(file.path, work, file, stopwatch, failed, collect)
    return finished("parse only", stopwatches[0], failures[0]), finished("check", stopwatches[1], failures[1])


@contextmanager
def young_only() -> Iterator[None]:
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect(0)


def timed_after_parse(name: str, files: Sequence[SourceFile], work: Callable[[libcst.Module], object]) -> Timing:
    """Like ``timed``, but ``work`` gets the parsed module and only ``work`` is on the clock."""
    gc.collect()
    failures = []
    stopwatch = Stopwatch()
    for file in files:
        try:
            module = libcst.parse_module(file.text)
        except libcst.ParserSyntaxError as error:
            failures.append(f"{file.path}: cannot parse: {error.message}")
            continue
        time_one(file.path, work, module, stopwatch, failures)
    return finished(name, stopwatch, failures)


def finished(name: str, stopwatch: Stopwatch, failures: list[str]) -> Timing:
    print(f"[{name}: {stopwatch.cpu:.1f} s CPU, {stopwatch.wall:.1f} s wall]", file=sys.stderr, flush=True)
    return Timing(stopwatch.cpu, stopwatch.wall, tuple(failures))


def print_report(
    tree: Path,
    files: Sequence[SourceFile],
    unreadable: Sequence[str],
    parse: Timing,
    check: Timing,
    scopes: Timing | None,
    torchfix: Timing | None,
    results: Sequence[FileResult],
) -> None:
    lines = sum(file.lines for file in files)
    print(f"tree:                      {tree}")
    print(f"python, libcst:            {platform.python_version()}, {libcst_version()}")
    print(f"files:                     {len(files)}" + (f" ({len(unreadable)} unreadable, left out)" if unreadable else ""))
    print(f"lines:                     {lines}")
    print("times are CPU seconds of this process (wall seconds in brackets)")
    print(f"parse only (libcst):       {seconds(parse)}  {rate(lines, parse.seconds)}")
    print(f"check (inplace-fixer):     {seconds(check)}  {rate(lines, check.seconds)}")
    print(f"  check / parse:           {check.seconds / parse.seconds:8.2f} x")
    if scopes is not None:
        print(f"scope + qualified names:   {seconds(scopes)}  (libcst providers, after parsing)")
        print(f"  scope+qualnames / parse: {scopes.seconds / parse.seconds:8.2f} x")
        print(f"  (parse + scope+qualnames) / check: {(parse.seconds + scopes.seconds) / check.seconds:.2f} x")
    if torchfix is not None:
        print(f"torchfix (flake8 plugin):  {seconds(torchfix)}  {rate(lines, torchfix.seconds)}")
        print(f"  torchfix / check:        {torchfix.seconds / check.seconds:8.2f} x")
    print_failures("parse only", parse)
    print_failures("check", check)
    if scopes is not None:
        print_failures("scope + qualified names", scopes)
    if torchfix is not None:
        print_failures("torchfix", torchfix)
    print_findings(results)


def print_findings(results: Sequence[FileResult]) -> None:
    findings = [finding for result in results for finding in result.findings]
    errors = [result for result in results if result.error is not None]
    print(f"files with findings:       {sum(bool(result.findings) for result in results)}")
    print(f"files changed by safe fixes: {sum(result.changed for result in results)}")
    print(f"files check could not parse: {len(errors)}")
    for result in errors[:5]:
        print(f"  {result.path}: {result.error}")
    print(f"findings:                  {len(findings)}")
    by_code = Counter(finding.code for finding in findings)
    by_applicability = Counter(
        (finding.code, "report-only" if finding.fix is None else finding.fix.applicability.value)
        for finding in findings
    )
    by_category = Counter(finding.category or "-" for finding in findings)
    applicabilities = ("safe", "unsafe", "display-only", "report-only")
    print(f"  {'code':8} {'total':>6}" + "".join(f" {name:>13}" for name in applicabilities))
    for code in sorted(by_code):
        counts = "".join(f" {by_applicability[code, name]:>13}" for name in applicabilities)
        print(f"  {code:8} {by_code[code]:>6}{counts}")
    print("  by category: " + ", ".join(f"{name} {count}" for name, count in by_category.most_common()))


def print_failures(name: str, timing: Timing) -> None:
    if not timing.failures:
        return
    print(f"{name}: {len(timing.failures)} files failed")
    for failure in timing.failures[:5]:
        print(f"  {failure}")


def seconds(timing: Timing) -> str:
    return f"{timing.seconds:8.2f} s [{timing.wall_seconds:7.2f}]"


def rate(lines: int, cpu_seconds: float) -> str:
    return f"({lines / cpu_seconds:,.0f} lines/s)" if cpu_seconds else ""


def libcst_version() -> str:
    from importlib.metadata import version

    return version("libcst")


if __name__ == "__main__":
    sys.exit(main())
