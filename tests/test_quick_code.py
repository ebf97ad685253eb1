"""``quick_code`` writes exactly what libcst's code generation writes, for every node it takes:
on real code we did not write (torch's ``nn/modules``, found without importing torch), and on
built cases for each field it reads; and ``code`` quotes the same either way."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import libcst as cst
import pytest

from inplace_fixer import source
from inplace_fixer.quick_code import quick_code

TORCH = Path(importlib.util.find_spec("torch").origin).parent
REAL_FILES = sorted((TORCH / "nn" / "modules").glob("*.py"))
EMPTY = cst.Module([])

BUILT = [
    "self.proj(x)",
    "( x . view ( b ,  -1 ) )",
    "f(*args, **kwargs)",
    "f(a, key=1, other = 'v',)",
    "f( * args )",
    "((x))",
    "torch.zeros(3, 4, dtype=torch.float32)",
    "f(\n    x,\n    y,\n)",  # a line break between tokens: libcst writes it
    "f(x)[0]",
    "x[:, 0]", "x[1:2:3]", "x[::2]", "x[a : b, ...]", "x[:-1,]", "x[*idx]", "x[ 0 ]",
    "-x", "not x", "~ x", "+1", "a + b * c", "a @ b", "(a - b) ** 2", "a//b % c", "a<<1|b>>2&c^d",
    "x[0] if c else y",  # a conditional expression: not written here
    "f(x  # comment\n)",
    "0x1F",
    "1.5e-3",
    "f'{x}'",  # an f-string: not written here
]


def _expressions(module: cst.Module) -> list[cst.BaseExpression]:
    found: list[cst.BaseExpression] = []

    class _All(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            if isinstance(node, cst.BaseExpression):
                found.append(node)
            return True

    module.visit(_All())
    return found


@pytest.mark.parametrize("path", REAL_FILES[::3], ids=lambda path: path.name)
def test_real_files(path: Path) -> None:
    written = 0
    for node in _expressions(cst.parse_module(path.read_text(encoding="utf-8"))):
        quick = quick_code(node)
        if quick is not None:
            assert quick == EMPTY.code_for_node(node)
            written += 1
    assert written > 0


@pytest.mark.parametrize("text", BUILT)
def test_built_cases(text: str) -> None:
    for node in _expressions(cst.parse_module(text + "\n")):
        quick = quick_code(node)
        assert quick is None or quick == EMPTY.code_for_node(node), text


def test_what_is_not_written_here_is_refused() -> None:
    assert quick_code(cst.parse_expression("x if c else y")) is None
    assert quick_code(cst.parse_expression("f(\n    x,\n)")) is None
    assert quick_code(cst.parse_expression("self.proj(x, y=1)")) == "self.proj(x, y=1)"


@pytest.mark.parametrize("limit", [None, 5, 12, 40])
def test_code_quotes_the_same_either_way(limit) -> None:
    for text in BUILT:
        for node in _expressions(cst.parse_module(text + "\n")):
            whole = " ".join(EMPTY.code_for_node(node).split())
            expected = whole if limit is None or len(whole) <= limit else whole[: limit - 3] + "..."
            assert source.code(node, limit) == expected, text
