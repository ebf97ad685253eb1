"""The fix for a preallocated tensor filled row by row in a loop: a list and one torch.stack.

    outputs = torch.zeros(T, B, H)          outputs = []
    for t in range(T):                      for t in range(T):
        h = cell(x[t], h)          ->           h = cell(x[t], h)
        outputs[t] = h                          outputs.append(h)
                                            outputs = torch.stack(outputs)

The general fix of an element write (`outputs = outputs.clone()` before it) copies the whole
tensor on every iteration: memory and time quadratic in T (bench/bench_loop_fill.py measures
both). The list is what people write by hand. It is offered only where the tensor is allocated
just before the loop, written once per iteration at exactly the loop counter, and not read inside
the loop (a read of a row not yet written would differ on a list); it is safe only when the loop
runs over the whole first dimension (`range(T)` for `zeros(T, ...)`), so every row is written,
and when the rows written have the tensor's dtype (a write casts, torch.stack does not).
"""

from __future__ import annotations

from typing import Optional, Sequence

import libcst as cst
from libcst import matchers as m

from inplace_fixer import fixes
from inplace_fixer.inference import Kind, Reason, Site
from inplace_fixer.model import Applicability
from inplace_fixer.rules.base import ProposedFix
from inplace_fixer.source import code

# Calls that allocate a tensor whose first positional arguments are its sizes.
_ALLOCATORS = frozenset({"zeros", "empty", "ones", "full", "randn", "rand", "new_zeros", "new_empty", "new_ones", "new_full"})
_EXITS = m.Break() | m.Continue() | m.Return() | m.Yield() | m.Raise()


class _BlockOf(cst.CSTVisitor):
    """The statement list that holds the loop whose body is ``body``, and the loop's index in it."""

    def __init__(self, body: Sequence[cst.CSTNode]) -> None:
        super().__init__()
        self.body = body
        self.found: Optional[tuple[Sequence[cst.CSTNode], int]] = None

    def _look(self, statements: Sequence[cst.CSTNode]) -> None:
        for index, statement in enumerate(statements):
            if isinstance(statement, cst.For) and getattr(statement.body, "body", None) is self.body:
                self.found = (statements, index)

    def visit_Module(self, node: cst.Module) -> None:
        self._look(node.body)

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> Optional[bool]:
        self._look(node.body)
        return self.found is None


def _first_size(allocation: cst.Call) -> Optional[cst.BaseExpression]:
    if not allocation.args or allocation.args[0].keyword is not None or allocation.args[0].star:
        return None
    first = allocation.args[0].value
    if isinstance(first, (cst.Tuple, cst.List)):
        return first.elements[0].value if first.elements else None
    return first


def _range_end(loop: cst.For) -> Optional[cst.BaseExpression]:
    """N for `for t in range(N)` or `range(0, N)`."""
    it = loop.iter
    if not (isinstance(it, cst.Call) and m.matches(it.func, m.Name("range"))):
        return None
    args = [a for a in it.args if a.keyword is None and not a.star]
    if len(args) != len(it.args):
        return None
    if len(args) == 1:
        return args[0].value
    if len(args) == 2 and m.matches(args[0].value, m.Integer("0")):
        return args[1].value
    return None


def _allocation(block: Sequence[cst.CSTNode], loop_index: int, name: cst.Name) -> Optional[tuple[cst.SimpleStatementLine, cst.Call]]:
    """The `name = torch.zeros(...)` line just before the loop (nothing between mentions `name`)."""
    for statement in reversed(block[:loop_index]):
        if not fixes.mentions(statement, name):
            continue
        if not (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1):
            return None
        small = statement.body[0]
        if not (isinstance(small, cst.Assign) and len(small.targets) == 1 and small.targets[0].target.deep_equals(name)):
            return None
        call = small.value
        if isinstance(call, cst.Call) and isinstance(call.func, (cst.Attribute, cst.Name)):
            attr = call.func.attr if isinstance(call.func, cst.Attribute) else call.func
            if attr.value in _ALLOCATORS and not fixes.mentions(call, name):
                return statement, call
        return None
    return None


def loop_fill_fix(rule, site: Site, node: cst.Assign, target: cst.Subscript) -> Optional[ProposedFix]:
    """The list-and-stack rewrite of `outputs[t] = h` in `for t in range(T)`, or None when the
    loop does not have that shape (the caller then uses the general fix)."""
    base = target.value
    torch_name = rule.context.torch_name
    line = site.line
    if torch_name is None or not isinstance(base, cst.Name) or len(node.targets) != 1 or fixes.mentions(node.value, base):
        return None
    if not site.loop_block or site.block is not site.loop_block:
        return None  # the write must run once per iteration: directly in the loop's body
    if not (isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1 and line.body[0] is node):
        return None
    elements = list(target.slice)
    if len(elements) != 1 or not isinstance(elements[0].slice, cst.Index):
        return None
    index = elements[0].slice.value
    finder = _BlockOf(site.block)
    (site.function.node if site.function is not None else rule.context.module).visit(finder)
    if finder.found is None:
        return None
    block, loop_index = finder.found
    loop: cst.For = block[loop_index]  # type: ignore[assignment]
    if loop.orelse is not None or loop.asynchronous is not None or not isinstance(loop.target, cst.Name):
        return None
    if not index.deep_equals(loop.target) or m.findall(loop.body, _EXITS):
        return None
    if sum(1 for statement in loop.body.body if fixes.mentions(statement, base)) != 1:
        return None  # read elsewhere in the loop: a list would differ for rows not yet written
    found = _allocation(block, loop_index, base)
    end = _range_end(loop)
    if found is None or end is None:
        return None
    allocation_line, allocation = found
    size = _first_size(allocation)
    applicability, reason = fixes.target_safety(base, rule.value(base), site)
    if applicability is Applicability.DISPLAY_ONLY:
        return None
    if size is None or not size.deep_equals(end):
        applicability, reason = fixes.combine(applicability, reason, (Applicability.UNSAFE, (
            f"the loop runs over `{code(loop.iter)}` but `{base.value}` has {code(size) if size is not None else 'an unknown'} "
            "rows: rows the loop does not write would be missing from the stacked tensor"
        )))
    written, allocated = rule.value(node.value), rule.value(base)
    if written is None or allocated is None or written.kind is not Kind.TENSOR or written.dtype is None or written.dtype != allocated.dtype:
        applicability, reason = fixes.combine(applicability, reason, (Applicability.UNSAFE, (
            f"`{code(node.value)}` may not have the dtype of `{base.value}`: the write casts it, torch.stack keeps its own dtype"
        )))
    empty_list = allocation_line.with_changes(body=[allocation_line.body[0].with_changes(value=cst.List([]))])
    append = cst.Expr(cst.Call(func=cst.Attribute(base, cst.Name("append")), args=[cst.Arg(node.value)]))
    body = [line.with_changes(body=[append]) if statement is line else statement for statement in loop.body.body]
    new_loop = loop.with_changes(body=loop.body.with_changes(body=body))
    stack = cst.Call(func=fixes.torch_reference(torch_name, "torch.stack"), args=[cst.Arg(base)])
    stacked = cst.SimpleStatementLine(body=[fixes.rebind(base, stack)])
    summary = (
        f"`{base.value} = []` on line {{line}}, `{code(append)}` here, `{base.value} = {code(stack)}` after the loop"
    )
    return ProposedFix(
        applicability, reason, allocation_line, empty_list,
        more=((loop, cst.FlattenSentinel([new_loop, stacked])),),
        summary=Reason(summary, allocation_line),
    )


__all__ = ["loop_fill_fix"]
