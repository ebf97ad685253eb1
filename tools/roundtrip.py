"""Round-trip a real tree: ``check --apply --unsafe-fixes`` on a copy, then check every changed file.

    python tools/roundtrip.py TREE [TREE ...] [--markdown]

For each TREE, its ``*.py`` files are copied to a temporary directory (the tree is never
touched), and one real ``python -m inplace_fixer check --apply --unsafe-fixes`` run (timed)
writes the fixes into the copy; its summary line gives the findings and the files it could not
check. Every file it changed must then:

- parse with libcst;
- compile with Python's ``compile()``;
- come out of a second check unchanged (the fixer is idempotent);
- have fewer findings than before.

A crash is a run that ended by a signal or with an exit code other than 0, 1 or 2, or an
``internal error`` line for a file. Files the tool could not read or parse are counted apart.
Exits 1 if any tree has a crash or a changed file that breaks a rule above.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import libcst

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from inplace_fixer import Config, check_source  # noqa: E402
from inplace_fixer.files import decode_source  # noqa: E402

UNSAFE = Config(unsafe_fixes=True)


@dataclass
class Report:
    tree: str
    files: int = 0
    lines: int = 0
    findings: int = 0
    not_checked: int = 0  # files the tool reported as unreadable or unparsable
    changed: int = 0
    apply_seconds: float = 0.0
    crashes: list[str] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)  # "path: which rule it breaks"

    @property
    def ok(self) -> bool:
        return not (self.crashes or self.broken)


def copy_sources(tree: Path, destination: Path) -> dict[Path, bytes]:
    """Copy the ``*.py`` files (not following symlinks); their bytes, by path in the copy."""
    copied = {}
    for dirpath, _, filenames in os.walk(tree):
        for name in filenames:
            source = Path(dirpath) / name
            if not name.endswith(".py") or source.is_symlink():
                continue
            target = destination / source.relative_to(tree)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            copied[target] = target.read_bytes()
    return copied


def run_tool(args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "inplace_fixer", "check", *args],
        cwd=REPO_ROOT, capture_output=True, text=True,
    )


def crashes_of(run: subprocess.CompletedProcess, what: str) -> list[str]:
    found = [f"{what}: {line}" for line in run.stderr.splitlines() if "internal error" in line]
    if run.returncode not in (0, 1, 2):
        found.append(f"{what}: exit code {run.returncode}: {run.stderr.strip()[-300:]}")
    return found


def roundtrip(tree: Path) -> Report:
    report = Report(tree=str(tree))
    with tempfile.TemporaryDirectory(prefix="inplace-fixer-roundtrip-") as scratch:
        copy = Path(scratch) / tree.name
        before = copy_sources(tree, copy)
        report.files = len(before)
        report.lines = sum(data.count(b"\n") for data in before.values())

        started = time.perf_counter()
        applied = run_tool([str(copy), "--apply", "--unsafe-fixes", "--exit-zero"])
        report.apply_seconds = time.perf_counter() - started
        report.crashes += crashes_of(applied, "check --apply")
        report.findings, report.not_checked = _summary_counts(applied.stderr)

        for path, old in before.items():
            new = path.read_bytes()
            if new == old:
                continue
            report.changed += 1
            name = path.relative_to(copy).as_posix()
            report.broken += [f"{name}: {problem}" for problem in _problems(path, old, new)]
    return report


def _summary_counts(stderr: str) -> tuple[int, int]:
    """Findings and files not checked, from the run's summary line ("Found 12 findings (...).
    3 files were not checked.")."""
    found = re.search(r"Found ([\d,]+) findings?", stderr)
    not_checked = re.search(r"([\d,]+) files? (?:was|were) not checked", stderr)
    number = lambda match: int(match[1].replace(",", "")) if match else 0  # noqa: E731
    return number(found), number(not_checked)


def _problems(path: Path, old: bytes, new: bytes) -> list[str]:
    text = decode_source(new).text
    try:
        libcst.parse_module(text)
    except Exception as exc:
        return [f"does not parse with libcst: {type(exc).__name__}: {str(exc)[:200]}"]
    try:
        compile(new, str(path), "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        return [f"does not compile: {exc}"]
    again = check_source(text, str(path), UNSAFE)
    problems = []
    if again.error is not None:
        problems.append(f"the rewrite is rejected on a second check: {again.error}")
    elif again.fixed_source != text:
        problems.append("not idempotent: a second --apply would change it again")
    before = len(check_source(decode_source(old).text, str(path), UNSAFE).findings)
    if again.error is None and len(again.findings) >= before:
        problems.append(f"findings did not go down ({before} -> {len(again.findings)})")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("trees", nargs="+", type=Path)
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    args = parser.parse_args()
    reports = []
    for tree in args.trees:
        report = roundtrip(tree.resolve())
        reports.append(report)
        for line in report.crashes + report.broken:
            print(f"{tree}: {line}", file=sys.stderr)
    header = ("tree", "files", "lines", "findings", "not checked", "changed files", "apply time", "crashes", "broken rewrites")
    rows = [
        (Path(r.tree).name, f"{r.files:,}", f"{r.lines:,}", f"{r.findings:,}", f"{r.not_checked:,}",
         f"{r.changed:,}", f"{r.apply_seconds:.0f} s", str(len(r.crashes)), str(len(r.broken)))
        for r in reports
    ]
    if args.markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for row in rows:
            print("| " + " | ".join(row) + " |")
    else:
        widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
        for row in (header, *rows):
            print("  ".join(cell.rjust(width) for cell, width in zip(row, widths)))
    return 0 if all(r.ok for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
