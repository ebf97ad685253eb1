"""Building blocks the rules share to propose rewrites, and the one judgement of fix safety.

Rules describe a rewrite as "rebind the mutated target to this out-of-place value"; the helpers
here turn that into statements (hoisting the rebinding out of a larger statement when the in-place
call's result is used), keep precedence right, and decide whether the rewrite is safe.
"""

from __future__ import annotations

from typing import Iterable, Optional, Sequence, Union

import libcst as cst

from inplace_fixer.cst_fields import contains_equal
from inplace_fixer.inference import Kind, Reason, Site, Value
from inplace_fixer.model import Applicability
from inplace_fixer.rules.base import ProposedFix
from inplace_fixer.source import code

AUGMENTED_TO_BINARY: dict[type, type] = {
    cst.AddAssign: cst.Add,
    cst.SubtractAssign: cst.Subtract,
    cst.MultiplyAssign: cst.Multiply,
    cst.DivideAssign: cst.Divide,
    cst.FloorDivideAssign: cst.FloorDivide,
    cst.ModuloAssign: cst.Modulo,
    cst.PowerAssign: cst.Power,
    cst.BitAndAssign: cst.BitAnd,
    cst.BitOrAssign: cst.BitOr,
    cst.BitXorAssign: cst.BitXor,
    cst.LeftShiftAssign: cst.LeftShift,
    cst.RightShiftAssign: cst.RightShift,
}

# Tensor methods whose out-of-place form is a Python operator (torch's dunders call these ops).
METHOD_OPERATORS: dict[str, type] = {
    "add": cst.Add,
    "sub": cst.Subtract,
    "subtract": cst.Subtract,
    "mul": cst.Multiply,
    "multiply": cst.Multiply,
    "div": cst.Divide,
    "divide": cst.Divide,
    "true_divide": cst.Divide,
    "floor_divide": cst.FloorDivide,
    "remainder": cst.Modulo,
    "pow": cst.Power,
    "bitwise_and": cst.BitAnd,
    "bitwise_or": cst.BitOr,
    "bitwise_xor": cst.BitXor,
    "bitwise_left_shift": cst.LeftShift,
    "bitwise_right_shift": cst.RightShift,
}

_BINARY_PRECEDENCE: dict[type, int] = {
    cst.BitOr: 7,
    cst.BitXor: 8,
    cst.BitAnd: 9,
    cst.LeftShift: 10,
    cst.RightShift: 10,
    cst.Add: 11,
    cst.Subtract: 11,
    cst.Multiply: 12,
    cst.Divide: 12,
    cst.FloorDivide: 12,
    cst.Modulo: 12,
    cst.MatrixMultiply: 12,
    cst.Power: 14,
}
_ATOM = 16


def precedence(node: cst.BaseExpression) -> int:
    if node.lpar:
        return _ATOM
    if isinstance(node, cst.BinaryOperation):
        return _BINARY_PRECEDENCE[type(node.operator)]
    if isinstance(node, cst.UnaryOperation):
        return 5 if isinstance(node.operator, cst.Not) else 13
    if isinstance(node, cst.BooleanOperation):
        return 3 if isinstance(node.operator, cst.Or) else 4
    if isinstance(node, cst.Comparison):
        return 6
    if isinstance(node, cst.IfExp):
        return 2
    if isinstance(node, (cst.Lambda, cst.NamedExpr, cst.Yield)):
        return 1
    if isinstance(node, cst.Await):
        return 15
    return _ATOM


def parenthesized(node: cst.BaseExpression) -> cst.BaseExpression:
    return node.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def binary(left: cst.BaseExpression, operator: type, right: cst.BaseExpression) -> cst.BinaryOperation:
    """``left <op> right`` with the parentheses the meaning needs, and no others."""
    level = _BINARY_PRECEDENCE[operator]
    if operator is cst.Power:
        # ** binds right to left, and its right operand may be a unary minus (y ** -a).
        left_needs = precedence(left) <= level
        right_needs = precedence(right) < level and not (
            isinstance(right, cst.UnaryOperation) and not isinstance(right.operator, cst.Not)
        )
    else:
        left_needs = precedence(left) < level
        right_needs = precedence(right) <= level
    return cst.BinaryOperation(
        left=parenthesized(left) if left_needs else left,
        operator=operator(),
        right=parenthesized(right) if right_needs else right,
    )


