"""Binding values to names, attributes and elements, and what a binding does to aliases."""

from __future__ import annotations

import libcst as cst

from inplace_fixer.inference.containers import _literal_index
from inplace_fixer.inference.state import State, dotted_name
from inplace_fixer.inference.values import UNKNOWN, Kind, Reason, Value, join

# Node types are tested with `type(node) is cst.X`: libcst's concrete node classes have no
# subclasses, and an isinstance that fails on one costs an ABC check (millions per tree).


class BindingsMixin:
    # ------------------------------------------------------------------ binding
    def _bind(self, target: cst.BaseExpression, value: Value, state: State) -> None:
        if type(target) is cst.Name:
            state.env[target.value] = self._named(value, target.value, state)
        elif type(target) in (cst.Tuple, cst.List):
            element = self._unpacked(value)
            saved = dict(value.saved_elements or ())
            items = value.items if value.items is not None and len(value.items) == len(target.elements) else None
            for index, item in enumerate(target.elements):
                item_value = items[index] if items is not None else element
                if index in saved and item_value.kind is Kind.TENSOR:
                    item_value = item_value.with_(saved_by=saved[index])
                self._bind(item.value, item_value, state)
        elif type(target) is cst.StarredElement:
            self._bind(target.value, Value(Kind.CONTAINER, element=value), state)
        elif type(target) is cst.Attribute:
            self._expr(target.value, state)
            key = dotted_name(target)
            if key is not None:
                state.env[key] = self._named(value, key, state)
            if value.kind is Kind.TENSOR:
                self._escape(value, f"it is also stored in `{key or 'an attribute'}`", state)
        elif type(target) is cst.Subscript:
            self._bind_subscript(target, value, state)

    def _bind_subscript(self, target: cst.Subscript, value: Value, state: State) -> None:
        base = self._dict_if_string_keyed(target, self._expr(target.value, state), state)
        for element in target.slice:
            if type(element.slice) is cst.Index:
                self._expr(element.slice.value, state)
        key = dotted_name(target.value)
        if base.kind is Kind.TENSOR and key is not None:
            self._note_change(base, state.site.statement if state.site is not None else target, state)
            grad = base.grad or (value.grad if state.grad_enabled else None)
            self._rebind_mutated(target.value, base.with_(grad=grad), state)
        elif base.kind is Kind.CONTAINER and key is not None:
            element = join(base.element, value) if base.element else value
            items = base.items
            if items is not None:
                index = _literal_index(target)
                items = (items[:index] + (value,) + items[index + 1:]) if index is not None and 0 <= index < len(items) else None
            state.env[key] = base.with_(element=element, items=items)
        if value.kind is Kind.TENSOR:
            self._escape(value, f"it is also stored in `{key or 'a container'}[...]`", state)

    def _named(self, value: Value, name: str, state: State) -> Value:
        """The value as bound to ``name``: fresh objects get an identity, sources get a name."""
        if value.kind is not Kind.TENSOR:
            return value
        if state.inference and value.inference_tensor is None:
            site = state.site.statement if state.site else None
            value = value.with_(inference_tensor=Reason(f"`{name}` was made under torch.inference_mode() (line {{line}})", site))
        grad = value.grad.named(name) if value.grad is not None else None
        leaf = value.leaf.named(name) if value.leaf is not None else None
        if value.view_of is not None and value.view_of != name:
            self._mark_viewed(value.view_of, name, state)
        if value.obj is None:
            return value.with_(obj=next(self._ids), grad=grad, leaf=leaf)
        others = [key for key, bound in state.env.items() if bound.obj == value.obj and key != name]
        if others:
            reason = Reason(
                f"`{name} = {others[0]}` (line {{line}}) makes `{name}` and `{others[0]}` the same tensor",
                state.site.statement if state.site else None,
            )
            for key in others:
                state.env[key] = state.env[key].with_(alias=state.env[key].alias or reason)
            return value.with_(alias=value.alias or reason, grad=grad, leaf=leaf)
        return value.with_(grad=grad, leaf=leaf)

    def _mark_viewed(self, base: str, view: str, state: State) -> None:
        """``view`` shares memory with the tensor named ``base``: changing ``base`` in place
        changes ``view`` too, which a rebinding of ``base`` would not."""
        bound = state.env.get(base)
        if bound is not None and bound.kind is Kind.TENSOR and bound.alias is None:
            site = state.site.statement if state.site else None
            reason = Reason(
                f"`{view}` (line {{line}}) shares memory with `{base}` and would keep the old values", site,
                view_name=view,
            )
            state.env[base] = bound.with_(alias=reason)

    def _escape(self, value: Value, reason: str, state: State) -> None:
        """Another reference to the tensor now exists: a later in-place change is seen there."""
        if value.obj is None:
            return
        for key, bound in list(state.env.items()):
            if bound.obj == value.obj and bound.alias is None:
                state.env[key] = bound.with_(alias=Reason(reason))

    def _rebind_mutated(self, target: cst.BaseExpression, value: Value, state: State) -> None:
        """An in-place change keeps the object; only what we know about it (grad) changes."""
        key = dotted_name(target)
        if key is not None and key in state.env:
            state.env[key] = value
        elif key is not None and key in state.globals:
            state.globals[key] = value

    def _unpacked(self, value: Value) -> Value:
        if value.kind in (Kind.TENSORS, Kind.CONTAINER):
            return value.element or UNKNOWN
        if value.kind is Kind.TENSOR:
            # Unpacking a tensor (or a module's tuple output) yields tensors.
            return value.with_(obj=None, alias=None, leaf=None, is_parameter=False)
        return UNKNOWN

