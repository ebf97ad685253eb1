"""Whether anything computed from a saved tensor can reach a backward at all.

A change to a tensor that an op saved breaks the backward through that op, but only a backward
that runs. Inside one function, when nothing computed from the op's result leaves the function
in a form that can require grad (returned as an integer tensor or a number, never stored on an
object, never passed to code we cannot see, never differentiated here), no backward ever runs
through the op: transformers' MiniMax block selection takes `amax` of scores, changes the
result with `scatter_`, and returns only `topk` *indices*. Such a change is in a gradient path,
not a break.

The question is answered by a forward slice over the names of the function (every statement,
in any order, to a fixpoint, so loops are covered): which local names hold something computed
from the op's result, and whether any of them escapes. Anything this cannot see is an escape.
"""

from __future__ import annotations

from typing import Mapping, Optional

import libcst as cst
import libcst.matchers as m

from inplace_fixer.inference import NodeFact
from inplace_fixer.inference.values import Kind, may_require_grad

# Calls of these never keep, differentiate or return their tensor arguments other than through
# their result (which the slice follows where it is bound).
_PURE_PREFIXES = ("torch.", "builtins.", "math.", "operator.", "einops.")
_DIFFERENTIATING = ("torch.autograd.grad", "torch.autograd.backward")
_STORING_BUILTINS = frozenset({"builtins.setattr", "builtins.exec", "builtins.eval"})


def reaches_backward(
    saved_node: cst.CSTNode, function: Optional[cst.CSTNode], facts: Mapping[cst.CSTNode, NodeFact]
) -> bool:
    """False only when nothing computed from what the op at ``saved_node`` (the op, or the
    statement that holds it) returned can reach a backward from inside ``function`` (the
    function where the change is made); True whenever that cannot be shown."""
    if not isinstance(function, cst.FunctionDef):
        return True  # module-level code: a script's backward may come at any later line
    statement: Optional[cst.CSTNode] = saved_node
    if not isinstance(saved_node, cst.BaseSmallStatement):
        saved_fact = facts.get(saved_node)
        statement = saved_fact.site.statement if saved_fact is not None and saved_fact.site is not None else None
    if not isinstance(statement, (cst.Assign, cst.AnnAssign)):
        return True
    targets = [t.target for t in statement.targets] if isinstance(statement, cst.Assign) else [statement.target]
    names: set[str] = set()
    for target in targets:
        bound = _bound_names(target)
        if bound is None:
            return True  # stored into an object or an element
        names |= bound
    reach = _Slice(function, names, facts)
    if not any(s is statement for s in reach.statements):
        return True  # saved in another function (a caller's tensor, an attribute's)
    return reach.escapes()


def _bound_names(target: cst.BaseExpression) -> Optional[set[str]]:
    if isinstance(target, cst.Name):
        return {target.value}
    if isinstance(target, (cst.Tuple, cst.List)):
        names: set[str] = set()
        for element in target.elements:
            inner = _bound_names(element.value)
            if inner is None:
                return None
            names |= inner
        return names
    return None


def _mentioned(node: cst.CSTNode) -> set[str]:
    return {name.value for name in m.findall(node, m.Name())}  # type: ignore[union-attr]