def receiver_for_call(node: cst.BaseExpression) -> cst.BaseExpression:
    """``a + b`` needs parentheses to take a method: ``(a + b).clamp()``."""
    return parenthesized(node) if precedence(node) < _ATOM else node


def method_call(receiver: cst.BaseExpression, name: str, args: Sequence[cst.Arg]) -> cst.Call:
    return cst.Call(func=cst.Attribute(receiver_for_call(receiver), cst.Name(name)), args=_tidy_args(args))


def _tidy_args(args: Sequence[cst.Arg]) -> list[cst.Arg]:
    """The last argument of a rewritten call takes no trailing comma unless the user wrote one."""
    args = list(args)
    if args and args[-1].comma is not cst.MaybeSentinel.DEFAULT and not _has_newline(args[-1].comma):
        args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return args


def _has_newline(comma) -> bool:
    return isinstance(comma, cst.Comma) and isinstance(comma.whitespace_after, cst.ParenthesizedWhitespace)


def without_arg(call: cst.Call, removed: cst.Arg) -> cst.Call:
    args = [arg for arg in call.args if arg is not removed]
    if args and call.args and call.args[-1] is removed:
        args[-1] = args[-1].with_changes(comma=removed.comma)
    return call.with_changes(args=_tidy_args(args))


def torch_reference(torch_name: str, qualname: str) -> cst.BaseExpression:
    """``torch.nn.functional.relu`` written through the module's own name for torch (``T``)."""
    expression: cst.BaseExpression = cst.Name(torch_name)
    for part in qualname.split(".")[1:]:
        expression = cst.Attribute(expression, cst.Name(part))
    return expression


def rebind(target: cst.BaseExpression, value: cst.BaseExpression) -> cst.Assign:
    return cst.Assign(targets=[cst.AssignTarget(_clean_target(target))], value=value)


def _clean_target(target: cst.BaseExpression) -> cst.BaseExpression:
    return target.with_changes(lpar=[], rpar=[]) if target.lpar else target


# ---------------------------------------------------------------------- statements
def replace_statement(
    site: Site, statements: Sequence[cst.BaseSmallStatement]
) -> tuple[cst.CSTNode, Union[cst.CSTNode, cst.FlattenSentinel]]:
    """Replace the small statement of ``site`` with ``statements``, one per line when the original
    statement had its own line (comments above and at the end of the line are kept)."""
    statement = site.statement
    line = site.line
    if isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1:
        if len(statements) == 1:
            return line, line.with_changes(body=[statements[0]])
        lines = [cst.SimpleStatementLine(body=[s]) for s in statements]
        lines[0] = lines[0].with_changes(leading_lines=line.leading_lines)
        lines[-1] = lines[-1].with_changes(trailing_whitespace=line.trailing_whitespace)
        return line, cst.FlattenSentinel(lines)
    if len(statements) == 1:
        return statement, statements[0]
    return statement, cst.FlattenSentinel(statements)


class _Substitute(cst.CSTTransformer):
    def __init__(self, original: cst.CSTNode, replacement: cst.BaseExpression) -> None:
        super().__init__()
        self.original = original
        self.replacement = replacement

    def on_leave(self, original_node, updated_node):
        return self.replacement if original_node is self.original else updated_node


def rebinding_statements(
    site: Site,
    inplace_expression: cst.CSTNode,
    target: cst.BaseExpression,
    new_value: cst.BaseExpression,
) -> Optional[list[cst.BaseSmallStatement]]:
    """Statements that rebind ``target`` to ``new_value`` where ``inplace_expression`` (whose
    result is the mutated ``target`` itself) stood, or None when the order of evaluation could
    change what the rest of the statement sees."""
    statement = site.statement
    assign = rebind(target, new_value)
    if statement is inplace_expression or (isinstance(statement, cst.Expr) and statement.value is inplace_expression):
        return [assign]
    if isinstance(statement, cst.Assign) and statement.value is inplace_expression:
        if all(t.target.deep_equals(target) for t in statement.targets):
            return [assign]
        return [assign, statement.with_changes(value=target)]
    if isinstance(statement, cst.Return) and statement.value is inplace_expression:
        return [assign, statement.with_changes(value=target)]
    if not isinstance(statement, (cst.Expr, cst.Assign, cst.Return, cst.AnnAssign, cst.AugAssign)):
        return None
    evaluated = statement.value if not isinstance(statement, cst.Expr) else statement.value
    if evaluated is None or _mentioned_before(evaluated, inplace_expression, target):
        return None
    if _conditionally_evaluated(evaluated, inplace_expression):
        # `x.mul_(g) if inplace else x * g`: a rebinding before the statement would run on
        # every path, and the other branch would then see the changed `x`.
        return None
    rewritten = statement.visit(_Substitute(inplace_expression, target))
    return [assign, rewritten]  # type: ignore[list-item]


