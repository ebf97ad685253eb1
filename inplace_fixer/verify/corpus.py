"""Runnable verification cases on disk: ``case.py`` with ``# expected-verdict: <verdict>`` in its
header, and ``case.rewritten.py`` beside it (a missing one means the rewrite leaves it as is)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from inplace_fixer.verify.result import Verdict

GOLDEN_ROOT = Path(__file__).resolve().parents[2] / "golden" / "verify"
REWRITTEN_SUFFIX = ".rewritten.py"
_EXPECTED = re.compile(r"^# expected-verdict: (\S+)\s*$", re.MULTILINE)


class CaseError(ValueError):
    pass


@dataclass(frozen=True)
class RunnableCase:
    name: str  # path below the root, without ``.py``: "fixed/leaf_iadd"
    path: Path
    original: str
    rewritten: str
    expected: Verdict


def load_case(path: Path, root: Path = GOLDEN_ROOT) -> RunnableCase:
    original = path.read_text(encoding="utf-8")
    found = _EXPECTED.search(original)
    if found is None:
        raise CaseError(f"{path}: no '# expected-verdict: <verdict>' header line")
    try:
        expected = Verdict(found.group(1))
    except ValueError:
        raise CaseError(f"{path}: unknown verdict {found.group(1)!r}") from None
    rewritten_path = path.with_name(path.name.removesuffix(".py") + REWRITTEN_SUFFIX)
    rewritten = rewritten_path.read_text(encoding="utf-8") if rewritten_path.exists() else original
    name = path.relative_to(root).as_posix().removesuffix(".py")
    return RunnableCase(name, path, original, rewritten, expected)


def load_cases(root: Path = GOLDEN_ROOT) -> list[RunnableCase]:
    paths = sorted(p for p in root.rglob("*.py") if not p.name.endswith(REWRITTEN_SUFFIX))
    return [load_case(path, root) for path in paths]
