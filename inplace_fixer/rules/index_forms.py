"""Out-of-place forms of element writes (`x[i] = v`, `x[i] += v`) that autograd accepts.

Shared by the augmented-assignment and index-assignment rules. Each form is exact where it is
used: `select_scatter`/`slice_scatter` cast the source to the target's dtype as a write does, and
the source `x[i] + v` has exactly the element's shape whenever the in-place write succeeds;
`masked_fill` is used only for a mask computed from the tensor itself (same shape) and a number;
everything else falls back to cloning the tensor first, which keeps every detail of the write
(broadcasting, casting, duplicate indices) and only changes which object is written.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from inplace_fixer import fixes
from inplace_fixer.inference import Kind, Site, Value
from inplace_fixer.model import Applicability
from inplace_fixer.rules.base import ProposedFix, RuleContext
from inplace_fixer.source import code


def _is_full_slice(element: cst.SubscriptElement) -> bool:
    s = element.slice
    return isinstance(s, cst.Slice) and s.lower is None and s.upper is None and s.step is None


def _is_number(node: cst.BaseExpression, value: Optional[Value]) -> bool:
    if isinstance(node, (cst.Integer, cst.Float)):
        return True
    if isinstance(node, cst.UnaryOperation) and isinstance(node.expression, (cst.Integer, cst.Float)):
        return True
    return value is not None and value.kind is Kind.OTHER and value.qualname == "number"


def _scatter_form(rule, target: cst.Subscript):
    """(dim, the last element) when the subscript is `[:, ..., :, i]` or `[:, ..., a:b]`."""
    elements = list(target.slice)
    *leading, last = elements
    if not all(_is_full_slice(e) for e in leading) or _is_full_slice(last):
        return None
    dim = cst.Integer(str(len(leading)))
    if isinstance(last.slice, cst.Index):
        index = last.slice.value
        if last.slice.star is None and _is_number(index, rule.value(index)):
            return "select", dim, last.slice
        return None
    return "slice", dim, last.slice


def _arg(node: cst.BaseExpression) -> cst.Arg:
    return cst.Arg(node.with_changes(lpar=[], rpar=[]) if isinstance(node, cst.Name) else node)


def _tensor_index(rule, target: cst.Subscript) -> Optional[cst.BaseExpression]:
    """The index of ``x[idx]`` when it is a single tensor (integer or boolean)."""
    elements = list(target.slice)
    if len(elements) != 1 or not isinstance(elements[0].slice, cst.Index) or elements[0].slice.star is not None:
        return None
    index = elements[0].slice.value
    value = rule.value(index)
    return index if value is not None and value.kind is Kind.TENSOR else None


def _index_put(base: cst.BaseExpression, index: cst.BaseExpression, values: cst.BaseExpression) -> cst.Call:
    indices = cst.Tuple([cst.Element(index, comma=cst.Comma())])
    return fixes.method_call(base, "index_put", [cst.Arg(indices), cst.Arg(values)])


def _value_doubt(rule, base: cst.BaseExpression, base_value: Value, values: cst.BaseExpression) -> Optional[str]:
    """index_put, unlike a write, refuses values of another dtype."""
    value = rule.value(values)
    if value is not None and value.kind is Kind.TENSOR and value.dtype is not None and value.dtype == base_value.dtype:
        return None
    return (
        f"`index_put` needs `{code(values, limit=None)}` to have the dtype of `{code(base, limit=None)}` (a write casts it); "
        "if they differ the rewrite raises"
    )


def _clone_first_fix(rule, site: Site, node, base: cst.BaseExpression, base_value: Value) -> Optional[ProposedFix]:
    """Clone the tensor before the write; when the value written reads the tensor itself
    (`a[0] = a[1].sin()`), compute that value first: Python evaluates the right-hand side after
    the clone, so it would read (and an op could save) the very copy the write then changes."""
    if not fixes.mentions(node.value, base):
        return fixes.clone_first_fix(site, base, base_value)
    if not isinstance(base, (cst.Name, cst.Attribute)):
        return None
    applicability, reason = fixes.target_safety(base, base_value, site)
    if applicability is Applicability.DISPLAY_ONLY:
        return ProposedFix(applicability, reason, site.statement, site.statement)
    temporary = cst.Name(_fresh_name(rule.context, f"{_last_name(base)}_value", base))
    computed = cst.Assign(targets=[cst.AssignTarget(temporary)], value=node.value)
    clone = fixes.rebind(base, fixes.method_call(base, "clone", []))
    write = node.with_changes(value=temporary)
    original, replacement = fixes.replace_statement(site, [computed, clone, write])
    summary = "`" + "; ".join(code(statement, limit=None) for statement in (computed, clone, write)) + "`"
    return ProposedFix(applicability, reason, original, replacement, summary=summary)


def _last_name(node: cst.BaseExpression) -> str:
    return node.attr.value if isinstance(node, cst.Attribute) else node.value  # type: ignore[union-attr]


def _fresh_name(context: RuleContext, wanted: str, base: cst.BaseExpression) -> str:
    """``wanted``, or ``wanted_2``, ...: a name the module does not use anywhere, except as the
    value computed first by this same fix for ``base`` (so that fixing writes one at a time, as an
    editor does, gives what fixing them all at once gives)."""
    if context.source is not None and wanted not in context.source:
        return wanted  # every name the module uses is in its text: no need to walk the module
    taken, value_first = _names_of(context.module)
    reusable: dict[str, bool] = {}
    for name, clone, write in value_first:
        reusable[name] = reusable.get(name, True) and write is not None and fixes.follows_value_first(clone, write, base, name)
    name, number = wanted, 1
    while name in taken and not reusable.get(name, False):
        number += 1
        name = f"{wanted}_{number}"
    return name


# The last module's names: a module with many element writes asks for a fresh name per fix, and
# walking the whole module each time cost more than its analysis.
_NAMES_OF: list = [None, None]


def _names_of(module: cst.Module) -> tuple[set[str], list]:
    """Every name the module uses, and each `name = value` statement with the two statements
    after it (where a value-first fix would have put its clone and its write)."""
    if _NAMES_OF[0] is module:
        return _NAMES_OF[1]
    taken: set[str] = set()
    value_first: list = []

    class _Names(cst.CSTVisitor):  # a plain visitor: libcst's matchers cost ~10x over a module
        def visit_Name(self, node: cst.Name) -> None:
            taken.add(node.value)

        def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
            _note_value_first(node.body)

        def visit_Module(self, node: cst.Module) -> None:
            _note_value_first(node.body)

    def _note_value_first(body) -> None:
        for index, line in enumerate(body):
            small = line.body[0] if isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1 else None
            if not (isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name)):
                continue
            following = [
                b.body[0] for b in body[index + 1:index + 3]
                if isinstance(b, cst.SimpleStatementLine) and len(b.body) == 1
            ]
            value_first.append((small.targets[0].target.value, *(following if len(following) == 2 else (None, None))))

    module.visit(_Names())
    _NAMES_OF[:] = [module, (taken, value_first)]
    return taken, value_first


def augmented_index_fix(rule, site: Site, node: cst.AugAssign, target: cst.Subscript, base_value: Value) -> Optional[ProposedFix]:
    base = target.value
    if not isinstance(base, (cst.Name, cst.Attribute)):
        return None
    index = _tensor_index(rule, target)
    if index is not None:
        # x.index_put((idx,), x[idx] + v) repeats exactly what `x[idx] += v` does, duplicate
        # indices included (the last write wins; it does not accumulate).
        source = fixes.binary(target, fixes.AUGMENTED_TO_BINARY[type(node.operator)], node.value)
        doubt = None
        operand = rule.value(node.value)
        if not _is_number(node.value, operand):
            doubt = fixes.operand_doubt(code(base, limit=None), base_value, [(node.value, operand)])
        return fixes.statement_fix(site, node, base, base_value, _index_put(base, index, source), doubt)
    form = _scatter_form(rule, target)
    if form is None:
        return _clone_first_fix(rule, site, node, base, base_value)
    kind, dim, element = form
    source = fixes.binary(target, fixes.AUGMENTED_TO_BINARY[type(node.operator)], node.value)
    if kind == "select":
        new_value = fixes.method_call(base, "select_scatter", [cst.Arg(source), cst.Arg(dim), _arg(element.value)])
    else:
        none = cst.Name("None")
        args = [cst.Arg(source), cst.Arg(dim), _arg(element.lower or none), _arg(element.upper or none)]
        if element.step is not None:
            args.append(_arg(element.step))
        new_value = fixes.method_call(base, "slice_scatter", args)
    return fixes.statement_fix(site, node, base, base_value, new_value)


def assignment_index_fix(rule, site: Site, node: cst.Assign, target: cst.Subscript, base_value: Value) -> Optional[ProposedFix]:
    base = target.value
    if not isinstance(base, (cst.Name, cst.Attribute)):
        return None
    if len(node.targets) != 1:
        return fixes.clone_first_fix(site, base, base_value) if not fixes.mentions(node.value, base) else None
    elements = list(target.slice)
    is_number = _is_number(node.value, rule.value(node.value))
    if len(elements) == 1 and isinstance(elements[0].slice, cst.Index) and is_number:
        mask = elements[0].slice.value
        if _is_mask_of(mask, base, rule):
            new_value = fixes.method_call(base, "masked_fill", [cst.Arg(mask), cst.Arg(node.value)])
            return fixes.statement_fix(site, node, base, base_value, new_value)
    index = _tensor_index(rule, target)
    if index is not None:
        if is_number:
            # new_tensor gives the number the dtype and device of the target, as a write would.
            values = fixes.method_call(base, "new_tensor", [cst.Arg(node.value)])
            return fixes.statement_fix(site, node, base, base_value, _index_put(base, index, values))
        doubt = _value_doubt(rule, base, base_value, node.value)
        return fixes.statement_fix(site, node, base, base_value, _index_put(base, index, node.value), doubt)
    return _clone_first_fix(rule, site, node, base, base_value)


def _is_mask_of(mask: cst.BaseExpression, base: cst.BaseExpression, rule) -> bool:
    """A boolean mask with the very shape of ``base``: a comparison of ``base`` with a number,
    or an element-wise predicate method of it (``x.isnan()``), written inline or bound to a name
    just before."""
    value = rule.value(mask)
    if isinstance(mask, cst.Name) and value is not None and value.shape_of is not None:
        return value.shape_of == code(base, limit=None)
    if isinstance(mask, cst.Comparison) and len(mask.comparisons) == 1:
        comparison = mask.comparisons[0]
        if isinstance(comparison.operator, (cst.Is, cst.IsNot, cst.In, cst.NotIn)):
            return False
        sides = (mask.left, comparison.comparator)
        return any(s.deep_equals(base) for s in sides) and any(
            isinstance(s, (cst.Integer, cst.Float)) or (isinstance(s, cst.UnaryOperation) and isinstance(s.expression, (cst.Integer, cst.Float)))
            for s in sides
        )
    if isinstance(mask, cst.Call) and isinstance(mask.func, cst.Attribute) and mask.func.attr.value in ("isnan", "isinf", "isfinite", "isneginf", "isposinf"):
        return not mask.args and mask.func.value.deep_equals(base)
    return False


__all__ = ["Applicability", "assignment_index_fix", "augmented_index_fix"]
