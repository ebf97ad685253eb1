"""Expressions: names, literals, operators, attributes, subscripts, and the dispatch of calls."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from inplace_fixer.inference import torch_api
from inplace_fixer.inference.containers import BUILTIN_ITERATORS
from inplace_fixer.inference.program import FunctionRef
from inplace_fixer.inference.sites import NodeFact
from inplace_fixer.inference.state import (
    BUILTIN_CONTAINERS,
    BUILTIN_NON_TENSORS,
    NUMBER,
    State,
    describe,
    dotted_name,
)
from inplace_fixer.inference.value_ops import (
    OPERATOR_SYMBOLS,
    binary,
    fresh,
    saved_element,
    view_value,
)
from inplace_fixer.inference.values import (
    NONE,
    FALSE,
    OTHER,
    TRUE,
    UNBOUND,
    UNKNOWN,
    Kind,
    Reason,
    Value,
    join,
    may_require_grad,
    tensor,
)

# Node types are tested with `type(node) is cst.X`: libcst's concrete node classes have no
# subclasses, and an isinstance that fails on one costs an ABC check (millions per tree).


class ExpressionsMixin:
    # ------------------------------------------------------------------ expressions
    def _record(self, node: cst.CSTNode, value: Value, state: State) -> Value:
        if value.kind is Kind.TENSOR and value.grad is not None and not may_require_grad(value):
            value = value.with_(grad=None, leaf=None)  # integer and bool tensors never require grad
        if state.depth:
            # Analysed at a call site: this call's value drives the rest of this analysis; the
            # fact keeps what any call site may pass, and the site of one that runs with grad.
            existing = self.context_facts.get(node)
            site = state.site
            if existing is not None:
                if existing.value != value:
                    value_joined = join(existing.value, value, every_path=False)
                else:
                    value_joined = value
                if existing.site is not None and existing.site.grad_enabled and site is not None and not site.grad_enabled:
                    site = existing.site
                if value_joined.inference_tensor is not None and site is not None and not site.inference:
                    # Made under inference_mode at one call and changed outside it at another is
                    # not what either call does: keep what the call whose site is kept made.
                    kept = value if site is state.site else existing.value
                    value_joined = value_joined.with_(inference_tensor=kept.inference_tensor)
                self.context_facts[node] = NodeFact(value_joined, site)  # type: ignore[arg-type]
            else:
                self.context_facts[node] = NodeFact(value, site)  # type: ignore[arg-type]
            return value
        existing = self.facts.get(node)
        if existing is not None and existing.value != value:
            value = join(existing.value, value, every_path=False)  # another pass over a loop body
        self.facts[node] = NodeFact(value, state.site)  # type: ignore[arg-type]
        return value

    def _expr(self, node: cst.BaseExpression, state: State) -> Value:
        if state.foreign:
            return self._evaluate(node, state)  # another file's code: nothing to record for the rules
        self._visit(node)
        return self._record(node, self._evaluate(node, state), state)

    def _evaluate(self, node: cst.BaseExpression, state: State) -> Value:
        # The commonest nodes first, by exact type: isinstance on libcst's abstract classes costs
        # an ABC check per test, a tenth of the whole analysis on real files.
        kind = type(node)
        if kind is cst.Name:
            self.mentioned.add(node.value)
            return self._lookup(node.value, state)
        if kind is cst.Attribute:
            self.mentioned.add(node.attr.value)
            return self._attribute(node, state)  # type: ignore[arg-type]
        if kind is cst.Call:
            return self._call(node, state)  # type: ignore[arg-type]
        if kind is cst.Integer or kind is cst.Float:
            return NUMBER
        if kind is cst.SimpleString:
            return OTHER
        # (libcst's node classes have no subclasses: the exact types above need no isinstance.)
        if kind is cst.Imaginary:
            return NUMBER
        if type(node) in (cst.ConcatenatedString, cst.FormattedString):
            if type(node) is cst.FormattedString:
                for part in node.parts:
                    if type(part) is cst.FormattedStringExpression:
                        self._expr(part.expression, state)
            return OTHER
        if type(node) is cst.Subscript:
            return self._subscript(node, state)
        if type(node) is cst.BinaryOperation:
            left = self._expr(node.left, state)
            right = self._expr(node.right, state)
            result = binary(left, right, state, node.operator)
            symbol = OPERATOR_SYMBOLS.get(type(node.operator))
            if symbol is not None and result.kind is Kind.TENSOR:
                result = self._note_saves(
                    "operator", symbol, f"`{symbol}`", [(node.left, left), (node.right, right)], {}, result, state
                )
            return result
        if type(node) is cst.UnaryOperation:
            operand = self._expr(node.expression, state)
            if type(node.operator) is cst.Not:
                return FALSE if operand == TRUE else TRUE if operand == FALSE else OTHER
            return fresh(operand) if operand.kind is Kind.TENSOR else operand if operand.kind is Kind.OTHER else UNKNOWN
        if type(node) is cst.Comparison:
            left = self._expr(node.left, state)
            values = [left] + [self._expr(c.comparator, state) for c in node.comparisons]
            if len(values) == 2 and values[0] == NONE and values[1] == NONE:
                # `chunk is not None` where `chunk` is the None default a call left as is.
                operator = node.comparisons[0].operator
                if type(operator) in (cst.Is, cst.IsNot):
                    return TRUE if type(operator) is cst.Is else FALSE
            if any(v.kind is Kind.TENSOR for v in values) and not any(
                type(c.operator) in (cst.Is, cst.IsNot, cst.In, cst.NotIn) for c in node.comparisons
            ):
                shape_of = None
                if len(values) == 2 and values[0].kind is Kind.TENSOR and values[1].qualname == "number":
                    shape_of = dotted_name(node.left)
                return tensor(dtype="bool", shape_of=shape_of)
            return OTHER
        if type(node) is cst.BooleanOperation:
            return join(self._expr(node.left, state), self._expr(node.right, state))
        if type(node) is cst.IfExp:
            self._expr(node.test, state)
            return join(self._expr(node.body, state), self._expr(node.orelse, state))
        if type(node) in (cst.List, cst.Tuple, cst.Set):
            values = []
            for item in node.elements:
                value = self._expr(item.value, state)
                if type(item) is cst.StarredElement:
                    value = UNKNOWN
                values.append(value)
                if value.kind is Kind.TENSOR:
                    self._escape(value, "it is also stored in a list or tuple", state)
            result = self._list_literal(values)
            return result.with_(items=None) if type(node) is cst.Set or UNKNOWN in values else result
        if type(node) is cst.Dict:
            for item in node.elements:
                if type(item) is cst.DictElement:
                    self._expr(item.key, state)
                self._expr(item.value, state)
            return Value(Kind.CONTAINER)
        if type(node) in (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp):
            return self._comprehension(node, state)
        if type(node) is cst.NamedExpr:
            value = self._expr(node.value, state)
            self._bind(node.target, value, state)
            return value
        if type(node) is cst.Lambda:
            return self._lambda(node, state)
        if type(node) is cst.Await:
            self._expr(node.expression, state)
            return UNKNOWN
        if type(node) is cst.Yield:
            if isinstance(node.value, cst.BaseExpression):
                value = self._expr(node.value, state)
                if value.kind is Kind.TENSOR:
                    self._escape(value, "it is yielded to the caller", state)
            return UNKNOWN
        if type(node) is cst.StarredElement:
            self._expr(node.value, state)
            return UNKNOWN
        return UNKNOWN

    def _comprehension(self, node, state: State) -> Value:
        env = dict(state.env)
        saved = state.env
        state.env = env
        try:
            for_in = node.for_in
            while for_in is not None:
                iterable = self._expr(for_in.iter, state)
                self._bind(for_in.target, self._element_of(iterable, for_in.iter), state)
                for condition in for_in.ifs:
                    self._expr(condition.test, state)
                for_in = for_in.inner_for_in
            if type(node) is cst.DictComp:
                self._expr(node.key, state)
                element = self._expr(node.value, state)
            else:
                element = self._expr(node.elt, state)
        finally:
            state.env = saved
        if element.kind is Kind.TENSOR and type(node) not in (cst.GeneratorExp, cst.DictComp):
            return Value(Kind.CONTAINER, element=element.with_(obj=None, alias=Reason("it is an element of a list")))
        if element.kind is Kind.MODULE and type(node) is not cst.DictComp:
            return Value(Kind.CONTAINER, element=element)
        return Value(Kind.CONTAINER)

    def _lookup(self, name: str, state: State) -> Value:
        if name in state.env:
            return state.env[name]
        if name in state.globals:
            value = state.globals[name]
            if value.kind is Kind.TENSOR and state.function is not None:
                return value.with_(alias=value.alias or Reason(f"`{name}` is a global: other code sees the same tensor"))
            return value
        if name == "None":
            return NONE
        if name == "True":
            return TRUE
        if name == "False":
            return FALSE
        if name in BUILTIN_NON_TENSORS or name in BUILTIN_CONTAINERS or name in BUILTIN_ITERATORS:
            return Value(Kind.API, qualname=f"builtins.{name}")
        return UNBOUND

    def _attribute(self, node: cst.Attribute, state: State) -> Value:
        base = self._expr(node.value, state)
        if base.kind is not Kind.TENSOR:
            return self._attribute_of(base, node, state)
        name = node.attr.value
        source = describe(node.value)
        if name == "data":
            return base.with_(
                grad=None, is_data=True, data_grad=base.grad, obj=None, leaf=None, is_parameter=False, view_of=source,
                alias=Reason(f"`{source}.data` shares memory with `{source}`"),
            )
        if name == "grad":
            return tensor(dtype=base.dtype)
        if name in torch_api.VIEW_ATTRIBUTES:
            return view_value(base, source, f"`{source}.{name}`", state)
        if name in torch_api.NON_TENSOR_ATTRIBUTES:
            return NUMBER if name in ("ndim", "itemsize", "nbytes") else OTHER
        return UNKNOWN

    def _subscript(self, node: cst.Subscript, state: State) -> Value:
        base = self._dict_if_string_keyed(node, self._expr(node.value, state), state)
        # Indexing with a tensor or a list copies (advanced indexing); anything else (ints,
        # slices, None, or values we cannot tell) is taken to give a view, the cautious side.
        basic = True
        for element in node.slice:
            if type(element.slice) is cst.Index:
                index = self._expr(element.slice.value, state)
                if index.kind is Kind.TENSOR or (index.kind is Kind.CONTAINER and type(element.slice.value) is not cst.Tuple):
                    basic = False
            else:
                for part in (element.slice.lower, element.slice.upper, element.slice.step):
                    if part is not None:
                        self._expr(part, state)
        if base.kind is Kind.TENSOR:
            source = describe(node.value)
            if basic:
                return view_value(base, source, f"`{source}[...]`", state)
            return fresh(base) if state.grad_enabled else fresh(base).with_(grad=None)  # a copy
        at = self._element_at(base, node)
        if at is not None and at.kind is not Kind.TENSOR:
            return at
        if at is not None:
            if at.alias is not None and at.alias.blocks_fix:
                return at.with_(obj=None)
            source = dotted_name(node.value) or "a list"
            return at.with_(obj=None, alias=Reason(f"it is an element of `{source}`", blocks_fix=True))
        if base.kind in (Kind.TENSORS, Kind.CONTAINER):
            element = base.element or UNKNOWN
            if element.kind is Kind.TENSOR and base.saved_elements:
                element = element.with_(saved_by=saved_element(base, node))
            if element.kind is Kind.TENSOR:
                if element.alias is not None and element.alias.blocks_fix:
                    return element.with_(obj=None)
                source = dotted_name(node.value) or "a list"
                return element.with_(obj=None, alias=Reason(f"it is an element of `{source}`", blocks_fix=True))
            return element
        if base.kind is Kind.API:
            return base  # typing subscripts: Optional[Tensor], list[Tensor]
        return UNKNOWN

    def _dict_if_string_keyed(self, node: cst.Subscript, base: Value, state: State) -> Value:
        """``feats["pair"]``: a tensor is never indexed by a string, so ``feats`` is a dict."""
        if base.kind in (Kind.TENSOR, Kind.UNKNOWN) and any(
            type(e.slice) is cst.Index and _is_string(e.slice.value) for e in node.slice
        ):
            base = Value(Kind.CONTAINER, qualname="dict")
            self._record(node.value, base, state)
            key = dotted_name(node.value)
            if key is not None and key in state.env:
                state.env[key] = base
        return base

    # ------------------------------------------------------------------ calls
    def _call(self, node: cst.Call, state: State) -> Value:
        func = node.func
        if type(func) is cst.Attribute:
            receiver = self._expr(func.value, state)
            if receiver.kind is Kind.TENSOR:
                args = self._args(node, state)
                result = self._tensor_method(receiver, func, node, args, state)
                self._record(func, OTHER, state)
                return result
            callee = self._record(func, self._attribute_of(receiver, func, state), state)
            args = self._args(node, state)
            if receiver.kind is Kind.CONTAINER and func.attr.value in ("append", "extend", "insert", "add"):
                self._container_add(func, receiver, args, state)
                return OTHER
            if receiver.kind is Kind.MODULE and callee.kind is not Kind.FUNCTION:
                result = self._module_method(receiver, node, args, state)
                if result is not None:
                    return result
        else:
            callee = self._expr(func, state)
            args = self._args(node, state)
        return self._call_value(callee, node, args, state)

    def _attribute_of(self, receiver: Value, node: cst.Attribute, state: State) -> Value:
        """``receiver.name`` for anything but a tensor receiver (already evaluated)."""
        name = node.attr.value
        if receiver.kind is Kind.API and receiver.qualname is not None:
            if not torch_api.is_torch(receiver.qualname):
                imported = self._imported(receiver.qualname, name)  # `import pkg.mod as m; m.f`
                if imported is not None:
                    return imported
            return Value(Kind.API, qualname=f"{receiver.qualname}.{name}")
        key = dotted_name(node)
        if key is not None and key in state.env:
            return state.env[key]
        if receiver.kind in (Kind.MODULE, Kind.OBJECT):
            known = receiver.attribute(name)
            if known is not None:
                return known
            method = self._method(receiver.qualname, name)
            if method is not None:
                if method.kind == "staticmethod":
                    return Value(Kind.FUNCTION, function=method)
                return Value(Kind.FUNCTION, function=method.bound(receiver))
        if receiver.kind in (Kind.MODULE_CLASS, Kind.CLASS):
            method = self._method(receiver.qualname, name)
            if method is not None:
                if method.kind == "classmethod":
                    return Value(Kind.FUNCTION, function=method.bound(receiver))
                # `Base.method(self, x)`: called through the class, `self` is passed explicitly.
                return Value(Kind.FUNCTION, function=FunctionRef(method.info, method.closure, kind="function"))
        if receiver.kind is Kind.MODULE:
            # nn.Linear(...).weight, and `.weight`/`.bias` of a module whose class is not known
            # (an element of an nn.ModuleList): Parameters the module registers.
            if (torch_api.is_torch(receiver.qualname) or receiver.qualname is None) and name in torch_api.MODULE_PARAMETERS:
                # nn.Linear(...).weight and the like: Parameters the torch module registers.
                return tensor(
                    grad=Reason(f"`{key or name}` (a Parameter of a torch module)"), is_parameter=True,
                    leaf=Reason(f"`{key or name}` is an nn.Parameter"), dtype=torch_api.DEFAULT_FLOAT,
                )
        return UNKNOWN

    def _args(self, node: cst.Call, state: State) -> list[tuple[Optional[str], Value]]:
        return [
            (arg.keyword.value if arg.keyword is not None else (arg.star or None), self._expr(arg.value, state))
            for arg in node.args
        ]

    def _container_add(self, func: cst.Attribute, receiver: Value, args, state: State) -> None:
        key = dotted_name(func.value)
        added = args[-1][1] if args else UNKNOWN
        if func.attr.value == "extend":
            added = added.element or UNKNOWN if added.kind in (Kind.CONTAINER, Kind.TENSORS) else UNKNOWN
        if added.kind is Kind.TENSOR:
            self._escape(added, f"it is also stored in `{key or 'a list'}`", state)
            added = added.with_(obj=None, alias=Reason(f"it is an element of `{key or 'a list'}`"))
        if key is not None and key in state.env:
            element = join(receiver.element, added) if receiver.element else added
            items = None
            if func.attr.value == "append" and receiver.items is not None and not state.in_loop:
                items = (*receiver.items, added)
            state.env[key] = receiver.with_(element=element, items=items)


_STRINGS = (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)


def _is_string(node: cst.BaseExpression) -> bool:
    """A key that is a string whichever way it is chosen: `"rope" if use_rope else "nope"`,
    `prefix + "k"`, `f"layer{i}"`."""
    if isinstance(node, _STRINGS):
        return True
    if type(node) is cst.IfExp:
        return _is_string(node.body) and _is_string(node.orelse)
    if type(node) is cst.BinaryOperation and type(node.operator) is cst.Add:
        return _is_string(node.left) or _is_string(node.right)
    return False
