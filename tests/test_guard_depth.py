"""The guard's cheap nesting check (``guard.depth_beyond_limit``) says what the full walk
(``guard.nesting_depth``) says, at every limit: on real code we did not write (torch's
``nn/modules`` and ``optim``, found without importing torch), where lowering the limit makes most
statements too deep and exercises every path, and on deep code built for the purpose."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

from inplace_fixer import guard

TORCH = Path(importlib.util.find_spec("torch").origin).parent
REAL_FILES = sorted([*(TORCH / "nn" / "modules").glob("*.py"), *(TORCH / "optim").glob("*.py")])

BUILT = {
    "and chain": "y = " + " and ".join(["x"] * 300) + "\n",
    "unary chain in a method": "class A:\n    def f(self):\n        if x:\n            y = " + "-" * 250 + "x\n",
    "attribute chain over lines": "y = (x\n" + "    .real\n" * 260 + ")\n",
    "comprehension clauses": "y = [a " + " ".join(f"for a{i} in b" for i in range(240)) + "]\n",
    "deep in an except handler": "try:\n    pass\nexcept E:\n    y = " + "not " * 230 + "x\n",
    "deep in a match case": "match v:\n    case 1 if " + "-" * 230 + "x:\n        pass\n",
    "deep in an f-string": "y = f'{" + "-" * 230 + "x}'\n",
    "non-ascii names": "y = " + "-" * 230 + "é\n",
    "shallow but long": "y = f(" + ", ".join(["x"] * 500) + ")\n",
    "crlf lines": "if x:\r\n    y = " + "-" * 210 + "x\r\n",
}


def expected(tree: ast.Module) -> int | None:
    depth = guard.nesting_depth(tree)
    return depth if depth > guard.MAX_NESTING else None


@pytest.mark.parametrize("limit", [8, 12, 16, 24, 200])
def test_real_files_at_every_limit(monkeypatch, limit: int) -> None:
    monkeypatch.setattr(guard, "MAX_NESTING", limit)
    judged = 0
    for path in REAL_FILES:
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        assert guard.depth_beyond_limit(tree, source) == expected(tree), path.name
        judged += expected(tree) is not None
    if limit <= 12:
        assert judged > 10  # the limit is low enough that the exact walks ran


@pytest.mark.parametrize("name", BUILT)
@pytest.mark.parametrize("limit", [50, 200])
def test_built_cases(monkeypatch, name: str, limit: int) -> None:
    monkeypatch.setattr(guard, "MAX_NESTING", limit)
    source = BUILT[name]
    tree = ast.parse(source)
    assert guard.depth_beyond_limit(tree, source) == expected(tree)


def test_the_built_cases_are_deep_and_the_long_one_is_not() -> None:
    depths = {name: guard.nesting_depth(ast.parse(source)) for name, source in BUILT.items()}
    assert all(depth > 200 for name, depth in depths.items() if name != "shallow but long"), depths
    assert depths["shallow but long"] < 10
