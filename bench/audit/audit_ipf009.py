"""IPF009 (mutation-before-backward) on real training code nobody on the project wrote (issue 9, part 4).

    .venv/bin/python bench/audit/audit_ipf009.py --wheels DIR     # DIR: the wheels below, from `pip download --no-deps`
    .venv/bin/python bench/audit/audit_ipf009.py --reuse          # the findings of an earlier run

Trees, copied under ``--work`` (default /tmp/ipf9-audit; `check` skips site-packages): torch's
own Python sources (from this venv), and the package folders of these wheels, unpacked as they
are (nothing is imported): transformers 5.25.0, timm 1.0.31, torchvision 0.28.0, and the
training code of stable-baselines3 2.9.2 (actor-critic: SAC, TD3, DDPG, PPO, A2C), trl 1.16.0
(RL trainers), diffusers 0.42.1 (EMA, training utilities), pytorch-ignite 0.5.5 and
pytorch-lightning 2.6.6 (training loops):

    pip download --no-deps transformers==5.25.0 timm==1.0.31 torchvision==0.28.0 stable-baselines3==2.9.2 \
        trl==1.16.0 diffusers==0.42.1 pytorch-ignite==0.5.5 pytorch-lightning==2.6.6 -d DIR

Files checked: every file of those trees whose text has an attribute `.backward` or `.grad`
(IPF009 looks at a file only when such an attribute is in it, so this is every file it can
report on), plus transformers' `trainer*.py`. `check --select IPF009`.

Two outputs, both judged by reading the code (``ipf009_judgements.csv``, one row per finding:
verdict right/wrong and why):

1. every IPF009 finding (a census, not a sample);
2. a search for the shapes it should find: every function of those files where a
   state-changing call (`.step(`, `load_state_dict(`, `reset_running_stats(`, `nn.init.*_(`,
   `.apply(`, `.clamp_(`, `.copy_(` on a parameter) comes before a backward in source order,
   or inside the same loop, without an IPF009 finding there. Each is a candidate miss,
   judged in ``ipf009_candidates.csv`` (miss / fine and why).

The table (``ipf009_table.md``): findings, right, wrong, wrong % with a 95% Wilson interval, per
tree; candidates and misses.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import csv
import json
import re
import shutil
import subprocess
import sys
import time
import zipfile
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run_audit import wilson  # noqa: E402  (the same interval as the issue-8 audit)

REPO = HERE.parent.parent
PREFILTER = re.compile(r"\.(backward|grad)\b")
# wheel name -> the package folder inside it
WHEELS = {
    "transformers": "transformers", "timm": "timm", "torchvision": "torchvision", "stable_baselines3": "stable_baselines3",
    "trl": "trl", "diffusers": "diffusers", "pytorch_ignite": "ignite", "pytorch_lightning": "pytorch_lightning",
}
CHANGES = {"step", "load_state_dict", "reset_running_stats", "reset_parameters", "apply", "clamp_", "copy_"}
FIELDS = ["tree", "path", "line", "source", "message", "verdict", "why"]
CANDIDATE_FIELDS = ["tree", "path", "function", "change_line", "change", "backward_line", "verdict", "why"]


def build_trees(work: Path, wheels: Path | None) -> None:
    trees = work / "trees"
    trees.mkdir(parents=True, exist_ok=True)
    spec = importlib.util.find_spec("torch")  # its folder, without importing it
    torch_dir = Path(list(spec.submodule_search_locations)[0])
    if not (trees / "torch").exists():
        shutil.copytree(torch_dir, trees / "torch", ignore=shutil.ignore_patterns("__pycache__"))
    for wheel_name, folder in WHEELS.items():
        if (trees / folder).exists():
            continue
        if wheels is None:
            raise SystemExit(f"{trees / folder} is missing: pass --wheels DIR (pip download --no-deps {wheel_name} -d DIR)")
        (wheel,) = wheels.glob(f"{wheel_name}-*.whl")
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(trees, [m for m in archive.namelist() if m.startswith(f"{folder}/")])


TREES = ("torch", *WHEELS.values())


def files_to_check(trees: Path, tree: str) -> list[str]:
    found = set()
    for path in (trees / tree).rglob("*.py"):
        if PREFILTER.search(path.read_text(encoding="utf-8", errors="replace")):
            found.add(path.relative_to(trees).as_posix())
    if tree == "transformers":
        found.update(p.relative_to(trees).as_posix() for p in (trees / "transformers").glob("trainer*.py"))
    return sorted(found)


def run_check(work: Path, tree: str, files: list[str], reuse: bool) -> list[dict]:
    out = work / f"ipf009-findings-{tree}.json"
    if not files:
        return []  # torchvision: no file mentions a backward
    if not (reuse and out.exists()):
        started = time.monotonic()
        with out.open("w") as fh:
            done = subprocess.run(
                [sys.executable, "-m", "inplace_fixer", "check", *files, "--select", "IPF009", "--format", "json",
                 "--exit-zero", "--no-cache", "-q", "-j", "2"],
                cwd=work / "trees", stdout=fh, stderr=subprocess.PIPE, text=True,
            )
        (work / f"ipf009-check-{tree}.stderr").write_text(done.stderr)
        crashed = [line.split(": internal error")[0] for line in done.stderr.splitlines() if ": internal error" in line]
        print(f"{tree}: {len(files)} files in {time.monotonic() - started:.0f} s; not checked (internal error): "
              f"{', '.join(crashed) or 'none'}", file=sys.stderr)
        if done.returncode not in (0, 2):
            raise SystemExit(f"check failed (exit {done.returncode}): {done.stderr[-2000:]}")
    rows = []
    for f in json.loads(out.read_text()):
        path = Path(f["path"])
        lines = (work / "trees" / path).read_text(encoding="utf-8", errors="replace").splitlines()
        rows.append({"tree": path.parts[0], "path": path.as_posix(), "line": f["line"],
                     "source": lines[f["line"] - 1].strip(), "message": f["message"]})
    return rows


def candidates(trees: Path, files: list[str], flagged: set[tuple[str, int]]) -> list[dict]:
    """Functions where a state-changing call comes before a backward (or shares its loop)."""
    found = []
    for relative in files:
        try:
            tree = ast.parse((trees / relative).read_text(encoding="utf-8", errors="replace"))
        except SyntaxError:
            continue
        for function in (n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))):
            backwards, changes = [], []
            loops = [n for n in ast.walk(function) if isinstance(n, (ast.For, ast.While))]
            for node in ast.walk(function):
                if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                    continue
                attr = node.func.attr
                text = ast.unparse(node.func)
                if attr == "backward" or text in ("torch.autograd.grad", "autograd.grad", "torch.autograd.backward"):
                    backwards.append(node.lineno)
                elif ".data." in f"{text}." or (attr == "apply" and _class_name(node.func.value)):
                    continue  # `.data` is IPF007's; `MyFunction.apply(x)` runs an autograd Function
                elif attr in CHANGES or (".init." in f".{text}" and attr.endswith("_")):
                    changes.append((node.lineno, ast.unparse(node)[:80]))
            for line, change in changes:
                later = [b for b in backwards if b > line]
                looped = [b for b in backwards if any(_inside(loop, line) and _inside(loop, b) for loop in loops)]
                target = (later or looped or [None])[0]
                if target is not None and (relative, line) not in flagged:
                    found.append({"tree": relative.split("/")[0], "path": relative, "function": function.name,
                                  "change_line": line, "change": change, "backward_line": target})
    return found


def _class_name(node: ast.AST) -> bool:
    name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""
    return name[:1].isupper()


def _inside(loop: ast.AST, line: int) -> bool:
    return loop.lineno <= line <= (loop.end_lineno or loop.lineno)


def merge(rows: list[dict], path: Path, fields: list[str], keys: tuple[str, ...]) -> list[dict]:
    """Verdicts from an earlier judgement file, for rows with the same key (message included)."""
    old = {}
    if path.exists():
        with path.open(newline="") as fh:
            old = {tuple(r[k] for k in keys): r for r in csv.DictReader(fh)}
    for row in rows:
        earlier = old.get(tuple(str(row[k]) for k in keys), {})
        row["verdict"], row["why"] = earlier.get("verdict", ""), earlier.get("why", "")
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows({f: row.get(f, "") for f in fields} for row in rows)
    return rows


def table(rows: list[dict], found: list[dict], files: int) -> str:
    out = [f"Files checked: {files}. IPF009 findings: {len(rows)}.", "",
           "| tree | findings | right | wrong | unjudged | wrong % | 95% Wilson |", "|---|---|---|---|---|---|---|"]
    for tree in sorted({r["tree"] for r in rows} | set(TREES)):
        verdicts = Counter(r["verdict"] or "unjudged" for r in rows if r["tree"] == tree)
        right, wrong = verdicts["right"], verdicts["wrong"]
        judged = right + wrong
        rate = f"{100 * wrong / judged:.0f}% | {100 * wilson(wrong, judged)[0]:.0f}–{100 * wilson(wrong, judged)[1]:.0f}%" if judged else "n/a | n/a"
        out.append(f"| {tree} | {right + wrong + verdicts['unjudged']} | {right} | {wrong} | {verdicts['unjudged']} | {rate} |")
    verdicts = Counter(r["verdict"] or "unjudged" for r in rows)
    judged = verdicts["right"] + verdicts["wrong"]
    if judged:
        lo, hi = wilson(verdicts["wrong"], judged)
        out.append(f"| all | {len(rows)} | {verdicts['right']} | {verdicts['wrong']} | {verdicts['unjudged']} | "
                   f"{100 * verdicts['wrong'] / judged:.0f}% | {100 * lo:.0f}–{100 * hi:.0f}% |")
    kinds = Counter(c["verdict"] or "unjudged" for c in found)
    out += ["", f"Search for missed shapes: {len(found)} state-changing calls before a backward (or in its loop) "
            f"with no IPF009 finding: " + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/ipf9-audit"))
    parser.add_argument("--wheels", type=Path)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    build_trees(args.work, args.wheels)
    files, rows = [], []
    for tree in TREES:
        checked = files_to_check(args.work / "trees", tree)
        files += checked
        rows += run_check(args.work, tree, checked, args.reuse)
    rows = merge(rows, HERE / "ipf009_judgements.csv", FIELDS, ("path", "source", "message"))
    flagged = {(r["path"], int(r["line"])) for r in rows}
    found = merge(candidates(args.work / "trees", files, flagged), HERE / "ipf009_candidates.csv", CANDIDATE_FIELDS,
                  ("path", "function", "change"))
    text = table(rows, found, len(files))
    (HERE / "ipf009_table.md").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
