"""Verifications per second over the golden corpus: warm workers vs. a fresh python per run.

    python bench/bench_verify.py [--workers 2] [--rounds 2] [--naive-cases 12]

The warm design keeps one worker per core with torch imported and forks a child per run; the
naive design (the same verifier) starts ``python -m inplace_fixer.verify.child`` for every run
and so pays torch's import each time. Both are measured in the same invocation and the ratio is
printed. Cases whose expected verdict is ``timeout`` are left out (they measure the time limit,
not the verifier). The naive design is measured on an evenly spread sample because it is slow;
rates are per verification, so the ratio stays comparable.

Two rates are printed for each design. Wall clock: verifications per elapsed second, which is
what a user sees but drops when other processes share the cores. CPU: ``workers`` divided by the
CPU seconds one verification costs (worker, every run, the exits; startup excluded, measured as
the difference between a pool that only warms up and one that also verifies), which is the rate
the same cores reach when nothing else runs. The load average is printed alongside.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from inplace_fixer.verify import Verdict, VerifierPool  # noqa: E402
from inplace_fixer.verify.corpus import RunnableCase, load_cases  # noqa: E402


@dataclass
class Measurement:
    verifications: int
    wall_seconds: float
    cpu_seconds: float
    runs_per_verification: float
    wrong_verdicts: int


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _pool_cpu(cases: list[RunnableCase], workers: int, launcher: str, rounds: int) -> tuple[float, float, list]:
    """CPU seconds of a whole pool's life (counted once its workers exit), wall seconds of the
    verification rounds, and their results."""
    pairs = [(case.original, case.rewritten) for case in cases]
    before = _children_cpu()
    with VerifierPool(workers=workers, launcher=launcher) as pool:
        pool.verify_many(pairs[:workers])  # each worker answers once: startup is over
        began = time.perf_counter()
        results = [result for _ in range(rounds) for result in pool.verify_many(pairs)]
        wall = time.perf_counter() - began
    return _children_cpu() - before, wall, results


def measure(cases: list[RunnableCase], workers: int, launcher: str, rounds: int) -> Measurement:
    startup_cpu, _, _ = _pool_cpu(cases, workers, launcher, rounds=0)
    total_cpu, wall, results = _pool_cpu(cases, workers, launcher, rounds)
    expected = [case.expected for _ in range(rounds) for case in cases]
    return Measurement(
        verifications=len(results),
        wall_seconds=wall,
        cpu_seconds=total_cpu - startup_cpu,
        runs_per_verification=sum(r.evidence.get("runs", 0) for r in results) / len(results),
        wrong_verdicts=sum(r.verdict is not verdict for r, verdict in zip(results, expected)),
    )


def report(name: str, measured: Measurement, workers: int) -> tuple[float, float]:
    wall_rate = measured.verifications / measured.wall_seconds
    cpu_per_verification = measured.cpu_seconds / measured.verifications
    cpu_rate = workers / cpu_per_verification
    print(
        f"{name:30} wall clock {wall_rate:7.2f}/s   CPU {cpu_rate:7.2f}/s   "
        f"({measured.verifications} verifications, {measured.runs_per_verification:.1f} runs each, "
        f"{cpu_per_verification * 1000:.0f} ms CPU each, wrong verdicts {measured.wrong_verdicts})"
    )
    return wall_rate, cpu_rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2, help="passes over the corpus with warm workers")
    parser.add_argument("--naive-cases", type=int, default=12, help="corpus sample for the naive design")
    options = parser.parse_args()

    cases = [case for case in load_cases() if case.expected is not Verdict.TIMEOUT]
    step = max(1, len(cases) // options.naive_cases)
    sample = cases[::step][: options.naive_cases]
    print(
        f"corpus: {len(cases)} golden cases; {options.workers} workers on {os.cpu_count()} cores; "
        f"load average before: {os.getloadavg()[0]:.2f}"
    )
    warm = report("warm workers (fork per run)", measure(cases, options.workers, "fork", options.rounds), options.workers)
    naive = report("naive (fresh python per run)", measure(sample, options.workers, "subprocess", 1), options.workers)
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    print(
        f"ratio warm/naive: wall clock {warm[0] / naive[0]:.1f}x, CPU {warm[1] / naive[1]:.1f}x "
        "(aim: >= 20 verifications/s on 2 cores and >= 10x)"
    )


if __name__ == "__main__":
    main()
