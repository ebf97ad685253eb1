"""Walking libcst nodes by their fields, without libcst's visitor machinery.

libcst's visitors dispatch two Python calls per node (``on_visit``/``on_leave``) and its matchers
more; a walk that only reads the fields costs a fraction of that. ``dataclasses.fields`` builds
its answer on every call, so the names are kept per node type.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterator

import libcst as cst


@functools.lru_cache(maxsize=None)
def field_names(node_type: type) -> tuple[str, ...]:
    return tuple(item.name for item in dataclasses.fields(node_type))


def nodes_under(root: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """``root`` and every node under it (depth first; the order is not source order)."""
    stack = [root]
    pop, push, extend, base = stack.pop, stack.append, stack.extend, cst.CSTNode
    while stack:
        current = pop()
        yield current
        for field in field_names(type(current)):
            value = getattr(current, field)
            if isinstance(value, base):
                push(value)
            elif type(value) in (tuple, list):
                extend(item for item in value if isinstance(item, base))


def called_names(node: cst.CSTNode) -> frozenset[str]:
    """The name each call under ``node`` calls: ``f`` for `f(...)`, ``m`` for `obj.m(...)`."""
    names: set[str] = set()
    call, name, attribute = cst.Call, cst.Name, cst.Attribute
    for current in nodes_under(node):
        if type(current) is call:
            func = current.func
            if type(func) is name:
                names.add(func.value)
            elif type(func) is attribute:
                names.add(func.attr.value)
    return frozenset(names)


def contains_equal(root: cst.CSTNode, target: cst.BaseExpression) -> bool:
    """Whether ``root`` or a node under it is an expression equal to ``target`` (``deep_equals``)."""
    wanted = type(target)
    return any(type(node) is wanted and node.deep_equals(target) for node in nodes_under(root))
