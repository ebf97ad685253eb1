"""cst_fields.called_names gives what libcst's matchers find, on every block of real files."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import libcst as cst
import libcst.matchers as m
import pytest

from inplace_fixer.cst_fields import called_names, contains_equal

TORCH = Path(importlib.util.find_spec("torch").origin).parent
FILES = ("nn/modules/activation.py", "nn/modules/rnn.py", "optim/adam.py", "nn/functional.py")


def _by_matchers(node: cst.CSTNode) -> frozenset[str]:
    calls = m.findall(node, m.Call(func=m.Name() | m.Attribute()))
    return frozenset(call.func.value if isinstance(call.func, cst.Name) else call.func.attr.value for call in calls)


class _Blocks(cst.CSTVisitor):
    def __init__(self) -> None:
        self.blocks: list[cst.CSTNode] = []

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self.blocks.append(node)


@pytest.mark.parametrize("name", FILES)
def test_the_names_called_in_each_block_are_the_matchers_answer(name: str) -> None:
    module = cst.parse_module((TORCH / name).read_text(encoding="utf-8"))
    collector = _Blocks()
    module.visit(collector)
    assert len(collector.blocks) > 50
    found = [called_names(block) for block in collector.blocks]
    assert found == [_by_matchers(block) for block in collector.blocks]
    assert any(found)



class _Statements(cst.CSTVisitor):
    def __init__(self) -> None:
        self.statements: list[cst.CSTNode] = []
        self.expressions: list[cst.BaseExpression] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
            self.statements.append(node)
        elif isinstance(node, (cst.Name, cst.Attribute, cst.Subscript)):
            self.expressions.append(node)
        return True


def _mentions_by_matchers(root: cst.CSTNode, target: cst.BaseExpression) -> bool:
    return bool(m.findall(root, m.MatchIfTrue(lambda n: isinstance(n, cst.BaseExpression) and n.deep_equals(target))))


@pytest.mark.parametrize("name", FILES[:2])
def test_contains_equal_is_the_matchers_answer(name: str) -> None:
    module = cst.parse_module((TORCH / name).read_text(encoding="utf-8"))
    collector = _Statements()
    module.visit(collector)
    targets = collector.expressions[::97] + [cst.Name("self"), cst.Name("not_in_the_file")]
    pairs = [(statement, target) for statement in collector.statements[::7] for target in targets]
    found = [contains_equal(statement, target) for statement, target in pairs]
    assert found == [_mentions_by_matchers(statement, target) for statement, target in pairs]
    assert any(found) and not all(found)


@pytest.mark.parametrize("name", ("nn/modules/transformer.py", "nn/modules/rnn.py"))
def test_the_self_calls_of_each_class_are_the_matchers_answer(name: str) -> None:
    """IPF004's walk for `self.attr(...)` calls (and assignments of one) finds the nodes libcst's
    matchers find, in every class of real files."""
    from inplace_fixer.rules.ipf004_inplace_flag import self_calls

    module = cst.parse_module((TORCH / name).read_text(encoding="utf-8"))
    classes = m.findall(module, m.ClassDef())
    assert len(classes) >= 5
    pattern = m.Call(func=m.Attribute(value=m.Name("self"))) | m.Assign(value=m.Call(func=m.Attribute(value=m.Name("self"))))
    found = [{id(node) for node in self_calls(cls)} for cls in classes]
    assert found == [{id(node) for node in m.findall(cls, pattern)} for cls in classes]
    assert sum(map(len, found)) > 20
