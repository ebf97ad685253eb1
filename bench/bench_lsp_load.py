"""The language server under load: a burst of random edits, a 20,000-line document, and the
server's memory over 10,000 edits.

- burst: N random edits (tests/lsp/load.py: insertions, deletions, half-typed statements,
  invalid code) sent as didChange without waiting, then a valid text; the time from the first
  send to the diagnostics of the last version;
- large: the time from didOpen to diagnostics for torch's own nn/modules code cut at 1,000,
  5,000 and 20,000 lines, against ``check_source`` alone on the same text, in the same run;
- memory: 10,000 random edits in bursts of 100, waiting for each burst's last diagnostics;
  the server's resident memory (VmRSS) after every 1,000 edits, its growth over each 1,000, and
  the least-squares slope from 1,000 edits on (the first 1,000 include warming up: imports,
  rule data, the allocator's first arenas).

    .venv/bin/python bench/bench_lsp_load.py [--edits 10000] [--burst 1000] [--seed 0]
                                             [--only burst|large|memory ...]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_lsp import pytorch_source  # noqa: E402
from inplace_fixer import check_source  # noqa: E402
from tests.lsp.load import BASE, LoadSession, burst, random_texts, valid_final_text  # noqa: E402

LARGE_SIZES = (1_000, 5_000, 20_000)
PARTS = ("burst", "large", "memory")


async def measure_burst(count: int, rng: random.Random) -> float:
    session = LoadSession()
    await session.start()
    try:
        uri = (ROOT / "bench" / "burst.py").as_uri()  # never written: the text is sent
        session.open(uri, BASE)
        await session.diagnostics_for(1)
        texts = list(random_texts(BASE, rng, count - 1)) + [valid_final_text(BASE, rng)]
        started = time.perf_counter()
        last = burst(session, uri, texts)
        await session.diagnostics_for(last, timeout=600)
        return time.perf_counter() - started
    finally:
        await session.stop()


async def measure_large(lines: int) -> tuple[float, float]:
    """Both sides warmed up first on a small text (the first analysis loads the rule data)."""
    text = pytorch_source(lines)
    check_source(BASE, "warm.py")
    started = time.perf_counter()
    check_source(text, "large.py")
    alone = time.perf_counter() - started
    session = LoadSession()
    await session.start()
    try:
        session.open((ROOT / "bench" / "warm.py").as_uri(), BASE)
        await session.diagnostics_for(1)
        session.published.clear()
        session.arrivals.clear()
        sent = session.open((ROOT / "bench" / f"large_{lines}.py").as_uri(), text)
        await session.diagnostics_for(1, timeout=600)
        return session.arrivals[1] - sent, alone
    finally:
        await session.stop()


async def measure_memory(edits: int, rng: random.Random, every: int = 1000, per_burst: int = 100) -> list[tuple[int, int]]:
    session = LoadSession()
    await session.start()
    samples = []
    try:
        uri = (ROOT / "bench" / "memory.py").as_uri()
        session.open(uri, BASE)
        await session.diagnostics_for(1)
        samples.append((0, session.rss_kib()))
        version, sent = 1, 0
        while sent < edits:
            texts = list(random_texts(BASE, rng, per_burst - 1)) + [valid_final_text(BASE, rng)]
            version = burst(session, uri, texts, first_version=version + 1)
            await session.diagnostics_for(version, timeout=600)
            sent += per_burst
            if sent % every == 0:
                samples.append((sent, session.rss_kib()))
    finally:
        await session.stop()
    return samples


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--edits", type=int, default=10_000, help="edits for the memory curve")
    parser.add_argument("--burst", type=int, default=1_000, help="edits in the burst")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", action="append", choices=PARTS, help="run only these parts (repeatable)")
    args = parser.parse_args()
    parts = args.only or PARTS
    rng = random.Random(args.seed)
    if "burst" in parts:
        seconds = await measure_burst(args.burst, rng)
        print(f"burst: {args.burst} didChange sent without waiting -> last version's diagnostics in {seconds:.2f} s")
    if "large" in parts:
        for lines in LARGE_SIZES:
            server, alone = await measure_large(lines)
            print(f"large: {lines:,} lines: didOpen -> diagnostics {server * 1000:.0f} ms;"
                  f" check_source alone {alone * 1000:.0f} ms (ratio {server / alone:.2f})")
    if "memory" in parts:
        print_memory(await measure_memory(args.edits, rng))


def print_memory(samples: list[tuple[int, int]]) -> None:
    print("memory: edits -> server VmRSS (growth over the previous 1,000 edits)")
    previous = None
    for edits, kib in samples:
        growth = "" if previous is None else f"  ({(kib - previous) / 1024:+.2f} MiB)"
        print(f"  {edits:6d}  {kib / 1024:7.1f} MiB{growth}")
        previous = kib
    settled = samples[1:] if len(samples) > 2 else samples
    first, last = settled[0], settled[-1]
    print(f"memory: from {first[0]} to {last[0]} edits: {first[1] / 1024:.1f} -> {last[1] / 1024:.1f} MiB"
          f" ({(last[1] - first[1]) / 1024:+.1f} MiB); slope {slope_kib_per_1000(settled):+.1f} KiB per 1,000 edits")


def slope_kib_per_1000(samples: list[tuple[int, int]]) -> float:
    """Least-squares growth of VmRSS, in KiB per 1,000 edits (one sample's noise weighs less
    than in last minus first)."""
    if len(samples) < 2:
        return 0.0
    mean_x = sum(x for x, _ in samples) / len(samples)
    mean_y = sum(y for _, y in samples) / len(samples)
    covariance = sum((x - mean_x) * (y - mean_y) for x, y in samples)
    variance = sum((x - mean_x) ** 2 for x, _ in samples)
    return covariance / variance * 1000


if __name__ == "__main__":
    asyncio.run(main())
