"""The timeline's walks over a module (timeline.py) reach the nodes libcst's own visitor reaches:
each statement's block, and the functions referenced only from init code."""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst

from inplace_fixer import timeline
from inplace_fixer.cst_parse import parse_module

SOURCE = textwrap.dedent("""
    import torch

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.apply(self._init)
            if self.flag:
                self._fill()
            elif self.other:
                pass
            else:
                for p in self.parameters():
                    with torch.no_grad():
                        p.zero_()
                else:
                    done = True

        def _init(self, module):
            try:
                module.weight.data.normal_()
            except AttributeError:
                pass
            finally:
                self._helper()

        def _fill(self):
            while True: break

        @staticmethod
        def _helper():
            match 1:
                case 1:
                    return 2

        def forward(self, x):
            return self._used_in_forward(x)

        def _used_in_forward(self, x):
            return x
""")


def reference_blocks(module: cst.Module) -> dict[int, tuple[list, object, int]]:
    """The same index, with the nodes reached by libcst's own visitor and found by ``children``
    (what the timeline did before): only the walk differs."""
    where: dict[int, tuple[list, object, int]] = {}

    def index(statements, owner):
        for position, statement in enumerate(statements):
            where.setdefault(id(statement), (list(statements), owner, position))

    class Indexer(cst.CSTVisitor):
        def visit_Module(self, node: cst.Module) -> None:
            index(node.body, None)

        def on_visit(self, node: cst.CSTNode) -> bool:
            if isinstance(node, cst.BaseCompoundStatement):
                for statements in timeline.owned_blocks(node, node.children):
                    index(statements, node)
            return super().on_visit(node)

    module.visit(Indexer())
    return where


def blocks(module: cst.Module) -> dict[int, tuple[list, object, int]]:
    where: dict = {}
    timeline._index_blocks(module, where)
    return {key: (list(block.statements), block.owner, position) for key, (block, position) in where.items()}


def test_every_statement_gets_the_block_and_owner_the_visitor_gives() -> None:
    module = parse_module(SOURCE)
    found = blocks(module)
    assert found == reference_blocks(module)
    # Blocks of every kind of compound statement in SOURCE; a `case` body is not indexed (neither
    # was it by the visitor).
    owners = {type(owner).__name__ for _, owner, _ in found.values()}
    assert owners == {"NoneType", "ClassDef", "FunctionDef", "If", "For", "With", "Try", "While"}
    done = [owner for statements, owner, _ in found.values() if module.code_for_node(statements[0]).strip() == "done = True"]
    assert [type(owner) for owner in done] == [cst.For], "a loop's `else:` body belongs to the loop"


def test_the_walks_agree_with_the_visitor_on_this_projects_own_sources() -> None:
    root = Path(__file__).resolve().parents[1] / "inplace_fixer"
    files = sorted(root.rglob("*.py"))[::3]
    assert len(files) > 20
    for path in files:
        module = parse_module(path.read_text())
        assert blocks(module) == reference_blocks(module), path


def test_functions_referenced_only_from_init_code() -> None:
    module = parse_module(SOURCE)
    # _init is referenced only in __init__, _helper only in _init; _fill in __init__ too.
    assert timeline._init_only(module) == {"_init", "_helper", "_fill"}
