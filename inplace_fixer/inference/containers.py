"""Containers and iteration: lists, tuples and dicts of tensors (each element by position where it is
known), nn.ModuleList / nn.Sequential / nn.ModuleDict and what their elements are, the modules and
parameters a model yields, and what `for`, `enumerate()` and `zip()` give.

Iterating a tensor gives its rows: views from unbind, which torch forbids changing in place.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from inplace_fixer.inference.state import NUMBER, describe
from inplace_fixer.inference.value_ops import NEVER_RAN
from inplace_fixer.inference.values import OTHER, UNKNOWN, Kind, Reason, Value, join

# nn containers whose elements are modules, reached by iteration or by [i] / [key].
MODULE_CONTAINERS = frozenset({
    "torch.nn.ModuleList", "torch.nn.Sequential", "torch.nn.ModuleDict",
    "torch.nn.modules.container.ModuleList", "torch.nn.modules.container.Sequential",
    "torch.nn.modules.container.ModuleDict",
})
MODULE_ITERATORS = frozenset({"modules", "children"})
NAMED_MODULE_ITERATORS = frozenset({"named_modules", "named_children"})
BUILTIN_ITERATORS = frozenset({"enumerate", "zip", "reversed", "iter", "next"})
GENERIC_MODULE = Value(Kind.MODULE)


class ContainersMixin:
    def _element_of(self, iterable: Value, node: cst.BaseExpression) -> Value:
        """What one iteration over ``iterable`` gives."""
        source = describe(node)
        if iterable.kind is Kind.TENSOR:
            # Iterating a tensor unbinds it: each row is one of several views of the same base.
            return iterable.with_(
                obj=None,
                alias=Reason(f"it is a row of `{source}` (iterating a tensor yields views of it)" + NEVER_RAN.format(base=source)),
                multi_view=True,
                view_of=source, leaf=None, is_parameter=False,
            )
        if iterable.kind is Kind.MODULE and iterable.qualname in MODULE_CONTAINERS:
            return iterable.element or GENERIC_MODULE
        if iterable.kind in (Kind.TENSORS, Kind.CONTAINER) and iterable.element is not None:
            element = iterable.element
            if element.kind is Kind.TENSOR:
                if element.alias is not None and element.alias.blocks_fix:
                    return element.with_(obj=None)
                return element.with_(obj=None, alias=Reason(f"it is an element of `{source}`", blocks_fix=True))
            return element
        return UNKNOWN

    def _builtin_iteration(self, name: str, node: cst.Call, args) -> Value:
        """``enumerate(x)``, ``zip(a, b)``, ``reversed(x)``, ``iter(x)``, ``next(it)``."""
        values = [(arg.value, value) for arg, (keyword, value) in zip(node.args, args) if keyword is None]
        if not values:
            return UNKNOWN
        if name == "enumerate":
            return Value(Kind.CONTAINER, element=Value(Kind.CONTAINER, items=(NUMBER, self._element_of(values[0][1], values[0][0]))))
        if name == "zip":
            return Value(Kind.CONTAINER, element=Value(Kind.CONTAINER, items=tuple(self._element_of(v, n) for n, v in values)))
        if name == "next":
            return self._element_of(values[0][1], values[0][0])
        iterable = values[0][1]
        if iterable.kind is Kind.TENSOR:
            return Value(Kind.CONTAINER, element=self._element_of(iterable, values[0][0]))
        return iterable.with_(items=None) if iterable.kind is Kind.CONTAINER else UNKNOWN

    def _container_module(self, qualname: str, node: cst.Call, args) -> Value:
        """nn.ModuleList([...]), nn.Sequential(a, b), nn.ModuleDict({...}): what the elements are."""
        positional = [value for keyword, value in args if keyword is None]
        if qualname.endswith("Sequential"):
            if len(positional) == 1 and positional[0].kind is Kind.CONTAINER:  # Sequential(OrderedDict)
                return Value(Kind.MODULE, qualname=qualname, element=GENERIC_MODULE)
            modules = tuple(v if v.kind is Kind.MODULE else GENERIC_MODULE for v in positional)
            if any(arg.star for arg in node.args):
                modules = ()
            return Value(Kind.MODULE, qualname=qualname, element=_join_modules(modules), items=modules or None)
        source = positional[0] if positional else None
        if source is not None and source.kind is Kind.CONTAINER:
            element = source.element if source.element is not None and source.element.kind is Kind.MODULE else GENERIC_MODULE
            items = tuple(v if v.kind is Kind.MODULE else GENERIC_MODULE for v in source.items) if source.items else None
            return Value(Kind.MODULE, qualname=qualname, element=element, items=items)
        return Value(Kind.MODULE, qualname=qualname, element=GENERIC_MODULE)

    def _module_iteration(self, name: str) -> Optional[Value]:
        if name in MODULE_ITERATORS:
            return Value(Kind.CONTAINER, element=GENERIC_MODULE)
        if name in NAMED_MODULE_ITERATORS:
            return Value(Kind.CONTAINER, element=Value(Kind.CONTAINER, items=(OTHER, GENERIC_MODULE)))
        return None

    def _element_at(self, base: Value, node: cst.Subscript) -> Optional[Value]:
        """``base[i]`` for a container or an nn container whose elements are known by position."""
        index = _literal_index(node)
        if base.kind is Kind.MODULE and base.qualname in MODULE_CONTAINERS:
            if base.items and index is not None and -len(base.items) <= index < len(base.items):
                return base.items[index]
            if isinstance(index, int) or index is None:
                return base.element or GENERIC_MODULE
        if base.kind in (Kind.CONTAINER, Kind.TENSORS) and base.items and index is not None and -len(base.items) <= index < len(base.items):
            return base.items[index]
        return None

    def _list_literal(self, values: list[Value]) -> Value:
        element = None
        for value in values:
            element = join(element, value) if element is not None else value
        items = tuple(
            value.with_(obj=None, alias=Reason("it is an element of a list or tuple")) if value.kind is Kind.TENSOR else value
            for value in values
        )
        if element is not None and element.kind is Kind.TENSOR:
            element = element.with_(obj=None, alias=Reason("it is an element of a list or tuple"))
        return Value(Kind.CONTAINER, element=element if element and element.kind is not Kind.UNKNOWN else None, items=items)


def _literal_index(node: cst.Subscript) -> Optional[int]:
    if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
        return None
    value = node.slice[0].slice.value
    if isinstance(value, cst.Integer):
        return int(value.value)
    if isinstance(value, cst.UnaryOperation) and isinstance(value.operator, cst.Minus) and isinstance(value.expression, cst.Integer):
        return -int(value.expression.value)
    return None


def _join_modules(modules: tuple) -> Value:
    if not modules:
        return GENERIC_MODULE
    result = modules[0]
    for module in modules[1:]:
        result = join(result, module)
    return result if result.kind is Kind.MODULE else GENERIC_MODULE
