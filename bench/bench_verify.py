"""Verifications per second over the golden corpus: warm workers vs. a fresh python per run.

    python bench/bench_verify.py [--workers 2] [--rounds 2] [--naive-cases 12]

The warm design keeps one worker per core with torch imported and forks a child per run; the
naive design (the same verifier) starts ``python -m inplace_fixer.verify.child`` for every run
and so pays torch's import each time. Both run in this process's run, on the same machine, and
the ratio is printed. Cases whose expected verdict is ``timeout`` are left out (they measure the
time limit, not the verifier). The naive design is measured on an evenly spread sample because
it is slow; its rate is per verification, so the ratio stays comparable.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from inplace_fixer.verify import Verdict, VerifierPool  # noqa: E402
from inplace_fixer.verify.corpus import RunnableCase, load_cases  # noqa: E402


def measure(cases: list[RunnableCase], workers: int, launcher: str, rounds: int) -> tuple[float, float, float, int]:
    """(startup seconds, verifications per second, mean runs per verification, wrong verdicts)."""
    pairs = [(case.original, case.rewritten) for case in cases]
    started = time.perf_counter()
    with VerifierPool(workers=workers, launcher=launcher) as pool:
        pool.verify_many(pairs[:workers])  # each worker answers once: startup is over
        startup = time.perf_counter() - started
        began = time.perf_counter()
        results = []
        for _ in range(rounds):
            results += pool.verify_many(pairs)
        elapsed = time.perf_counter() - began
    wrong = sum(result.verdict is not case.expected for case, result in zip(cases * rounds, results))
    runs = sum(result.evidence.get("runs", 0) for result in results) / len(results)
    return startup, len(results) / elapsed, runs, wrong


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2, help="passes over the corpus with warm workers")
    parser.add_argument("--naive-cases", type=int, default=12, help="corpus sample for the naive design")
    options = parser.parse_args()

    cases = [case for case in load_cases() if case.expected is not Verdict.TIMEOUT]
    step = max(1, len(cases) // options.naive_cases)
    sample = cases[::step][: options.naive_cases]
    print(f"corpus: {len(cases)} golden cases; {options.workers} workers on {os.cpu_count()} cores")

    startup, warm_rate, warm_runs, warm_wrong = measure(cases, options.workers, "fork", options.rounds)
    print(
        f"warm workers (fork per run):  {warm_rate:6.1f} verifications/s  "
        f"({warm_runs:.1f} runs each, {options.rounds} x {len(cases)} verifications, "
        f"worker startup {startup:.1f} s, wrong verdicts {warm_wrong})"
    )
    startup, naive_rate, naive_runs, naive_wrong = measure(sample, options.workers, "subprocess", 1)
    print(
        f"naive (fresh python per run): {naive_rate:6.2f} verifications/s  "
        f"({naive_runs:.1f} runs each, {len(sample)} verifications, wrong verdicts {naive_wrong})"
    )
    print(f"ratio: {warm_rate / naive_rate:.1f}x  (aim: >= 20 verifications/s and >= 10x)")


if __name__ == "__main__":
    main()
