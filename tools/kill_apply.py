"""Kill ``inplace-fixer check --apply`` with SIGKILL at random moments and check what it leaves.

    python tools/kill_apply.py [--trials 20] [--files 500] [--seed 0] [-- EXTRA CHECK ARGS]

Each trial copies a tree of FILES small files (each with one fixable finding), starts a real
``python -m inplace_fixer check TREE --apply`` on it, watches the files being replaced, and
sends SIGKILL once a number of them drawn from the trial's seed (1 to FILES - 1) has been
written, after a further random pause of up to 20 ms, so that the kill lands while the run
writes whatever the machine's load. It then checks that:

- every file holds exactly its old bytes or its new bytes (none mixed, truncated or missing);
- at most one temporary file of ours is left, complete (see inplace_fixer/safe_write.py: a kill
  between its link and its rename); and a second ``--apply`` run (after every trial that left
  one, and every ``--rerun-every``th trial) finishes every file and leaves no temporary file.

``tests/test_crash_safe_writes.py`` runs 20 trials; this script prints a table and exits 1 on any
violation, for longer runs.
"""

from __future__ import annotations

import argparse
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
    temps_after_rerun: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not (
            self.bad or self.incomplete_temps or len(self.temps_after_kill) > 1
            or self.after_rerun_bad or self.temps_after_rerun
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


def command(root: Path, extra: list[str]) -> list[str]:
    return [sys.executable, "-m", "inplace_fixer", "check", str(root), "--apply", *extra]


def run_trial(tree: Tree, scratch: Path, seed: int, extra: list[str], rerun: bool = True) -> Trial:
    """One kill; the second run (which costs a full run) happens when ``rerun`` is set or the
    kill left a temporary file."""
    copy = copy_tree(tree, scratch / f"trial-{seed}")
    rng = random.Random(seed)
    target = rng.randint(1, len(copy.old) - 1)
    inodes = {name: (copy.root / name).stat().st_ino for name in copy.old}
    started = time.perf_counter()
    process = subprocess.Popen(
        command(copy.root, extra), cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    while process.poll() is None and _replaced(copy, inodes) < target:
        time.sleep(0.005)
    time.sleep(rng.uniform(0, 0.02))
    process.send_signal(signal.SIGKILL)
    process.wait()
    delay = time.perf_counter() - started
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
    temps = [p for directory in {(copy.root / n).parent for n in copy.old} for p in temp_files(directory)]
    incomplete = [str(p) for p in temps if p.read_bytes() not in _new_bytes_for(p, copy)]
    after_bad: list[str] = []
    after_temps: list[Path] = []
    if rerun or temps:
        subprocess.run(command(copy.root, extra), cwd=REPO_ROOT, capture_output=True)
        after_bad = [name for name in copy.old if (copy.root / name).read_bytes() != copy.new[name]]
        after_temps = [p for directory in {(copy.root / n).parent for n in copy.old} for p in temp_files(directory)]
    shutil.rmtree(copy.root)
    return Trial(
        seed, delay, old, new, tuple(bad), tuple(map(str, temps)), tuple(incomplete),
        tuple(after_bad), tuple(map(str, after_temps)),
    )


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
    trials: int, files: int, first_seed: int, extra: list[str], rerun_every: int = 1
) -> list[Trial]:
    """``rerun_every``: do the second run after every Nth trial (and after any that left a
    temporary file)."""
    with tempfile.TemporaryDirectory(prefix="inplace-fixer-kill-") as scratch_name:
        scratch = Path(scratch_name)
        tree = build_tree(scratch / "template", files)
        return [
            run_trial(tree, scratch, seed, extra, rerun=(seed - first_seed) % rerun_every == 0)
            for seed in range(first_seed, first_seed + trials)
        ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0, help="seed of the first trial")
    parser.add_argument("--rerun-every", type=int, default=1, help="second run after every Nth trial")
    parser.add_argument("extra", nargs="*", help="more arguments for `check` (after --)")
    args = parser.parse_args()
    trials = run_trials(args.trials, args.files, args.seed, args.extra, args.rerun_every)
    print("seed  killed_at  old  new  bad  temps_left  ok")
    for trial in trials:
        print(
            f"{trial.seed:4d}  {trial.killed_after:8.2f}s  {trial.old:3d}  {trial.new:3d}"
            f"  {len(trial.bad):3d}  {len(trial.temps_after_kill):10d}  {'yes' if trial.ok else 'NO'}"
        )
    mid = sum(trial.mid_run for trial in trials)
    failed = [trial for trial in trials if not trial.ok]
    print(f"{len(trials)} trials, {mid} killed mid-run, {len(failed)} violations")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
