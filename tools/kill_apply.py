"""Kill ``inplace-fixer check --apply`` with SIGKILL at random moments and check what it leaves.

    python tools/kill_apply.py [--trials 20] [--files 500] [--seed 0] [--jobs N] [-- EXTRA CHECK ARGS]

Each trial copies a tree of FILES small files (each with one fixable finding), starts a real
``python -m inplace_fixer check TREE --apply --jobs N`` on it (with a result cache and a
temporary directory of its own), watches the files being replaced, and sends SIGKILL to that
process (only: as ``kill -9 PID`` does, not to its pool workers) once a number of files drawn
from the trial's seed (1 to FILES - 1) has been written, after a further random pause of up to
20 ms, so that the kill lands while the run writes whatever the machine's load. It then waits
for every other process of the run (pool workers, forkserver, resource tracker) to end, and
checks that:

- none of them outlives the run by more than ``SURVIVOR_SECONDS``;
- every file holds exactly its old bytes or its new bytes (none mixed, truncated or missing);
- every temporary file of ours left in the tree or the cache is complete (see
  inplace_fixer/safe_write.py: a kill between its link and its rename), nothing is left in the
  run's temporary directory (TMPDIR: multiprocessing's ``pymp-*``), and a second ``--apply``
  run (after every trial that left something, and every ``--rerun-every``th trial) finishes
  every file and leaves no temporary file anywhere.

``tests/test_crash_safe_writes.py`` runs 20 trials; this script prints a table and exits 1 on any
violation, for longer runs.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from inplace_fixer.safe_write import temp_files  # noqa: E402

# How long the run's other processes may take to notice its death (batch/lifeline.py).
SURVIVOR_SECONDS = 10.0


@dataclass(frozen=True)
class Tree:
    root: Path
    old: dict[str, bytes]
    new: dict[str, bytes]


@dataclass(frozen=True)
class Trial:
    seed: int
    killed_after: float  # seconds after the start
    old: int
    new: int
    bad: tuple[str, ...]  # files neither old nor new
    temps_after_kill: tuple[str, ...]
    incomplete_temps: tuple[str, ...]  # temporary files whose bytes are not a complete new file
    after_rerun_bad: tuple[str, ...]  # files not new after the second run
    temps_after_rerun: tuple[str, ...]  # anywhere: tree, cache, temporary directory
    survivors: tuple[str, ...] = ()  # processes of the run alive SURVIVOR_SECONDS after the kill
    cache_temps_after_kill: tuple[str, ...] = ()
    incomplete_cache_temps: tuple[str, ...] = ()
    stray_after_kill: tuple[str, ...] = ()  # what the run left in its temporary directory

    @property
    def ok(self) -> bool:
        return not (
            self.bad or self.incomplete_temps or len(self.temps_after_kill) > 1
            or self.after_rerun_bad or self.temps_after_rerun
            or self.survivors or self.incomplete_cache_temps or self.stray_after_kill
        )

    @property
    def mid_run(self) -> bool:
        return self.old > 0 and self.new > 0


def build_tree(root: Path, count: int) -> Tree:
    """``count`` files in a few packages, each with one safe IPF001 fix, of varied sizes."""
    old, new = {}, {}
    for index in range(count):
        name = f"pkg{index % 7}/model_{index:04d}.py"
        padding = "".join(f"# line {n} of file {index}: padding so that sizes vary\n" for n in range(index % 40))
        before = (
            f'"""Model {index}."""\n{padding}import torch\n\n'
            f"h = torch.ones({index % 5 + 1}, requires_grad=True) * 2\n"
            f"h *= {index + 1}\nloss = h.sum()\n"
        )
        old[name] = before.encode()
        new[name] = before.replace(f"h *= {index + 1}", f"h = h * {index + 1}").encode()
    for name, data in old.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return Tree(root, old, new)


def copy_tree(tree: Tree, destination: Path) -> Tree:
    shutil.copytree(tree.root, destination)
    return Tree(destination, tree.old, tree.new)


def command(root: Path, cache: Path, jobs: int, extra: list[str]) -> list[str]:
    return [
        sys.executable, "-m", "inplace_fixer", "check", str(root), "--apply",
        "--jobs", str(jobs), "--cache-dir", str(cache), *extra,
    ]


def run_trial(
    tree: Tree, scratch: Path, seed: int, extra: list[str], rerun: bool = True, jobs: int = 1
) -> Trial:
    """One kill; the second run (which costs a full run) happens when ``rerun`` is set or the
    kill left a temporary file."""
    copy = copy_tree(tree, scratch / f"trial-{seed}")
    cache = scratch / f"cache-{seed}"
    temp_dir = scratch / f"tmp-{seed}"
    temp_dir.mkdir()
    run = dict(
        args=command(copy.root, cache, jobs, extra), cwd=REPO_ROOT, env={**os.environ, "TMPDIR": str(temp_dir)}
    )
    rng = random.Random(seed)
    target = rng.randint(1, len(copy.old) - 1)
    inodes = {name: (copy.root / name).stat().st_ino for name in copy.old}
    started = time.perf_counter()
    # A session of its own: its process group holds the run and every process it starts.
    process = subprocess.Popen(**run, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    while process.poll() is None and _replaced(copy, inodes) < target:
        time.sleep(0.005)
    time.sleep(rng.uniform(0, 0.02))
    process.send_signal(signal.SIGKILL)
    process.wait()
    delay = time.perf_counter() - started
    survivors = _wait_for_group(process.pid, SURVIVOR_SECONDS)
    old = new = 0
    bad = []
    for name in copy.old:
        path = copy.root / name
        data = path.read_bytes() if path.exists() else None
        if data == copy.old[name]:
            old += 1
        elif data == copy.new[name]:
            new += 1
        else:
            bad.append(name)
    temps = _tree_temps(copy)
    incomplete = [str(p) for p in temps if p.read_bytes() not in _new_bytes_for(p, copy)]
    cache_temps = _cache_temps(cache)
    incomplete_cache = [str(p) for p in cache_temps if not _is_json(p)]
    stray = sorted(map(str, temp_dir.iterdir()))
    after_bad: list[str] = []
    after_temps: list[Path] = []
    if rerun or temps or cache_temps or stray:
        subprocess.run(**run, capture_output=True)
        after_bad = [name for name in copy.old if (copy.root / name).read_bytes() != copy.new[name]]
        after_temps = _tree_temps(copy) + _cache_temps(cache, journal_too=True) + sorted(temp_dir.iterdir())
    for directory in (copy.root, cache, temp_dir):
        shutil.rmtree(directory)
    return Trial(
        seed, delay, old, new, tuple(bad), tuple(map(str, temps)), tuple(incomplete),
        tuple(after_bad), tuple(map(str, after_temps)), tuple(survivors),
        tuple(map(str, cache_temps)), tuple(incomplete_cache), tuple(stray),
    )


def _wait_for_group(group: int, seconds: float) -> list[str]:
    """Wait until no process of ``group`` is left (zombies aside: a container's init may not
    reap them); kill and return those still running after ``seconds``, as "pid command"."""
    deadline = time.monotonic() + seconds
    while (left := _group_members(group)) and time.monotonic() < deadline:
        time.sleep(0.05)
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return [f"{pid} {_command_line(pid)}" for pid in left]


def _group_members(group: int) -> list[int]:
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # Fields after the command name (which may hold spaces): state, ppid, pgrp.
            state, _, pgrp = (entry / "stat").read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, ValueError):
            continue
        if int(pgrp) == group and state != "Z":
            members.append(int(entry.name))
    return members


def _command_line(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")[:200]
    except OSError:
        return "?"


def _tree_temps(tree: Tree) -> list[Path]:
    return [p for directory in sorted({(tree.root / n).parent for n in tree.old}) for p in temp_files(directory)]


def _cache_temps(cache: Path, journal_too: bool = False) -> list[Path]:
    """Anything in the cache that is not an entry or its .gitignore; nor, unless
    ``journal_too``, the resume journal a killed run keeps for ``--resume``."""
    if not cache.exists():
        return []
    return sorted(
        p for p in cache.rglob("*")
        if p.is_file() and p.name != ".gitignore" and not (p.suffix == ".json" and not p.name.startswith("."))
        and (journal_too or not (p.parent.name == "resume" and p.suffix == ".jsonl"))
    )


def _is_json(path: Path) -> bool:
    try:
        json.loads(path.read_bytes())
    except (OSError, ValueError):
        return False
    return True


def _replaced(tree: Tree, inodes: dict[str, int]) -> int:
    """How many files have been replaced (a write renames a new file into place)."""
    count = 0
    for name, inode in inodes.items():
        try:
            count += (tree.root / name).stat().st_ino != inode
        except FileNotFoundError:
            count += 1  # counted as touched; the check after the kill says whether it is broken
    return count


def _new_bytes_for(temp: Path, tree: Tree) -> set[bytes]:
    # ".model_0007.py.<pid>.inplace-fixer.tmp" belongs to model_0007.py in the same directory.
    target = temp.parent / temp.name[1:].split(".py.", 1)[0]
    name = target.relative_to(tree.root).as_posix() + ".py"
    return {tree.new[name]} if name in tree.new else set()


def run_trials(
    trials: int, files: int, first_seed: int, extra: list[str], rerun_every: int = 1, jobs: int = 1
) -> list[Trial]:
    """``rerun_every``: do the second run after every Nth trial (and after any that left a
    temporary file)."""
    with tempfile.TemporaryDirectory(prefix="inplace-fixer-kill-") as scratch_name:
        scratch = Path(scratch_name)
        tree = build_tree(scratch / "template", files)
        return [
            run_trial(tree, scratch, seed, extra, rerun=(seed - first_seed) % rerun_every == 0, jobs=jobs)
            for seed in range(first_seed, first_seed + trials)
        ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0, help="seed of the first trial")
    parser.add_argument("--rerun-every", type=int, default=1, help="second run after every Nth trial")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes of the killed run")
    parser.add_argument("extra", nargs="*", help="more arguments for `check` (after --)")
    args = parser.parse_args()
    trials = run_trials(args.trials, args.files, args.seed, args.extra, args.rerun_every, args.jobs)
    print("seed  killed_at  old  new  bad  temps_left  cache_temps  stray  survivors  ok")
    for trial in trials:
        print(
            f"{trial.seed:4d}  {trial.killed_after:8.2f}s  {trial.old:3d}  {trial.new:3d}"
            f"  {len(trial.bad):3d}  {len(trial.temps_after_kill):10d}  {len(trial.cache_temps_after_kill):11d}"
            f"  {len(trial.stray_after_kill):5d}  {len(trial.survivors):9d}  {'yes' if trial.ok else 'NO'}"
        )
    mid = sum(trial.mid_run for trial in trials)
    failed = [trial for trial in trials if not trial.ok]
    print(f"{len(trials)} trials, {mid} killed mid-run, {len(failed)} violations")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