class _Slice:
    def __init__(self, function: cst.FunctionDef, names: set[str], facts: Mapping[cst.CSTNode, NodeFact]) -> None:
        self.names = set(names)
        self.facts = facts
        params = function.params
        self.parameters = {
            p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params)
        } | {p.name.value for p in (params.star_arg, params.star_kwarg) if isinstance(p, cst.Param)}
        # Names whose tensor received something from the slice in place (`buf.copy_(t)`, `out=buf`):
        # the inference's facts for them may predate the write, so only their dtype is trusted.
        self.written: set[str] = set()
        self.statements: list[cst.CSTNode] = []
        self.nested: list[cst.CSTNode] = []
        _collect(function.body, self.statements, self.nested)

    def escapes(self) -> bool:
        while True:
            before = len(self.names)
            for statement in self.statements:
                if self._escapes_at(statement):
                    return True
            for nested in self.nested:  # a closure or nested class sees the names
                if _mentioned(nested) & self.names:
                    return True
            if len(self.names) == before:
                return False

    def _escapes_at(self, statement: cst.CSTNode) -> bool:
        if isinstance(statement, (cst.Global, cst.Nonlocal)):
            return any(n.name.value in self.names for n in statement.names)
        if isinstance(statement, (cst.If, cst.While)):
            scope: cst.CSTNode = statement.test
        elif isinstance(statement, (cst.For, cst.CompFor)):
            scope = statement.iter
        elif isinstance(statement, cst.WithItem):
            scope = statement.item
        else:
            scope = statement
        for call in m.findall(scope, m.Call()):
            if self._call_escapes(call):  # type: ignore[arg-type]
                return True
        for yielded in m.findall(scope, m.Yield()):  # `x = yield t` hands `t` to the caller too
            if _mentioned(yielded) & self.names:
                return True
        if isinstance(statement, cst.Return):
            return statement.value is not None and self._returned_value_escapes(statement.value)
        if isinstance(statement, (cst.Assign, cst.AnnAssign, cst.AugAssign)):
            value = statement.value
            if value is None or not (_mentioned(value) & self.names):
                return False
            if isinstance(statement, cst.Assign):
                targets = [t.target for t in statement.targets]
            else:
                targets = [statement.target]
            return any(self._binds(target) for target in targets)
        if isinstance(statement, cst.For) and _mentioned(statement.iter) & self.names:
            return self._binds(statement.target)
        if isinstance(statement, cst.WithItem) and _mentioned(statement.item) & self.names:
            return statement.asname is not None and self._binds(statement.asname.name)
        return False

    def _binds(self, target: cst.BaseExpression) -> bool:
        """Add what ``target`` binds to the slice; True when it stores outside the function."""
        bound = _bound_names(target)
        if bound is not None:
            self.names |= bound
            return False
        if isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name):
            return self._holds(target.value.value)  # a local buffer now holds it
        return True  # an attribute or element of something else

    def _holds(self, name: str) -> bool:
        if name in self.parameters:
            return True  # the caller's object now holds it
        self.names.add(name)
        self.written.add(name)
        return False

    def _call_escapes(self, call: cst.Call) -> bool:
        in_arguments = any(_mentioned(arg.value) & self.names for arg in call.args)
        if in_arguments:
            for arg in call.args:  # `torch.add(t, 1, out=buf)`: buf now holds something computed from t
                if arg.keyword is None or arg.keyword.value != "out":
                    continue
                if isinstance(arg.value, cst.Name) and self._holds(arg.value.value):
                    return True
                if not isinstance(arg.value, cst.Name) and self._binds(arg.value):
                    return True
        func = call.func
        receiver_in_slice = isinstance(func, cst.Attribute) and bool(_mentioned(func.value) & self.names)
        if not in_arguments and not receiver_in_slice:
            return False
        if isinstance(func, cst.Attribute) and func.attr.value == "backward":
            return True
        callee = self.facts.get(func)
        qualname = callee.value.qualname if callee is not None else None
        if qualname is not None and qualname.startswith(_DIFFERENTIATING):
            return True
        if isinstance(func, cst.Attribute):
            receiver = self.facts.get(func.value)
            if receiver is not None and receiver.value.kind is Kind.TENSOR:
                method = func.attr.value
                if in_arguments and method.endswith("_") and not method.endswith("__"):
                    # `buf.copy_(x)`: the receiver now holds something computed from the slice.
                    base = func.value
                    while isinstance(base, (cst.Attribute, cst.Subscript)):
                        if isinstance(base, cst.Attribute):
                            return True  # an attribute of an object
                        base = base.value
                    return not isinstance(base, cst.Name) or self._holds(base.value)
                return False  # a tensor method: its result is followed where it is bound
        if callee is not None and callee.value.kind is Kind.MODULE:
            return False  # a module's output is followed where it is bound
        if callee is not None and callee.value.kind is Kind.API and qualname is not None:
            return qualname in _STORING_BUILTINS or not qualname.startswith(_PURE_PREFIXES)
        return True  # the file's own function, or something we cannot see

    def _returned_value_escapes(self, value: cst.BaseExpression) -> bool:
        if not (_mentioned(value) & self.names):
            return False
        fact = self.facts.get(value)
        if fact is None:
            return True
        returned = fact.value
        if returned.kind is Kind.OTHER:
            return False  # a number, a bool, None
        if returned.kind is Kind.TENSOR:
            if not may_require_grad(returned):
                return False  # an integer or bool tensor never carries a gradient
            return returned.grad is not None or bool(_mentioned(value) & self.written)
        return True


def _collect(node: cst.CSTNode, statements: list, nested: list) -> None:
    """The small statements, loop and `with` headers of a function body; nested functions,
    classes and lambdas apart."""
    for child in node.children:
        if isinstance(child, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            nested.append(child)
            continue
        if isinstance(child, (cst.BaseSmallStatement, cst.For, cst.WithItem, cst.If, cst.While)):
            statements.append(child)
        if isinstance(child, cst.BaseSmallStatement):
            nested.extend(m.findall(child, m.Lambda()))
            continue
        _collect(child, statements, nested)
