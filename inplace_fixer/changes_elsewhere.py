"""Findings at a call of this file whose callee, in *another* file, changes a saved tensor.

The analysis follows calls into the user's other files (inference/imports.py), and each call's
summary says which arguments the callee changes in place and where (inference/user_calls.py).
A change made inside this file's own functions is reported on its own line by the rules; one
made in another file cannot be (that file is checked on its own, without this caller), so it is
reported here, on the call: the line this file's author can act on. The fix is display-only: the
change itself is in the other file.

Only a tensor that an op saved for its backward is reported this way (torch raises when that
backward runs): a callee's in-place change of an ordinary argument is that file's business.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from inplace_fixer import rules as rule_registry
from inplace_fixer.inference.interpreter import Interpreter
from inplace_fixer.inference.user_calls import ChangeThroughCall
from inplace_fixer.inference.values import Reason
from inplace_fixer.model import BREAKS_BACKWARD, Applicability, Config
from inplace_fixer.rules.base import ProposedFix, Report, Rule
from inplace_fixer.source import code


def reports(interpreter: Interpreter, path: str, config: Config, allowed: frozenset[int]) -> list[tuple[type[Rule], Report]]:
    found: list[tuple[type[Rule], Report]] = []
    seen: set[tuple[int, int]] = set()
    for event in interpreter.changes_through_calls:
        saved = event.argument.saved_by
        if saved is None or not interpreter.met(event.call) or interpreter.met(event.change):
            continue
        if event.site is not None and id(event.site.statement) in allowed:
            continue  # allow_mutation_on_saved_tensors(): torch clones what was saved
        rule = _rule_for(event.change)
        if rule is None or not config.is_selected(rule.code) or (id(event.call), id(event.change)) in seen:
            continue
        seen.add((id(event.call), id(event.change)))
        found.append((rule, _report(event, saved, interpreter, path)))
    return found


def _report(event: ChangeThroughCall, saved: Reason, interpreter: Interpreter, path: str) -> Report:
    where = interpreter.resolver.locate(event.change, path) if interpreter.resolver is not None else None
    callee = event.callee.info.name
    argument = code(event.argument_node)
    change = f"`{code(event.change)}`" + (f" at line {where}" if where else "")
    text = (
        f"`{code(event.call)}` passes `{argument}`, which {saved.template} saved for its backward, to {callee}(), "
        f"which changes it in place ({change}); backward will raise"
    )
    fix = ProposedFix(
        Applicability.DISPLAY_ONLY,
        f"the change is in another file ({change}): rewrite it there out of place, or pass a copy "
        f"(`{argument}.clone()`) if {callee}() must change its argument",
        event.call, event.call,
    )
    return Report(
        node=event.call, message=text, fix=fix, target=None,
        category=BREAKS_BACKWARD, category_reason=Reason(text, saved.node), category_message=Reason(text, saved.node),
    )


def _rule_for(change: cst.CSTNode) -> Optional[type[Rule]]:
    """The rule whose kind of change the callee makes."""
    if isinstance(change, cst.AugAssign):
        return rule_registry.rule_for("IPF001")
    if isinstance(change, cst.Call):
        return rule_registry.rule_for("IPF002")
    if isinstance(change, (cst.Assign, cst.AnnAssign)):
        return rule_registry.rule_for("IPF006")
    return None
