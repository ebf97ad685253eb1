"""Predict from the saved-tensor data alone whether a corpus program breaks backward.

This validates the data file (and ``saves_for_call``'s overload choice) independently of the
engine: it knows the call, the mutated role and which arguments require grad from the case
itself, so a disagreement points at the data, not at the static analysis.
"""

from __future__ import annotations

from inplace_fixer.saved_tensors import SavedRoles, multi_output_view_ops, saves_for_call
from tests.agreement.corpus import Case


def _roles(case: Case) -> SavedRoles:
    keywords = ("inplace",) if case.inplace_flag else ()
    roles = saves_for_call(
        case.kind, case.name, args=case.args, keywords=keywords, inplace=case.inplace_flag
    )
    if roles is None:
        raise LookupError(f"{case.kind} {case.name} is in the corpus but not in the data")
    return roles


def predict(case: Case) -> bool:
    """True when torch should refuse the program's mutation (at the mutation or at backward)."""
    roles = _roles(case)

    def requires_grad(param: str) -> bool:
        return param in case.requires_grad

    if case.role.startswith("output"):
        index = int(case.role.removeprefix("output"))
        if index in roles.saved_outputs:
            return True
        if roles.op.split(".")[0] in multi_output_view_ops():
            return True
        # The output shares its version counter with these arguments: mutating it mutates them.
        for param in roles.aliases:
            if param in case.leaves and requires_grad(param):
                return True  # a (view of a) leaf that requires grad
            if roles.is_saved(param, requires_grad):
                return True
        return False
    if roles.is_saved(case.role, requires_grad):
        return True
    if case.role in roles.aliases:
        # The output is a view of this argument, or the argument itself after an in-place call.
        if roles.saves_output:
            return True
        if roles.op.split(".")[0] in multi_output_view_ops():
            return True  # views of a multi-output op refuse to be used once their base changed
    return False