def _conditionally_evaluated(root: cst.CSTNode, node: cst.CSTNode) -> bool:
    """Whether ``node`` is evaluated only on some paths through ``root``: a branch of a
    conditional expression, the right side of `and`/`or`, a lambda or a comprehension body."""
    finder = _ConditionalFinder(node)
    root.visit(finder)
    return finder.conditional


class _ConditionalFinder(cst.CSTVisitor):
    _SCOPES = (cst.Lambda, cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)

    def __init__(self, node: cst.CSTNode) -> None:
        super().__init__()
        self.node = node
        self.depth = 0
        self.conditional = False

    def on_visit(self, node: cst.CSTNode) -> bool:
        if node is self.node:
            self.conditional = self.depth > 0
            return False
        if isinstance(node, cst.IfExp):
            node.test.visit(self)
            self._conditionally(node.body, node.orelse)
            return False
        if isinstance(node, cst.BooleanOperation):
            node.left.visit(self)
            self._conditionally(node.right)
            return False
        if isinstance(node, self._SCOPES):
            self.depth += 1
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        if isinstance(original_node, self._SCOPES):
            self.depth -= 1

    def _conditionally(self, *parts: cst.CSTNode) -> None:
        self.depth += 1
        for part in parts:
            part.visit(self)
        self.depth -= 1


def _mentioned_before(root: cst.CSTNode, stop: cst.CSTNode, target: cst.BaseExpression) -> bool:
    """Whether ``target`` is read in ``root`` before ``stop`` is evaluated (source order)."""
    finder = _MentionFinder(stop, target)
    root.visit(finder)
    return finder.found


class _MentionFinder(cst.CSTVisitor):
    def __init__(self, stop: cst.CSTNode, target: cst.BaseExpression) -> None:
        super().__init__()
        self.stop = stop
        self.target = target
        self.stopped = False
        self.found = False

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self.stopped or self.found:
            return False
        if node is self.stop:
            self.stopped = True
            return False
        if isinstance(node, cst.BaseExpression) and node.deep_equals(self.target):
            self.found = True
            return False
        return True


def mentions(root: cst.CSTNode, target: cst.BaseExpression) -> bool:
    return contains_equal(root, target)


# ---------------------------------------------------------------------- safety
def _dead_after(site: Optional[Site], name: str) -> bool:
    """Whether ``name`` is assigned again before it can be read after ``site``'s statement (in
    the rest of its block, or around its loop), so that a view bound to it cannot see a rewrite.
    Only blocks directly in a function (or a loop body) are judged; anything else is "live"."""
    if site is None or site.index < 0 or not site.block:
        return False
    variable = cst.Name(name)
    for statement in site.next_statements():
        if not mentions(statement, variable):
            continue
        if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
            small = statement.body[0]
            if isinstance(small, cst.Assign) and not mentions(small.value, variable) and any(
                t.target.deep_equals(variable) for t in small.targets
            ):
                return True
        return False
    # Not mentioned again in the block: dead only at the end of a function's own body.
    function = site.function
    return site.block is not site.loop_block and function is not None and site.block is getattr(function.node.body, "body", None)


