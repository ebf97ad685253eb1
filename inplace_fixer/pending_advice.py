"""Concrete advice for IPF009's display-only fix, for the shapes a user recognises.

The GAN shape without `.detach()`: the generator's output `fake = G(z)` feeds the discriminator's
loss as it is (`d_loss = bce(D(fake), zeros)`), so `d_loss.backward()` runs on through G's graph,
and a step of G's optimizer before it (`g_opt.step()`) changed the weights G(z) saved. The
discriminator needs no gradient for G: `D(fake.detach())` stops its backward at `fake`.
"""

from __future__ import annotations

from typing import Iterator, Mapping, Optional

import libcst as cst

from inplace_fixer.inference import Kind, NodeFact
from inplace_fixer.inference.state import dotted_name
from inplace_fixer.pending_events import read_names, target_names, walk
from inplace_fixer.pending_graphs import Breakage


def detach_advice(breakage: Breakage, module: cst.Module, facts: Mapping[cst.CSTNode, NodeFact]) -> Optional[str]:
    """"detach `fake` for the discriminator ..." when the breakage has the GAN shape: the change
    steps the module whose output (`fake`) the failing loss reads through another module's call
    (`D(fake)`), without `.detach()`, and the stepped optimizer does not update that other module
    (one optimizer over both is multi-task learning, where the gradient through `fake` is wanted)."""
    change = breakage.change
    if change.kind not in ("step", "fused-step"):
        return None
    saved = breakage.saved_by
    if not isinstance(saved, cst.Assign) or len(saved.targets) != 1 or not isinstance(saved.targets[0].target, cst.Name):
        return None
    fake = saved.targets[0].target.value
    if not _calls_module(saved.value, change.owner):
        return None
    scope = _scope_of(breakage.backward, module, facts)
    loss_statements = list(_assignments(scope, breakage.loss))
    read = {name for statement in loss_statements for name in read_names(statement.value)}
    loss_statements += [s for name in read - {breakage.loss} for s in _assignments(scope, name)]
    for statement in loss_statements:
        for call in (node for node in walk(statement.value) if isinstance(node, cst.Call)):
            other = dotted_name(call.func)
            fact = facts.get(call.func)
            if other is None or other == change.owner or fact is None or fact.value.kind is not Kind.MODULE:
                continue
            if any(other == m or other.startswith(m + ".") or m.startswith(other + ".") for m in change.updates):
                continue  # one optimizer over both (multi-task): the gradient through `fake` is wanted
            if any(isinstance(arg.value, cst.Name) and arg.value.value == fake for arg in call.args):
                return (
                    f"detach `{fake}` for the discriminator: `{other}({fake}.detach())` in `{breakage.loss}`, so that "
                    f"its backward stops at `{fake}` and never needs what `{change.owner}` saved"
                )
    return None


def _calls_module(value: cst.BaseExpression, owner: str) -> bool:
    return any(isinstance(node, cst.Call) and dotted_name(node.func) == owner for node in walk(value))


def _scope_of(statement: cst.CSTNode, module: cst.Module, facts: Mapping[cst.CSTNode, NodeFact]) -> cst.CSTNode:
    """The function holding ``statement`` (from the inference's sites), or the module."""
    for node in walk(statement):
        fact = facts.get(node)
        if fact is not None and fact.site is not None:
            return fact.site.function.node if fact.site.function is not None else module
    return module


def _assignments(scope: cst.CSTNode, name: str) -> Iterator[cst.Assign]:
    """The assignments to ``name`` in the scope's own code (not in functions it defines)."""
    def inside(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
        yield node
        for child in node.children:
            if not isinstance(child, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
                yield from inside(child)

    for node in inside(scope):
        if isinstance(node, cst.Assign) and any(name in target_names(t.target) for t in node.targets):
            yield node


__all__ = ["detach_advice"]
