"""positions_of gives exactly libcst's PositionProvider ranges for the nodes asked for."""

from __future__ import annotations

import ast
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from inplace_fixer.files import decode_source
from inplace_fixer.positions import positions_by_statement, positions_of

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted(p for p in (ROOT / "golden").rglob("*.py") if ".expected" not in p.name)[::7]


class _AllNodes(cst.CSTVisitor):
    def __init__(self) -> None:
        self.nodes: list[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.nodes.append(node)
        return True


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: str(p.relative_to(ROOT)))
def test_same_ranges_as_position_provider(path: Path) -> None:
    module = cst.parse_module(decode_source(path.read_bytes()).text)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    collector = _AllNodes()
    module.visit(collector)
    every = positions_of(module, collector.nodes)
    assert {n: every[n] for n in collector.nodes} == {n: expected[n] for n in collector.nodes}
    # Asking for a few nodes gives the same ranges as asking for all of them.
    few = collector.nodes[::5]
    got = positions_of(module, few)
    assert [got[n] for n in few] == [expected[n] for n in few]


class _StatementOf(cst.CSTVisitor):
    """Every node, and the statement line (or compound statement) that holds it."""

    def __init__(self) -> None:
        self.nodes: list[cst.CSTNode] = []
        self.holder: dict[cst.CSTNode, cst.CSTNode] = {}
        self._stack: list[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.nodes.append(node)
        if self._stack:
            self.holder[node] = self._stack[-1]
        if isinstance(node, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
            self._stack.append(node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        if self._stack and self._stack[-1] is original_node:
            self._stack.pop()


TRICKY = {
    "decorators with comments": "x = 1\n# c1\n\n# c2\n@dec\n# c3\n@(\n  d2)\ndef f():\n    y = 2  # t\n",
    "elif chain and one-line suites": "if a: b += 1\nelif c:\n    d *= 2\nelif e: pass\nelse:\n  f -= 1; g = 3\n",
    "try and match": (
        "try:\n    a = 1\nexcept E as e:\n    b = 2\nelse:\n    c = 3\nfinally:\n    d = 4\n"
        "try:\n    pass\nexcept* F:\n    g = 5\n"
        "match x:\n    case 1:\n        y = 2\n    case _: z = 3\n"
    ),
    "tabs and nested blocks": "class A:\n\tdef f(self):\n\t\tfor i in r:\n\t\t\tx[i] += 1\n\t\telse:\n\t\t\tpass\n",
    "no newline at the end": "import torch\nx = torch.ones(3)\nx.add_(1)",
    "carriage returns": "a = 1\r\nif a:\r\n    b = 2\r\n",
    "form feed": "a = 1\n\x0c\ndef f():\n    return 2\n",
    "parenthesized first token": "(\n  a\n) = 1\nb = (\n  2)\n",
    "async": "async def f():\n    async with a as b:\n        await c\n    async for i in d:\n        e += i\n",
}


@pytest.mark.parametrize("source", list(TRICKY.values()), ids=list(TRICKY))
def test_by_statement_gives_the_provider_ranges_or_declines(source: str) -> None:
    module = cst.parse_module(source)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    collector = _StatementOf()
    module.visit(collector)
    nodes = [n for n in collector.nodes if n in collector.holder or isinstance(n, cst.SimpleStatementLine)]
    got = positions_by_statement(module, nodes, source, ast.parse(source), collector.holder.get)
    if got is None:  # declined: the engine then generates the whole module
        assert "\x0c" in source, "only the form feed case may decline"
        return
    assert {n: got[n] for n in nodes} == {n: expected[n] for n in nodes}


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: str(p.relative_to(ROOT)))
def test_by_statement_on_the_golden_samples(path: Path) -> None:
    source = decode_source(path.read_bytes()).text
    module = cst.parse_module(source)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    collector = _StatementOf()
    module.visit(collector)
    # The module's own header (comments before the first statement) is in no statement.
    few = [n for n in collector.nodes if n in collector.holder][::3]
    got = positions_by_statement(module, few, source, ast.parse(source), collector.holder.get)
    if got is None:
        pytest.skip("declined (libcst does not reproduce this file's text exactly)")
    assert {n: got[n] for n in few} == {n: expected[n] for n in few}


def test_pairings_kept_across_edits_give_the_provider_ranges() -> None:
    """The language server keeps each top-level statement's pairing from one text to the next
    (Pairings); after edits inside a method (a line added: everything below moves), of the
    module's top level and of comment lines, the ranges of every node are the provider's."""
    import importlib.util

    from inplace_fixer.positions import Pairings
    from inplace_fixer.reparse import DocumentParses

    torch_dir = Path(importlib.util.find_spec("torch").origin).parent
    text = (torch_dir / "nn" / "modules" / "linear.py").read_text(encoding="utf-8")
    parses, pairings = DocumentParses(), Pairings()
    parses.remember(text, ast.parse(text), cst.parse_module(text))
    edits = [
        ("        return F.linear(input, self.weight, self.bias)\n",
         "        input = input * 1\n        return F.linear(input, self.weight, self.bias)\n"),
        ("class Bilinear(Module):\n", "_top = 1\n\n\nclass Bilinear(Module):\n"),
        ("        return F.linear(input, self.weight, self.bias)\n",
         "        # a comment\n        return F.linear(input, self.weight, self.bias)\n"),
    ]
    for old, new in edits:
        assert old in text
        text = text.replace(old, new, 1)
        tree, module = parses.reparse(text)
        assert parses.outcome == "incremental"
        collector = _StatementOf()
        module.visit(collector)
        nodes = [n for n in collector.nodes if n in collector.holder]
        got = positions_by_statement(module, nodes, text, tree, collector.holder.get, pairings)
        expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
        assert got is not None and {n: got.get(n) for n in nodes} == {n: expected[n] for n in nodes}
