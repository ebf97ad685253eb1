"""What the parse guard costs: ``guard.source_problem`` (Python's parser plus the nesting count)
against ``check_source`` (which includes it) on the same files, in the same run.

    .venv/bin/python bench/bench_guard.py [--tree PATH] [--limit N]

The default tree is torch's own ``nn`` package, found without importing torch.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from inplace_fixer import check_source, guard  # noqa: E402
from inplace_fixer.files import ReadError, read_source  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tree", type=Path)
    parser.add_argument("--limit", type=int, default=0, help="at most N files (0: all)")
    args = parser.parse_args()
    tree = args.tree or Path(importlib.util.find_spec("torch").origin).parent / "nn"
    paths = sorted(tree.rglob("*.py"))[: args.limit or None]
    texts = []
    for path in paths:
        try:
            texts.append(read_source(path).text)
        except ReadError:
            pass
    check_source("x = 1\ny = x\ny *= 2\n")  # load the rule data before timing
    started = time.perf_counter()
    for text in texts:
        guard.source_problem(text)
    guarded = time.perf_counter() - started
    started = time.perf_counter()
    for text in texts:
        check_source(text)
    checked = time.perf_counter() - started
    lines = sum(text.count("\n") for text in texts)
    print(f"{len(texts)} files, {lines:,} lines under {tree}")
    print(f"guard {guarded:.2f} s, check_source {checked:.2f} s: the guard is {guarded / checked:.1%} of a check")


if __name__ == "__main__":
    main()
