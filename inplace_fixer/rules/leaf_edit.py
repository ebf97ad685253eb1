"""The fix for a deliberate edit of a leaf tensor or a Parameter: `with torch.no_grad():` around it.

`w[0] *= 1.0001` right after `w` is made, `p -= lr * p.grad` after `backward()`, or
`self.weight[:, k] -= v` mean "change these values", not "make a new tensor". Rebinding the name
(`p = p - lr * p.grad`) silently drops the edit for every other reference, turns the leaf into a
non-leaf whose `.grad` stays None (`p.grad.zero_()` on the next line then raises AttributeError),
and cannot be done at all to a Parameter attribute. Doing the same edit with autograd off keeps
the object, its `.grad` and the optimizer's hold on it.

It is offered only where it keeps the program working: no op of a pending graph saved the leaf
(with grad off the write still bumps the version counter, so that backward would still raise),
and nothing written into it requires grad (under no_grad that gradient would silently be lost).
"""

from __future__ import annotations

from typing import Iterable, Optional

import libcst as cst

from inplace_fixer.inference import Site, Value
from inplace_fixer.model import Applicability
from inplace_fixer.rules.base import ProposedFix
from inplace_fixer.source import code


def is_deliberate_leaf_edit(target: Value, operands: Iterable[Optional[Value]]) -> bool:
    """A write into a leaf that requires grad or a Parameter (directly or through an index of
    it: a view bound to another name, `h = x.reshape(...)`, reads as a computation), which no
    pending graph saved, of values that do not require grad themselves."""
    if target.leaf is None and not target.is_parameter:
        return False
    if target.saved_by is not None:
        return False
    return all(operand is None or operand.grad is None for operand in operands)


def no_grad_fix(site: Site, torch_name: Optional[str], target: cst.BaseExpression) -> Optional[ProposedFix]:
    """``with torch.no_grad():`` around the statement, when it has a line of its own."""
    line = site.line
    if torch_name is None or not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1:
        return None
    if site.statement is not line.body[0]:
        return None
    no_grad = cst.Call(func=cst.Attribute(cst.Name(torch_name), cst.Name("no_grad")))
    wrapped = cst.With(
        items=[cst.WithItem(no_grad)],
        body=cst.IndentedBlock(body=[line.with_changes(leading_lines=())]),
        leading_lines=line.leading_lines,
    )
    name = code(target, limit=None)
    reason = (
        f"`{name}` is a leaf or a Parameter edited on purpose: under no_grad the edit changes the "
        f"very tensor (other references, `{name}.grad` and optimizers keep seeing it) and autograd "
        "does not record it, so no gradient flows through this line"
    )
    summary = f"`with {torch_name}.no_grad():` around this line"
    return ProposedFix(Applicability.UNSAFE, reason, line, wrapped, summary=summary)


def leaf_edit_fix(
    site: Site, torch_name: Optional[str], target: cst.BaseExpression, value: Value, operands: Iterable[Optional[Value]]
) -> Optional[ProposedFix]:
    if not is_deliberate_leaf_edit(value, operands):
        return None
    return no_grad_fix(site, torch_name, target)


__all__ = ["is_deliberate_leaf_edit", "leaf_edit_fix", "no_grad_fix"]
