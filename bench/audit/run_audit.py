"""Precision audit of inplace-fixer on real code nobody on the project wrote (issue 8, "Measured").

    .venv/bin/python bench/audit/run_audit.py            # check the trees, draw the sample, print the table
    .venv/bin/python bench/audit/run_audit.py --reuse    # reuse the findings of an earlier run (same tool commit, same versions)

Trees: the installed transformers' ``models/`` folder, timm and torchvision. The check walks a
copy of each under ``--work`` (default /tmp/ipf-audit), because `check` skips directories inside a
virtualenv or ``site-packages``. Paths in the CSVs are relative to the tree.

Sample (fixed seed): every ``breaks-backward`` finding (a census), plus at least ``--size``
(default 100) of the other findings stratified by rule: proportional to the rule's count, at
least 5 per rule where it has 5 (all of them where it has fewer).

``sample.csv``: one row per sampled finding, with ``verdict`` (right / wrong / unjudged) and
``why`` copied from ``judgements.csv`` where a finding with the same (tree, path, code, source
line text) was judged before with the same message and category; new ones are left empty for a person to judge, then copied into
``judgements.csv`` (``--merge`` does that: it adds every judged sample row to judgements.csv).

The table: findings per rule, sample size, wrong count and % per rule, per category and overall,
with a 95% Wilson interval. Unjudged rows are excluded from the rates and counted. Because the
breaks-backward findings are a census and the rest a sample, the overall rate is also given
weighted by stratum size (stratum = rule, plus one stratum per rule for its breaks-backward
findings).
"""

from __future__ import annotations

import argparse
import csv
import importlib
import json
import math
import random
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
SEED = 20261204
FLOOR = 5
TREES = {
    # name: (package to import, sub-folder of the package)
    "transformers-models": ("transformers", "models"),
    "timm": ("timm", ""),
    "torchvision": ("torchvision", ""),
}
SAMPLE_FIELDS = ["tree", "path", "line", "code", "category", "message", "source", "verdict", "why"]
KEY_FIELDS = ("tree", "path", "code", "source")


