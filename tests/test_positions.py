"""positions_of gives exactly libcst's PositionProvider ranges for the nodes asked for."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from inplace_fixer.files import decode_source
from inplace_fixer.positions import positions_of

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
