"""The command-line phases of ``bench_check.py``: whole ``inplace-fixer check`` runs over a tree,
timed from outside (wall time, CPU of the process and its workers, peak memory of the process
tree), and the notebook corpus run. Ratios are against runs made in the same invocation."""

from __future__ import annotations

import hashlib
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CliRun:
    wall: float
    cpu: float  # user + system of the CLI and every worker it waited for
    peak_rss_mb: float  # the largest sum of RSS over the process tree, sampled every 20 ms
    returncode: int
    stderr: str


def run_check(*args: str) -> CliRun:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "inplace_fixer", "check", *args],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    peak = [0.0]
    cpu_by_pid: dict[int, float] = {}
    sampler = threading.Thread(target=_sample, args=(process, peak, cpu_by_pid), daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    wall = time.perf_counter() - started
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    waited = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    # Pool workers are children of multiprocessing's fork server, which does not wait for them,
    # so their CPU never reaches RUSAGE_CHILDREN: add what sampling saw of every process but ours.
    sampled_others = sum(cpu for pid, cpu in cpu_by_pid.items() if pid != process.pid)
    cpu = waited + sampled_others
    return CliRun(wall, cpu, peak[0], process.returncode, stderr.decode("utf-8", "replace"))


def _sample(process: subprocess.Popen, peak: list[float], cpu_by_pid: dict[int, float]) -> None:
    try:
        import psutil
    except ImportError:  # without psutil: the largest single process, from the kernel
        process.wait()
        peak[0] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        return
    try:
        root = psutil.Process(process.pid)
        while process.poll() is None:
            total = 0
            for member in [root, *root.children(recursive=True)]:
                try:
                    total += member.memory_info().rss
                    times = member.cpu_times()
                    cpu_by_pid[member.pid] = times.user + times.system
                except psutil.Error:
                    pass
            peak[0] = max(peak[0], total / 2**20)
            time.sleep(0.02)
    except psutil.Error:
        pass


PHASES = ("jobs1", "jobs2", "cold", "warm")


def cli_phases(tree: Path, wanted: tuple[str, ...] = PHASES, targets: Sequence[str] = ()) -> None:
    """--jobs 1 against --jobs 2 (no cache), then a cold and a warm cached run at --jobs 2
    (``wanted`` picks some: on a loaded machine the whole set can take long). ``targets``: the
    paths to check, when not the whole tree."""
    phases = {}
    paths = list(targets) or [str(tree)]
    with tempfile.TemporaryDirectory() as cache_dir:
        if "jobs1" in wanted:
            phases["jobs 1, no cache"] = run_check(*paths, "-q", "--no-cache", "--jobs", "1")
        if "jobs2" in wanted:
            phases["jobs 2, no cache"] = run_check(*paths, "-q", "--no-cache", "--jobs", "2")
        if "cold" in wanted or "warm" in wanted:
            phases["jobs 2, cold cache"] = run_check(*paths, "-q", "--cache-dir", cache_dir, "--jobs", "2")
        if "warm" in wanted:
            phases["jobs 2, warm cache"] = run_check(*paths, "-q", "--cache-dir", cache_dir, "--jobs", "2")
    print("command line (inplace-fixer check TREE -q ...): wall s, CPU s (process + workers), peak RSS of the tree")
    for name, run in phases.items():
        print(f"  {name:22} {run.wall:8.2f} s wall {run.cpu:8.2f} s CPU {run.peak_rss_mb:8.0f} MB  exit {run.returncode}")
        if run.returncode not in (0, 1):
            print("    " + run.stderr.strip().splitlines()[-1] if run.stderr.strip() else "    (no stderr)")
    one, two = phases.get("jobs 1, no cache"), phases.get("jobs 2, no cache")
    cold, warm = phases.get("jobs 2, cold cache"), phases.get("jobs 2, warm cache")
    if one and two:
        print(f"  speed-up, jobs 2 / jobs 1:       {one.wall / two.wall:6.2f} x  (aim: >= 1.8 on 2 cores)")
        print(f"  peak memory, jobs 2 / jobs 1:    {two.peak_rss_mb / max(one.peak_rss_mb, 1):6.2f} x")
    if cold and warm:
        print(f"  warm / cold cache (wall):        {warm.wall / cold.wall:6.1%}  (aim: <= 10%)")
        print(f"  warm / cold cache (CPU):         {warm.cpu / cold.cpu:6.1%}")


def notebook_files(root: Path | None) -> list[Path]:
    """The notebooks under ``root``, or else every ``.ipynb`` the installed packages ship."""
    base = root or Path(sys.prefix)
    return sorted(path for path in base.rglob("*.ipynb") if ".ipynb_checkpoints" not in path.parts)


def notebook_phase(root: Path | None) -> int:
    """``check --apply`` over a copy of the corpus: no crash, and every notebook the run did not
    change is byte for byte what it was. Returns 1 if either fails."""
    sources = notebook_files(root)
    if not sources:
        print("notebook corpus: no .ipynb found (pass --notebooks DIR)")
        return 0
    base = root or Path(sys.prefix)
    with tempfile.TemporaryDirectory() as scratch:
        corpus = Path(scratch) / "corpus"
        digests = {}
        for source in sources:
            # Installed packages live under site-packages, which `check` skips as installed code.
            relative = source.relative_to(base).parts
            if "site-packages" in relative:
                relative = relative[relative.index("site-packages") + 1 :]
            target = corpus.joinpath(*relative)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            digests[target] = hashlib.sha256(target.read_bytes()).hexdigest()
        report = Path(scratch) / "report.md"
        run = run_check(str(corpus), "-q", "--no-cache", "--apply", "--report", str(report))
        data = json.loads(report.with_suffix(".json").read_text())
        status = {str(corpus / item["path"]) if not Path(item["path"]).is_absolute() else item["path"]: item for item in data["file_list"]}
        crashes = [line for line in run.stderr.splitlines() if "internal error" in line]
        changed = [path for path, item in status.items() if item["status"] == "changed"]
        altered = [
            path for path in digests
            if str(path) not in changed and hashlib.sha256(path.read_bytes()).hexdigest() != digests[path]
        ]
        failed = [item for item in data["file_list"] if item["status"] == "failed"]
        print(f"notebook corpus: {len(sources)} notebooks under {base}")
        print(f"  {run.wall:.2f} s wall, {run.cpu:.2f} s CPU; exit {run.returncode}")
        print(f"  findings {data['findings']['total']}, notebooks changed {len(changed)}, "
              f"not checked {len(failed)}, internal errors {len(crashes)}")
        for item in failed[:20]:
            print(f"    {item['path']}: {item['reason']}")
        print(f"  notebooks without fixes changed on disk: {len(altered)} (must be 0)")
        return 1 if crashes or altered else 0
