"""Peak memory and step time of the two fixes of `outputs[t] = h` in a loop, at T = 512.

    python bench/bench_loop_fill.py [--steps 512] [--batch 16] [--hidden 128] [--repeat 3]

The program is an RNN that fills a preallocated `outputs = torch.zeros(T, B, H)` row by row.
Two rewrites are measured in the same invocation, each in a fresh python:

- clone: the general fix of an element write, `outputs = outputs.clone()` before the write,
  written out here (it is what `check` gave this loop before the list fix);
- list: what `check_source` gives the program today (asserted: a list, `append`, one
  `torch.stack` after the loop).

Each child builds the model, records its resident memory, runs forward and backward `repeat`
times and reports the best step time and its peak resident memory above that starting point
(`ru_maxrss`). Both children use one thread. The ratios list/clone are printed, and the two
rewrites are checked to give the same output and gradients.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from inplace_fixer import Config, check_source  # noqa: E402

PROGRAM = """\
import torch
import torch.nn as nn


class Encoder(nn.Module):
    def __init__(self, n_in, hidden):
        super().__init__()
        self.cell = nn.RNNCell(n_in, hidden)
        self.hidden = hidden

    def forward(self, x):
        steps, batch, _ = x.shape
        outputs = torch.zeros(steps, batch, self.hidden)
        h = torch.zeros(batch, self.hidden)
        for t in range(steps):
            h = self.cell(x[t], h)
            outputs[t] = h
        return outputs
"""

CLONE_FIX = PROGRAM.replace(
    "            outputs[t] = h\n", "            outputs = outputs.clone()\n            outputs[t] = h\n"
)

HARNESS = """
import resource, time, json, sys
torch.manual_seed(0)
torch.set_num_threads(1)
model = Encoder(32, {hidden})
x = torch.randn({steps}, {batch}, 32)
def rss_kb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * (resource.getpagesize() // 1024)
start = rss_kb()
best = float("inf")
for _ in range({repeat}):
    model.zero_grad()
    began = time.perf_counter()
    out = model(x)
    out.sum().backward()
    best = min(best, time.perf_counter() - began)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
json.dump({{"seconds": best, "peak_mb": (peak - start) / 1024, "out": out.detach().flatten()[:64].tolist(),
           "grad": model.cell.weight_hh.grad.flatten()[:64].tolist()}}, sys.stdout)
"""


def measure(source: str, args) -> dict:
    code = source + HARNESS.format(steps=args.steps, batch=args.batch, hidden=args.hidden, repeat=args.repeat)
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=512)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    list_fix = check_source(PROGRAM, "rnn.py", Config()).fixed_source
    assert list_fix is not None and "outputs.append(h)" in list_fix and "outputs = torch.stack(outputs)" in list_fix, list_fix

    clone = measure(CLONE_FIX, args)
    stacked = measure(list_fix, args)
    same = clone["out"] == stacked["out"] and all(
        abs(a - b) <= 1e-5 * max(1.0, abs(a)) for a, b in zip(clone["grad"], stacked["grad"])
    )
    rows = args.steps * args.batch * args.hidden * 4 / 2**20
    print(f"T={args.steps} B={args.batch} H={args.hidden}: outputs is {rows:.1f} MB; best of {args.repeat} forward+backward steps, one thread")
    print(f"{'fix':<8} {'step s':>9} {'peak MB':>9}")
    for name, result in (("clone", clone), ("list", stacked)):
        print(f"{name:<8} {result['seconds']:>9.3f} {result['peak_mb']:>9.1f}")
    print(f"list/clone: step time {stacked['seconds'] / clone['seconds']:.3f}x, "
          f"peak memory {stacked['peak_mb'] / max(clone['peak_mb'], 1e-9):.3f}x")
    print(f"same output and gradients: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