def target_safety(
    target: cst.BaseExpression, value: Value, site: Optional[Site] = None
) -> tuple[Applicability, Optional[Union[str, Reason]]]:
    """Whether rebinding ``target`` to a new tensor is invisible to the rest of the program."""
    text = code(target, limit=None)
    if isinstance(target, cst.Attribute):
        if value.is_parameter:
            return Applicability.DISPLAY_ONLY, (
                f"`{text}` is an nn.Parameter: assigning a plain tensor to it raises TypeError, and the "
                "optimizer must keep updating the same Parameter; change it under torch.no_grad() or "
                "restructure the computation"
            )
        return Applicability.UNSAFE, (
            f"`{text}` is an attribute: code that holds the old tensor (another reference, a state_dict "
            "taken earlier) would no longer see the change"
        )
    if not isinstance(target, cst.Name):
        return Applicability.UNSAFE, f"`{text}` is an element of a container or a view: the rewrite does not change the original"
    if value.is_parameter:
        return Applicability.UNSAFE, (
            f"`{text}` is an nn.Parameter: after the rewrite `{text}` is a plain tensor, and optimizers "
            "created earlier keep updating the old Parameter"
        )
    if value.alias is not None and value.alias.view_name is not None and _dead_after(site, value.alias.view_name):
        value = value.with_(alias=None)
    if value.alias is not None:
        if value.alias.blocks_fix:
            return Applicability.DISPLAY_ONLY, Reason(
                value.alias.template + f": rebinding `{text}` would not change it", value.alias.node
            )
        return Applicability.UNSAFE, value.alias
    if value.leaf is not None:
        return Applicability.UNSAFE, Reason(
            f"`{text}` is a leaf tensor that requires grad: after the rewrite `{text}` names a new, non-leaf "
            f"tensor, so `{text}.grad` is not filled; keep the leaf under another name"
        )
    return Applicability.SAFE, None


def operand_doubt(target_text: str, target: Value, operands: Iterable[tuple[cst.BaseExpression, Optional[Value]]]) -> Optional[str]:
    """Why the out-of-place result might get another dtype than the in-place op keeps, if it might."""
    for node, value in operands:
        if value is None or value.kind is Kind.UNKNOWN or value.kind is Kind.CONTAINER:
            if isinstance(node, (cst.Integer, cst.Float)) or (
                isinstance(node, cst.UnaryOperation) and isinstance(node.expression, (cst.Integer, cst.Float))
            ):
                continue
            return (
                f"`{code(node, limit=None)}` may be a tensor of another dtype: in place keeps the dtype of `{target_text}`, "
                "the rewrite would promote"
            )
        if value.kind is Kind.TENSOR and (value.dtype is None or target.dtype is None or value.dtype != target.dtype):
            return (
                f"`{code(node, limit=None)}` may have another dtype than `{target_text}`: in place keeps the dtype of "
                f"`{target_text}`, the rewrite would promote"
            )
    return None


def combine(
    applicability: Applicability, reason, more: tuple[Applicability, Optional[object]]
) -> tuple[Applicability, object]:
    """The weaker of two safety judgements, with the reason that made it weaker."""
    order = [Applicability.SAFE, Applicability.UNSAFE, Applicability.DISPLAY_ONLY]
    other, other_reason = more
    if order.index(other) > order.index(applicability):
        return other, other_reason
    return applicability, reason


def statement_fix(
    site: Site,
    inplace_expression: cst.CSTNode,
    target: cst.BaseExpression,
    target_value: Value,
    new_value: cst.BaseExpression,
    doubt: Optional[str] = None,
) -> Optional[ProposedFix]:
    """The usual fix: rebind ``target`` to ``new_value`` where the in-place expression was."""
    if not isinstance(target, (cst.Name, cst.Attribute)):
        return None
    statements = rebinding_statements(site, inplace_expression, target, new_value)
    if statements is None:
        return None
    applicability, reason = target_safety(target, target_value, site)
    if doubt is not None:
        applicability, reason = combine(applicability, reason, (Applicability.UNSAFE, doubt))
    if applicability is Applicability.DISPLAY_ONLY:
        return ProposedFix(applicability, reason, site.statement, site.statement)
    original, replacement = replace_statement(site, statements)
    return ProposedFix(applicability, reason, original, replacement)