def package_dir(package: str) -> tuple[Path, str]:
    """The installed package's folder and version, without importing it (torchvision may not import)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"{package} is not installed: pip install --no-deps {package}")
    from importlib.metadata import version

    return Path(list(spec.submodule_search_locations)[0]), version(package)


def tool_commit() -> str:
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()


def tool_tree() -> str:
    """The git tree of inplace_fixer/ (with uncommitted changes marked): what decides whether findings can be reused."""
    tree = subprocess.run(["git", "rev-parse", "HEAD:inplace_fixer"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "inplace_fixer"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    return tree + ("+dirty" if dirty else "")


def run_check(name: str, work: Path, reuse: bool) -> tuple[list[dict], str]:
    package, sub = TREES[name]
    src, ver = package_dir(package)
    src = src / sub if sub else src
    tree = work / "trees" / name
    out = work / f"findings-{name}.json"
    meta = work / f"findings-{name}.meta.json"
    want = {"tool": tool_tree(), "package": package, "version": ver}
    if reuse and out.exists() and meta.exists() and json.loads(meta.read_text()) == want:
        print(f"{name}: reusing {out}", file=sys.stderr)
    else:
        if tree.exists():
            shutil.rmtree(tree)
        shutil.copytree(src, tree, ignore=shutil.ignore_patterns("__pycache__"))
        print(f"{name}: checking {tree} ({package} {ver}) ...", file=sys.stderr)
        with out.open("w") as fh:
            proc = subprocess.run(
                [sys.executable, "-m", "inplace_fixer", "check", str(tree), "--format", "json", "--exit-zero"],
                stdout=fh, stderr=subprocess.PIPE, text=True,
            )
        if proc.returncode not in (0, 2):
            raise SystemExit(f"check failed on {name}: {proc.stderr[-2000:]}")
        crashed = [ln.split(": internal error")[0] for ln in proc.stderr.splitlines() if ": internal error" in ln]
        (work / f"check-{name}.stderr").write_text(proc.stderr)
        if crashed:
            print(f"{name}: {len(crashed)} files not checked (internal error): " + ", ".join(
                str(Path(c).relative_to(tree)) for c in crashed), file=sys.stderr)
        meta.write_text(json.dumps(want))
    findings = json.loads(out.read_text())
    lines_cache: dict[Path, list[str]] = {}
    rows = []
    for f in findings:
        path = Path(f["path"])
        if path not in lines_cache:
            lines_cache[path] = path.read_text(encoding="utf-8", errors="replace").splitlines()
        lines = lines_cache[path]
        source = lines[f["line"] - 1].strip() if 0 < f["line"] <= len(lines) else ""
        rows.append({
            "tree": name,
            "path": str(path.relative_to(tree)),
            "line": f["line"],
            "code": f["code"],
            "category": f["category"],
            "message": f["message"],
            "source": source,
        })
    return rows, ver


def draw_sample(rows: list[dict], size: int) -> list[dict]:
    rows = sorted(rows, key=lambda r: (r["tree"], r["path"], r["line"], r["code"], r["message"]))
    census = [r for r in rows if r["category"] == "breaks-backward"]
    rest = [r for r in rows if r["category"] != "breaks-backward"]
    by_rule: dict[str, list[dict]] = defaultdict(list)
    for r in rest:
        by_rule[r["code"]].append(r)
    total = len(rest)
    quota = {c: max(min(FLOOR, len(v)), round(size * len(v) / total)) for c, v in by_rule.items()}
    # Rounding may leave the total short of `size`: top up the largest strata first.
    for c in sorted(by_rule, key=lambda c: -len(by_rule[c])):
        if sum(quota.values()) >= size:
            break
        quota[c] = min(len(by_rule[c]), quota[c] + 1)
    rng = random.Random(SEED)
    sample = list(census)
    for c in sorted(by_rule):
        sample += rng.sample(by_rule[c], min(quota[c], len(by_rule[c])))
    return sorted(sample, key=lambda r: (r["category"] != "breaks-backward", r["code"], r["tree"], r["path"], r["line"]))


def key(r: dict) -> tuple:
    return tuple(str(r[k]) for k in KEY_FIELDS)


def load_judgements() -> dict[tuple, dict]:
    path = HERE / "judgements.csv"
    if not path.exists():
        return {}
    with path.open(newline="") as fh:
        return {key(r): r for r in csv.DictReader(fh)}


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    if n == 0:
        return (float("nan"), float("nan"))
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return max(0.0, c - h), min(1.0, c + h)


def fmt(k: int, n: int) -> str:
    if n == 0:
        return "n/a | n/a"
    lo, hi = wilson(k, n)
    return f"{100 * k / n:.0f}% | {100 * lo:.0f}–{100 * hi:.0f}%"


def table(rows: list[dict], sample: list[dict]) -> str:
    out = []
    pop = Counter(r["code"] for r in rows)
    pop_cat = Counter(r["category"] for r in rows)
    pop_bb = Counter(r["code"] for r in rows if r["category"] == "breaks-backward")

    def block(title, groups, population, extra=None):
        out.append(f"| {title} | findings | sampled | judged | unjudged | wrong | wrong % | 95% Wilson |")
        out.append("|---|---|---|---|---|---|---|---|")
        for g in sorted(population):
            s = [r for r in sample if groups(r) == g]
            j = [r for r in s if r["verdict"] in ("right", "wrong")]
            w = sum(r["verdict"] == "wrong" for r in j)
            label = g + (extra(g) if extra else "")
            out.append(f"| {label} | {population[g]} | {len(s)} | {len(j)} | {len(s) - len(j)} | {w} | {fmt(w, len(j))} |")
        out.append("")

    block("rule", lambda r: r["code"], pop,
          lambda g: f" ({pop_bb[g]} breaks-backward)" if pop_bb[g] else "")
    block("category", lambda r: r["category"], pop_cat)
    block("rule / category", lambda r: f'{r["code"]} {r["category"]}',
          Counter(f'{r["code"]} {r["category"]}' for r in rows))
    block("tree", lambda r: r["tree"], Counter(r["tree"] for r in rows))
    j = [r for r in sample if r["verdict"] in ("right", "wrong")]
    w = sum(r["verdict"] == "wrong" for r in j)
    out.append(f"Overall (sample, unweighted): {len(rows)} findings, {len(sample)} sampled, {len(j)} judged, "
               f"{len(sample) - len(j)} unjudged, {w} wrong: {fmt(w, len(j)).replace(' | ', ', 95% Wilson ')}")
    # Weighted by stratum: breaks-backward findings are a census, the rest a sample per rule.
    strata = defaultdict(lambda: [0, 0, 0])  # population, judged, wrong
    for r in rows:
        strata[(r["code"], r["category"] == "breaks-backward")][0] += 1
    for r in j:
        s = strata[(r["code"], r["category"] == "breaks-backward")]
        s[1] += 1
        s[2] += r["verdict"] == "wrong"
    covered = sum(p for p, n, _ in strata.values() if n)
    est = sum(p * k / n for p, n, k in strata.values() if n) / covered if covered else float("nan")
    out.append(f"Overall (weighted by stratum size, over the {covered} of {len(rows)} findings whose stratum "
               f"has a judged finding): {100 * est:.1f}% wrong")
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--work", type=Path, default=Path("/tmp/ipf-audit"))
    ap.add_argument("--size", type=int, default=100)
    ap.add_argument("--reuse", action="store_true", help="reuse findings of an earlier run with the same tool commit and versions")
    ap.add_argument("--merge", action="store_true", help="copy judged rows of sample.csv into judgements.csv")
    ap.add_argument("--trees", default=",".join(TREES))
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)

    if args.merge:
        judged = load_judgements()
        with (HERE / "sample.csv").open(newline="") as fh:
            for r in csv.DictReader(fh):
                if r["verdict"] in ("right", "wrong", "unjudged"):
                    judged[key(r)] = r
        with (HERE / "judgements.csv").open("w", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=SAMPLE_FIELDS)
            w.writeheader()
            for k in sorted(judged):
                w.writerow({f: judged[k].get(f, "") for f in SAMPLE_FIELDS})
        print(f"judgements.csv: {len(judged)} rows", file=sys.stderr)

    rows: list[dict] = []
    for name in args.trees.split(","):
        r, ver = run_check(name, args.work, args.reuse)
        print(f"{name} ({TREES[name][0]} {ver}): {len(r)} findings", file=sys.stderr)
        rows += r
    sample = draw_sample(rows, args.size)
    judged = load_judgements()
    for r in sample:
        j = judged.get(key(r))
        # A verdict carries over only if the finding still says the same thing: the same key with
        # another message or category (another saver, fix or category) is judged again.
        same = j is not None and j["message"] == r["message"] and j["category"] == r["category"]
        r["verdict"] = j["verdict"] if same else ""
        r["why"] = j["why"] if same else ""
    with (HERE / "sample.csv").open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=SAMPLE_FIELDS)
        w.writeheader()
        w.writerows(sample)
    new = sum(not r["verdict"] for r in sample)
    print(f"tool commit {tool_commit()} (inplace_fixer tree {tool_tree()}); sample.csv: {len(sample)} rows, {new} not yet judged", file=sys.stderr)
    for r in sample:
        if not r["verdict"]:
            r["verdict"] = "unjudged"
    text = table(rows, sample)
    (HERE / "table.md").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
