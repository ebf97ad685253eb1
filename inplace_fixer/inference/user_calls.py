"""Calls into the checked code itself: functions, methods (inherited ones too), lambdas, `__call__`
of plain classes, and `forward()` of the file's own nn.Modules.

A call is followed into the callee, which is analysed *at this call site*: its parameters take the
values the caller passes (and its grad mode the caller's), its in-place changes are judged on
those values and reported on the callee's own lines, and what it returns comes back to the caller
(the argument itself, a view of it, or a new tensor with what it derives from and what saved it).
That is one level of context per call site, down to ``MAX_CALL_DEPTH`` calls; analyses of the same
function with arguments that look alike are shared (``call_memo``), recursion stops at the first
repeat, and ``MAX_CALL_ANALYSES`` bounds the work per file.

The facts of a function analysed at its call sites replace the facts of its stand-alone analysis
(where the arguments could only be guessed from annotations and defaults): a tuple passed at every
call site is a tuple, and a helper called only under ``no_grad`` runs with grad off.

A call's summary (what ``call_memo`` keeps) is what the callee returns, which arguments it saves,
and which it changes in place and where (also through the helpers it calls): the caller marks
the first two on its own tensors, and records the last (``ChangeThroughCall``) so that a change
made in another file can be reported at this file's call (changes_elsewhere.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import libcst as cst

from inplace_fixer.inference.program import (
    MAX_CALL_ANALYSES,
    MAX_CALL_DEPTH,
    FunctionRef,
)
from inplace_fixer.inference.sites import FunctionInfo, Site
from inplace_fixer.inference.state import Env, State, describe
from inplace_fixer.inference.values import (
    FALSE,
    NONE,
    OTHER,
    TRUE,
    UNBOUND,
    UNKNOWN,
    Kind,
    Reason,
    Value,
    join,
)


@dataclass(frozen=True)
class ChangeThroughCall:
    """A call of this file whose callee changes an argument in place (at ``change``, in the
    callee or deeper): what ``changes_elsewhere.py`` reports when the change is in another file."""

    call: cst.Call
    argument_node: cst.BaseExpression
    argument: Value  # the caller's value, as it was when passed
    change: cst.CSTNode
    callee: FunctionRef
    site: Optional[Site]


class UserCallsMixin:
    def _note_change(self, value: Value, node: cst.CSTNode, state: State) -> None:
        """An in-place change of ``value`` at ``node``, for the summary of the call being analysed."""
        if state.changed is not None and value.kind is Kind.TENSOR and value.obj is not None:
            state.changed.append((value.obj, node))

    def _call_user_function(self, ref: FunctionRef, node: cst.Call, args, state: State) -> Optional[Value]:
        """What the call returns, or None when the callee was not analysed (budget, depth,
        recursion): the caller then falls back to what it knows without following calls."""
        if ref.node in state.call_stack:
            # A recursive call: the first round of a fixpoint starts from "returns nothing yet", so
            # the callee's other returns (its base case) decide what it gives.
            return UNBOUND
        if state.depth >= MAX_CALL_DEPTH or self.call_analyses >= MAX_CALL_ANALYSES:
            return None
        bound = self._bind_arguments(ref, node, args, state)
        if bound is None:
            return None
        env, passed = bound
        grad_enabled, inference = state.grad_enabled, state.inference
        own_grad, own_inference = self._function_grad_mode(ref.info, ref.facts)
        if not own_grad:
            grad_enabled, inference = False, own_inference
        key = (ref.node, ref.receiver is not None and ref.receiver.qualname, grad_enabled, inference,
               tuple(sorted((name, _shape(value)) for name, value in env.items() if "." not in name)))
        memo = self.call_memo.get(key)
        if memo is not None:
            return self._returned(memo, passed, node, state)
        self.call_analyses += 1
        self.analysed_at_call_sites.add(ref.node)
        callee_state = State(
            env=env, globals=ref.closure, function=ref.info, grad_enabled=grad_enabled, inference=inference,
            depth=state.depth + 1, call_stack=(*state.call_stack, ref.node), returns=[], changed=[],
            foreign=state.foreign or (ref.facts is not None and ref.facts is not self.facts),
        )
        if isinstance(ref.node, cst.Lambda):
            callee_state.site = state.site
            callee_state.returns.append(self._expr(ref.node.body, callee_state))  # type: ignore[union-attr]
        else:
            self._block(ref.node.body, callee_state, env)
        returned = _join_all(callee_state.returns) if callee_state.returns else NONE  # type: ignore[arg-type]
        saved_params = tuple(
            name for name, value in env.items()
            if name in passed and value.kind is Kind.TENSOR and value.saved_by is not None
            and passed[name][1].saved_by is None and value.obj == passed[name][2]
        )
        changed = tuple(
            (name, change) for identity, change in callee_state.changed or ()
            for name, (_, _, passed_identity, _) in passed.items() if passed_identity == identity
        )
        summary = (returned, tuple((name, env[name].saved_by) for name in saved_params), changed, ref)
        self.call_memo[key] = summary
        return self._returned(summary, passed, node, state)

    def _returned(self, summary, passed: dict, node: cst.Call, state: State) -> Value:
        """The callee's summary applied at this call: what it saved of an argument is marked on
        the caller's tensor, what it changed in place is recorded, and a returned argument is the
        caller's own value."""
        returned, saved, changed, ref = summary
        for name, reason in saved:
            if name in passed:
                argument_node, argument, _, _ = passed[name]
                self._mark_saved(argument_node, argument, reason, state)
        for name, change in changed:
            if name in passed:
                argument_node, argument, _, _ = passed[name]
                self._note_change(argument, change, state)  # the caller's own caller may have passed it
                if not state.foreign and argument.kind is Kind.TENSOR:
                    self.changes_through_calls.append(ChangeThroughCall(node, argument_node, argument, change, ref, state.site))
        if returned.kind is Kind.TENSOR:
            for argument_node, argument, identity, name in passed.values():
                if returned.obj == identity:
                    return argument  # the callee returns its argument itself
                if returned.view_of == name:
                    return returned.with_(obj=None, view_of=describe(argument_node), passed_at=None)
            return returned.with_(obj=None, passed_at=None)
        return returned

    def _bind_arguments(self, ref: FunctionRef, node: cst.Call, args, state: State):
        """The callee's parameters bound to this call's arguments (and defaults), and for each
        parameter that received a tensor, (the argument's node, its value)."""
        params = ref.node.params
        positional_params = [*params.posonly_params, *params.params]
        env: Env = {}
        passed: dict = {}
        if ref.kind in ("method", "classmethod"):
            if not positional_params:
                return None
            first = positional_params[0].name.value
            receiver = ref.receiver if ref.receiver is not None else UNKNOWN
            env[first] = receiver  # type: ignore[assignment]
            if ref.kind == "method" and isinstance(receiver, Value) and receiver.attributes:
                for attr, value in receiver.attributes:
                    env[f"{first}.{attr}"] = value
            positional_params = positional_params[1:]
        given_positional = []
        keywords: dict = {}
        starred = False
        for arg, (keyword, value) in zip(node.args, args):
            if arg.star:
                starred = True
            elif keyword is None:
                given_positional.append((arg.value, value))
            else:
                keywords[keyword] = (arg.value, value)
        extra = given_positional[len(positional_params):]
        site = state.site.statement if state.site else None
        for index, param in enumerate([*positional_params, *params.kwonly_params]):
            name = param.name.value
            item = None
            if index < len(positional_params) and index < len(given_positional):
                item = given_positional[index]
            elif name in keywords:
                item = keywords[name]
            if item is not None and item[1].kind is Kind.UNKNOWN and not isinstance(ref.node, cst.Lambda):
                # The caller does not know what it passes: what the callee's own annotation and
                # default say (a forward() argument is taken to be a tensor that requires grad).
                env[name] = self._param_value(ref.info, param, _annotation_state(ref, state))
            elif item is not None:
                identity = -(index + 1)
                env[name] = self._as_parameter(item[1], name, ref.info, item[0], site, identity)
                if item[1].kind is Kind.TENSOR:
                    passed[name] = (item[0], item[1], identity, name)
            elif starred:
                env[name] = UNKNOWN
            elif param.default is not None:
                env[name] = _default_value(param.default)
            else:
                env[name] = UNKNOWN
        if isinstance(params.star_arg, cst.Param):
            element = _join_all([value for _, value in extra]) if extra else None
            env[params.star_arg.name.value] = Value(Kind.CONTAINER, element=element if element and element.kind is Kind.TENSOR else None)
        if isinstance(params.star_kwarg, cst.Param):
            env[params.star_kwarg.name.value] = Value(Kind.CONTAINER)
        return env, passed

    def _as_parameter(
        self, value: Value, name: str, info: FunctionInfo, argument: cst.BaseExpression, site, identity: int
    ) -> Value:
        """A caller's value as the callee sees it: the same tensor under another name, so that
        rebinding the name in the callee would no longer change the caller's tensor."""
        if value.kind is not Kind.TENSOR:
            return value
        source = describe(argument)
        alias = Reason(
            f"`{name}` is an argument of {info.name}() (the call on line {{via}} passes `{source}`): "
            "the caller's tensor would no longer be changed", via=site,
        )
        # The identity is the parameter's position, negative so that it never meets the
        # interpreter's own ids: a callee that returns it returns the caller's very value.
        return value.with_(obj=identity, alias=alias, passed_at=Reason(f"`{source}`", site))


