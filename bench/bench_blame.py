"""Overhead of the runtime locator (``inplace-fixer blame`` / ``watch()``) on small CPU training
loops, against the same loops unwatched, measured in the same run.

    python bench/bench_blame.py [--steps 200] [--rounds 3]

Two models: an MLP (3 Linear layers) and a small CNN (2 conv layers, a Linear head), each trained
with SGD for ``--steps`` steps on random data, one thread (as on a 2-core shared box). Each round
times both variants back to back; the best round of each is kept (the least disturbed by other
processes) and the ratio printed. The cost per torch call is the extra time divided by the torch
calls a step makes (counted once with a counting TorchFunctionMode), and a micro-benchmark
prints the cost of one out-of-place and one in-place Tensor call under the locator.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402
from torch import nn  # noqa: E402
from torch.overrides import TorchFunctionMode  # noqa: E402

from inplace_fixer.blame.watch import watch  # noqa: E402


def mlp_step() -> Callable[[], None]:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x, y = torch.randn(32, 64), torch.randint(0, 10, (32,))

    def step() -> None:
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()

    return step


def cnn_step() -> Callable[[], None]:
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * 7 * 7, 10),
    )
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x, y = torch.randn(16, 1, 28, 28), torch.randint(0, 10, (16,))

    def step() -> None:
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()

    return step


class _Counter(TorchFunctionMode):
    calls = 0

    def __torch_function__(self, func, types, args=(), kwargs=None):
        _Counter.calls += 1
        return func(*args, **(kwargs or {}))


class _Noop(TorchFunctionMode):
    """The floor: what any TorchFunctionMode costs, before the locator does anything."""

    def __torch_function__(self, func, types, args=(), kwargs=None):
        return func(*args, **(kwargs or {}))


def _time(make: Callable[[], Callable[[], None]], steps: int, variant: str) -> float:
    step = make()
    step()  # warm-up outside the timing (allocations, optimizer state)
    context = {
        "plain": contextlib.nullcontext(),
        "no-op mode": _Noop(),
        "watched": watch(quiet=True),
        "watched --sample 10": watch(quiet=True, sample=10),
    }[variant]
    start = time.perf_counter()
    with context:
        for _ in range(steps):
            step()
    return time.perf_counter() - start


def _calls_per_step(make: Callable[[], Callable[[], None]]) -> float:
    step = make()
    _Counter.calls = 0
    with _Counter():
        for _ in range(10):
            step()
    return _Counter.calls / 10


def _micro(calls: int = 20000) -> tuple[float, float, float, float]:
    x = torch.randn(8)
    timings = []
    for watched in (False, True):
        for op in ("add", "add_"):
            method = getattr(x, op)
            start = time.perf_counter()
            if watched:
                with watch(quiet=True):
                    for _ in range(calls):
                        method(0.0)
            else:
                for _ in range(calls):
                    method(0.0)
            timings.append((time.perf_counter() - start) / calls * 1e6)
    return tuple(timings)  # type: ignore[return-value]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, 1 thread, {options.steps} steps, best of {options.rounds} rounds; load average {os.getloadavg()[0]:.2f}")
    variants = ("plain", "no-op mode", "watched", "watched --sample 10")
    for name, make in (("MLP", mlp_step), ("CNN", cnn_step)):
        best = dict.fromkeys(variants, float("inf"))
        for _ in range(options.rounds):
            for variant in variants:
                best[variant] = min(best[variant], _time(make, options.steps, variant))
        calls = _calls_per_step(make)
        plain = best["plain"]
        per_call = (best["watched"] - plain) / (options.steps * calls) * 1e6
        per_call_noop = (best["no-op mode"] - plain) / (options.steps * calls) * 1e6
        print(f"{name}: plain {plain / options.steps * 1e3:.3f} ms/step; {calls:.0f} torch calls/step")
        for variant in variants[1:]:
            print(f"  {variant}: {best[variant] / options.steps * 1e3:.3f} ms/step, ratio {best[variant] / plain:.2f}x")
        print(f"  extra per torch call: watched {per_call:.2f} us, of which a no-op mode {per_call_noop:.2f} us")
    plain_add, plain_add_, watched_add, watched_add_ = _micro()
    print(
        f"per call: x.add(0) {plain_add:.2f} -> {watched_add:.2f} us, "
        f"x.add_(0) {plain_add_:.2f} -> {watched_add_:.2f} us"
    )


if __name__ == "__main__":
    main()
