"""Verdicts of the verifier over the verifier's goldens and the engine's rewrites of every golden
program, as JSON lines, so two versions of the verifier can be compared:

    python tools/measure_oracle.py > new.jsonl
    git archive <old commit> inplace_fixer | tar -x -C /tmp/old
    PYTHONPATH=/tmp/old python tools/measure_oracle.py > old.jsonl
    python tools/measure_oracle.py --compare old.jsonl new.jsonl

The package is imported from PYTHONPATH first, so the same script measures either version.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _pairs() -> list[tuple[str, str, str]]:
    from inplace_fixer.verify.corpus import load_cases
    from inplace_fixer.verify.pool import rewrite_for_verification

    pairs = [(f"verify/{case.name}", case.original, case.rewritten) for case in load_cases(ROOT / "golden" / "verify")]
    for path in sorted((ROOT / "golden").rglob("*.py")):
        if path.name.endswith((".expected.py", ".rewritten.py")) or "verify" in path.relative_to(ROOT / "golden").parts[:1]:
            continue
        source = path.read_text(encoding="utf-8", errors="replace")
        if "backward" not in source and "autograd" not in source:
            continue
        rewritten = rewrite_for_verification(source, str(path))
        if isinstance(rewritten, str) and rewritten != source:
            pairs.append((f"engine/{path.relative_to(ROOT / 'golden').as_posix()}", source, rewritten))
    return pairs


def measure() -> None:
    from inplace_fixer.verify import VerifierPool

    pairs = _pairs()
    with VerifierPool(workers=2) as pool:
        results = pool.verify_many([(o, r) for _, o, r in pairs], timeout=5.0)
    for (name, _, _), result in zip(pairs, results):
        print(json.dumps({"name": name, "verdict": result.verdict.value, "oracle": result.evidence.get("oracle"), "reason": result.reason}))


def compare(old_path: str, new_path: str) -> None:
    old = {row["name"]: row for row in map(json.loads, Path(old_path).read_text().splitlines())}
    new = {row["name"]: row for row in map(json.loads, Path(new_path).read_text().splitlines())}
    changed = [name for name in new if name in old and old[name]["verdict"] != new[name]["verdict"]]
    print(f"{len(new)} pairs; oracle used: {dict(Counter(row['oracle'] for row in new.values()))}")
    print(f"{len(changed)} verdicts changed: {dict(Counter((old[n]['verdict'], new[n]['verdict']) for n in changed))}")
    for name in changed:
        print(f"  {name}: {old[name]['verdict']} -> {new[name]['verdict']}: {new[name]['reason'][:300]}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--compare", nargs=2, metavar=("OLD", "NEW"))
    options = parser.parse_args()
    if options.compare:
        compare(*options.compare)
    else:
        measure()  # inplace_fixer from PYTHONPATH, else the installed (editable) one
