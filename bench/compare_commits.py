"""CPU cost of ``check`` at several commits, against libcst's parse-only, in one run.

Each commit is checked out into a temporary git worktree; each measurement runs in a fresh
process (so no commit's imports or caches help another), and the commits are measured in turn,
``--rounds`` times, so that a change of machine load hits all of them alike. Per process: all
texts are read first, then CPU time of ``libcst.parse_module`` over them, then of
``check_source`` with the default configuration (what the CLI runs per file). Every process
collects garbage as the CLI does (``--gc``), whatever the commit.

    .venv/bin/python bench/compare_commits.py d6080de HEAD [--glob 'PATH/*/modeling_*.py'] [--limit 150] [--rounds 2]

The default files are the first 150 ``modeling_*.py`` files of an installed transformers'
``models/`` folder (copied out of site-packages, which ``check`` would skip).
"""

from __future__ import annotations

import argparse
import glob
import importlib.util
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

MEASURE = r"""
import gc, json, sys, time
sys.path.insert(0, sys.argv[1])
import libcst
from inplace_fixer import Config, check_source
texts = [(path, open(path, encoding="utf-8").read()) for path in json.loads(sys.argv[2])]
if sys.argv[3] != "default":
    gc.set_threshold(*map(int, sys.argv[3].split(",")))
gc.collect(); start = time.process_time()
for path, text in texts:
    libcst.parse_module(text)
parse = time.process_time() - start
gc.collect(); start = time.process_time(); findings = 0
for path, text in texts:
    findings += len(check_source(text, path, Config()).findings)
print(json.dumps({"parse": parse, "check": time.process_time() - start, "findings": findings}))
"""


def _default_files(limit: int) -> list[str]:
    spec = importlib.util.find_spec("transformers")
    if spec is None or spec.origin is None:
        raise SystemExit("no --glob given and transformers is not installed")
    models = Path(spec.origin).parent / "models"
    copy = Path(tempfile.mkdtemp(prefix="compare-commits-")) / "models"
    shutil.copytree(models, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return sorted(str(p) for p in copy.glob("*/modeling_*.py"))[:limit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("commits", nargs="+")
    parser.add_argument("--glob", help="files to check (a glob; ** allowed)")
    parser.add_argument("--limit", type=int, default=150)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--gc", default="50000,10,10",
        help="the collector's thresholds in every measuring process, the same for all commits "
        "('default': Python's own). The default is what the CLI sets (inplace_fixer/collector.py)",
    )
    args = parser.parse_args()
    files = sorted(glob.glob(args.glob, recursive=True))[: args.limit] if args.glob else _default_files(args.limit)
    if not files:
        raise SystemExit("no files match")
    lines = sum(Path(f).read_text(encoding="utf-8").count("\n") for f in files)
    print(f"{len(files)} files, {lines:,} lines; CPU seconds of one process per measurement")
    work = Path(tempfile.mkdtemp(prefix="compare-commits-trees-"))
    trees = {}
    try:
        for commit in args.commits:
            tree = work / commit.replace("/", "_")
            subprocess.run(["git", "worktree", "add", "--detach", "-q", str(tree), commit], cwd=ROOT, check=True)
            trees[commit] = tree
        for round_number in range(1, args.rounds + 1):
            for commit, tree in trees.items():
                out = subprocess.run(
                    [sys.executable, "-c", MEASURE, str(tree), json.dumps(files), args.gc],
                    capture_output=True, text=True, check=True,
                ).stdout
                result = json.loads(out)
                print(
                    f"round {round_number}  {commit:>12}  parse {result['parse']:6.1f}  check {result['check']:6.1f}"
                    f"  check/parse {result['check'] / result['parse']:.2f}  findings {result['findings']}",
                    flush=True,
                )
    finally:
        for tree in trees.values():
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, check=False)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