def _shape(value: Value) -> tuple:
    """What of an argument decides what the callee does with it: calls whose arguments agree on
    this share one analysis."""
    if value.kind is Kind.TENSOR:
        return (value.kind, value.grad is not None, value.leaf is not None, value.saved_by is not None,
                value.dtype, value.is_parameter, value.multi_view, value.is_data, value.view_of is not None)
    if value.kind in (Kind.MODULE, Kind.MODULE_CLASS, Kind.CLASS, Kind.OBJECT, Kind.API):
        return (value.kind, value.qualname)
    if value.kind is Kind.FUNCTION:
        return (value.kind, id(value.function))
    if value.kind in (Kind.CONTAINER, Kind.TENSORS):
        return (value.kind, _shape(value.element) if value.element is not None else None,
                tuple(_shape(item) for item in value.items or ()))
    return (value.kind, value.qualname)


def _default_value(default: cst.BaseExpression) -> Value:
    if isinstance(default, cst.Name):
        return {"None": NONE, "True": TRUE, "False": FALSE}.get(default.value, UNKNOWN)
    if isinstance(default, (cst.Integer, cst.Float)):
        return Value(Kind.OTHER, qualname="number")
    if isinstance(default, (cst.SimpleString, cst.ConcatenatedString, cst.Tuple)):
        return OTHER
    return UNKNOWN


def _join_all(values: list[Value]) -> Value:
    result = values[0]
    for value in values[1:]:
        result = join(result, value)
    return result



def _annotation_state(ref: FunctionRef, state: State) -> State:
    """A state in which the callee's annotations are read (they name the callee's globals)."""
    return State(env={}, globals=ref.closure, function=ref.info, site=state.site, depth=state.depth)
