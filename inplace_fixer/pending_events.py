"""What the pending-graph analysis recognises in a statement, without any state: the statements
of a scope in execution order, backward calls and their loss, the names an expression reads (cut
by `.detach()` and the like), the modules an optimizer is built over, and the blocks inside
`torch.autograd.graph.allow_mutation_on_saved_tensors()`.
"""

from __future__ import annotations

from typing import Iterator, Mapping, Optional, Sequence

import libcst as cst

from inplace_fixer.inference import NodeFact
from inplace_fixer.inference.state import dotted_name
from inplace_fixer.source import code

PARAMETER_ITERATORS = frozenset({"parameters", "named_parameters", "buffers", "named_buffers"})
CUTS = frozenset({"detach", "item", "tolist", "numpy", "data"})


def flatten(statements: Sequence[cst.CSTNode]) -> Iterator[tuple[cst.BaseSmallStatement, cst.CSTNode]]:
    for statement in statements:
        if isinstance(statement, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            for small in statement.body:
                yield small, statement
        elif isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            continue
        elif isinstance(statement, (cst.For, cst.While)):
            body = body_of(statement.body)
            yield from flatten(body)
            yield from flatten(body)  # the next iteration sees what this one left pending
            if statement.orelse is not None:
                yield from flatten(body_of(statement.orelse.body))
        elif isinstance(statement, cst.If):
            yield from flatten(body_of(statement.body))
            orelse = statement.orelse
            if isinstance(orelse, cst.If):
                yield from flatten([orelse])
            elif orelse is not None:
                yield from flatten(body_of(orelse.body))
        elif isinstance(statement, cst.Try):
            yield from flatten(body_of(statement.body))
            for handler in statement.handlers:
                yield from flatten(body_of(handler.body))
            for extra in (statement.orelse, statement.finalbody):
                if extra is not None:
                    yield from flatten(body_of(extra.body))
        elif isinstance(statement, cst.With):
            yield from flatten(body_of(statement.body))


def body_of(suite: cst.BaseSuite) -> Sequence[cst.CSTNode]:
    return suite.body if isinstance(suite, cst.IndentedBlock) else [suite]


def mutation_allowed_statements(module: cst.Module, facts: Mapping[cst.CSTNode, NodeFact]) -> set[int]:
    """ids of the small statements inside `with torch.autograd.graph.allow_mutation_on_saved_tensors():`."""
    found: set[int] = set()

    class _Finder(cst.CSTVisitor):
        def visit_With(self, node: cst.With) -> None:
            if any(_calls_allow_mutation(item.item) for item in node.items):
                for small, _ in flatten(body_of(node.body)):
                    found.add(id(small))

    # The inference evaluated the context manager's call: a file without it costs one pass.
    attribute = cst.Attribute  # libcst has no subclass of it: the exact type test is the fast one
    if any(type(node) is attribute and node.attr.value == "allow_mutation_on_saved_tensors" for node in facts):
        module.visit(_Finder())
    return found


def _calls_allow_mutation(node: cst.BaseExpression) -> bool:
    name = dotted_name(node.func) if isinstance(node, cst.Call) else None
    return name is not None and name.split(".")[-1] == "allow_mutation_on_saved_tensors"


def target_names(target: cst.BaseExpression) -> list[str]:
    if isinstance(target, (cst.Tuple, cst.List)):
        return [n for element in target.elements for n in target_names(element.value)]
    name = dotted_name(target)
    return [name] if name is not None else []


def read_names(node: cst.CSTNode) -> Iterator[str]:
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value in CUTS:
        for arg in node.args:
            yield from read_names(arg)
        return
    if isinstance(node, cst.Attribute) and node.attr.value in CUTS:
        return
    if isinstance(node, (cst.Name, cst.Attribute)):
        name = dotted_name(node)
        if name is not None:
            yield name
            if isinstance(node, cst.Attribute):
                yield from read_names(node.value)
            return
    if isinstance(node, cst.Lambda):
        return
    for child in node.children:
        yield from read_names(child)


def parameter_owners(node: cst.CSTNode) -> Iterator[str]:
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value in PARAMETER_ITERATORS:
        owner = dotted_name(node.func.value)
        if owner is not None:
            yield owner
    for child in node.children:
        yield from parameter_owners(child)


def plain_name(node: cst.BaseExpression) -> Optional[str]:
    return node.value if isinstance(node, cst.Name) else None


def walk(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    yield node
    for child in node.children:
        yield from walk(child)


def backward_of(small) -> Optional[tuple[Optional[str], bool]]:
    """(the loss, retain_graph) when the statement runs a backward."""
    for call in calls(small):
        func = call.func
        name = dotted_name(func)
        retain = any(a.keyword is not None and a.keyword.value == "retain_graph" and not _is_false(a.value) for a in call.args)
        if isinstance(func, cst.Attribute) and func.attr.value == "backward" and name not in ("torch.autograd.backward", "autograd.backward"):
            receiver = func.value
            if isinstance(receiver, cst.Call) and isinstance(receiver.func, cst.Attribute) and receiver.func.attr.value == "scale" and receiver.args:
                receiver = receiver.args[0].value  # scaler.scale(loss).backward()
            return _loss_name(receiver), retain
        if name in ("torch.autograd.backward", "autograd.backward", "torch.autograd.grad", "autograd.grad") and call.args:
            return _loss_name(call.args[0].value), retain
    return None


def _loss_name(node: cst.BaseExpression) -> Optional[str]:
    while isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value in ("sum", "mean"):
        node = node.func.value
    return dotted_name(node)


def _is_false(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value in ("False", "None")


def calls(node: cst.CSTNode) -> list[cst.Call]:
    return [n for n in walk(node) if isinstance(n, cst.Call)]


def code_of(node: cst.CSTNode) -> str:
    return code(node)


__all__ = ["backward_of", "body_of", "calls", "code_of", "flatten", "mutation_allowed_statements", "parameter_owners", "plain_name", "read_names", "target_names", "walk"]