def clone_first_fix(site: Site, base: cst.BaseExpression, base_value: Value) -> Optional[ProposedFix]:
    """``x = x.clone()`` before the statement, which then mutates a fresh copy nobody saved."""
    if not isinstance(base, (cst.Name, cst.Attribute)):
        return None
    applicability, reason = target_safety(base, base_value, site)
    if applicability is Applicability.DISPLAY_ONLY:
        return ProposedFix(applicability, reason, site.statement, site.statement)
    clone = rebind(base, method_call(base, "clone", []))
    first = _first_write_of_run(site, base)
    if first is not None:
        # Writes in a row into the same tensor share one clone, before the first of them: the
        # fixes of the run are then the same edit, applied once.
        lines = [
            cst.SimpleStatementLine(body=[clone], leading_lines=first.leading_lines),
            first.with_changes(leading_lines=()),
        ]
        summary = None
        if first is not site.line:
            # The edit is the first write's: say what it does for this one.
            summary = Reason(f"`{code(clone, limit=None)}` before line {{line}}, one copy for the writes from there to here", first)
        return ProposedFix(applicability, reason, first, cst.FlattenSentinel(lines), summary=summary)
    original, replacement = replace_statement(site, [clone, site.statement])  # type: ignore[list-item]
    return ProposedFix(applicability, reason, original, replacement)


def _first_write_of_run(site: Site, base: cst.BaseExpression) -> Optional[cst.SimpleStatementLine]:
    """The earliest line of the run of writes into ``base`` that ends with this statement, when
    the statement has its own line."""
    line = site.line
    if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1 or site.index < 0:
        return None
    first = line
    for previous in site.previous_statements():
        if not isinstance(previous, cst.SimpleStatementLine) or len(previous.body) != 1:
            break
        if not _writes_into(previous.body[0], base) or mentions(previous.body[0].value, base):
            # A write that reads the tensor itself (`x[0] = x[1].sin()`) must not follow the
            # clone: it would read the copy the writes then change.
            break
        first = previous
    return first


def follows_fresh_clone(site: Site, base: cst.BaseExpression) -> bool:
    """Whether the statement changes a tensor that was cloned just before (``x = x.clone()``,
    possibly followed by other writes into ``x``): nothing can have saved that fresh copy, so the
    change is invisible to autograd. This is the form the clone-then-write fix produces. A write
    that reads the tensor itself (`x[0] = x[1].sin()`), here or earlier in the run, does not count:
    an op there may save the very copy that a write then changes."""
    if _reads_base(site.statement, base):
        return False
    for previous in site.previous_statements():
        if not isinstance(previous, cst.SimpleStatementLine) or len(previous.body) != 1:
            return False
        small = previous.body[0]
        if _is_clone_of(small, base):
            return True
        if not _writes_into(small, base) or _reads_base(small, base):
            return False
    return False


def _reads_base(small, base: cst.BaseExpression) -> bool:
    return isinstance(small, (cst.Assign, cst.AugAssign)) and mentions(small.value, base)


def _is_clone_of(small: cst.BaseSmallStatement, base: cst.BaseExpression) -> bool:
    return (
        isinstance(small, cst.Assign)
        and len(small.targets) == 1
        and small.targets[0].target.deep_equals(base)
        and isinstance(small.value, cst.Call)
        and not small.value.args
        and isinstance(small.value.func, cst.Attribute)
        and small.value.func.attr.value == "clone"
        and small.value.func.value.deep_equals(base)
    )


def _writes_into(small: cst.BaseSmallStatement, base: cst.BaseExpression) -> bool:
    if isinstance(small, cst.Assign):
        return all(isinstance(t.target, cst.Subscript) and t.target.value.deep_equals(base) for t in small.targets)
    if isinstance(small, cst.AugAssign):
        target = small.target
        return target.deep_equals(base) or (isinstance(target, cst.Subscript) and target.value.deep_equals(base))
    return False


def follows_value_first(clone: cst.BaseSmallStatement, write: cst.BaseSmallStatement, base: cst.BaseExpression, name: str) -> bool:
    """Whether ``clone; write`` is ``base = base.clone(); base[...] = name``: the rest of a
    value-first element write whose value was computed into ``name``."""
    return (
        _is_clone_of(clone, base)
        and isinstance(write, cst.Assign)
        and len(write.targets) == 1
        and isinstance(write.targets[0].target, cst.Subscript)
        and write.targets[0].target.value.deep_equals(base)
        and isinstance(write.value, cst.Name)
        and write.value.value == name
    )
