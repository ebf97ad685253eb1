"""Whether a module call may have saved the state a change writes (IPF009), from torch's
derivative formulas through inplace_fixer.saved_tensors: a Linear saves its weight only when its
input requires grad, and never its bias; a module of unknown make-up is taken to save all."""

from __future__ import annotations

from typing import Mapping

import libcst as cst

from inplace_fixer import saved_tensors
from inplace_fixer.inference import Kind, NodeFact


def saves_changed_state(call, change) -> bool:
    """Whether the module call may have saved the state the change writes."""
    if call.name == change.owner:
        if call.qualname is None:
            return True
        roles = saved_tensors.saves_for_call("module", call.qualname, args=["tensor"], keywords=())
        if roles is None:
            return True

        def requires_grad(param: str) -> bool:
            return call.input_requires_grad if param == "input" else True

        params = [change.attribute] if change.attribute else [p for p in roles.saved_params if p != "input"]
        return any(p in roles.saved_params and roles.is_saved(p, requires_grad) for p in params)
    # A submodule of what was called (`D.fc.weight` edited, `D(x)` called), or a module that
    # contains what was called (`D.parameters()` stepped, `D.fc(x)` called).
    return change.owner.startswith(call.name + ".") or call.name.startswith(change.owner + ".")


def never_saved(facts: Mapping[cst.CSTNode, NodeFact], submodule: cst.BaseExpression, attribute: str) -> bool:
    """`model[2].bias` of a Linear: a torch module of known make-up whose backward never saves
    that parameter (its input is taken to require grad: the weight counts)."""
    fact = facts.get(submodule)
    qualname = fact.value.qualname if fact is not None and fact.value.kind is Kind.MODULE else None
    if not qualname or not qualname.startswith("torch."):
        return False
    roles = saved_tensors.saves_for_call("module", qualname, args=["tensor"], keywords=())
    # Only the parameters every torch module has by these names: a buffer is judged elsewhere.
    return roles is not None and attribute in ("weight", "bias") and not roles.is_saved(attribute, lambda _: True)


__all__ = ["never_saved", "saves_changed_state"]
