"""Out-of-place forms of in-place Tensor method calls and chains of them.

The facts behind each form are in shared/reference/torch-inplace-facts.md section 1 (measured on
torch 2.13) and are re-checked by the verification tests: operator methods equal their operator,
`torch.fill(x, v)` equals `x.fill_(v)` in values and gradients, `torch.randn_like(x)` draws the
same numbers as `x.normal_()` from the same random state, and so on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import libcst as cst

from inplace_fixer import fixes, torch_data
from inplace_fixer.inference import Kind
from inplace_fixer.source import code
from inplace_fixer.torch_data import InplaceKind

NO_ZERO_GRADIENT = (
    "after the rewrite `{x}` is a new tensor outside the graph: it no longer requires grad, and "
    "operations before this line get no gradient through it (None instead of zeros)"
)
# Methods whose out-of-place result dtype is promoted from all tensor arguments; for the others
# (masked_fill_, index_add_, scatter_, ...) the result keeps self's dtype, as in place.
PROMOTING = frozenset(
    {"add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "floor_divide",
     "remainder", "fmod", "pow", "float_power", "atan2", "arctan2", "hypot", "lerp", "addcmul", "addcdiv",
     "maximum", "minimum", "fmax", "fmin", "copysign", "xlogy", "ldexp", "logaddexp", "logaddexp2",
     "nextafter", "igamma", "igammac", "clamp", "clip", "clamp_min", "clamp_max", "heaviside",
     "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift", "bitwise_right_shift",
     "addmm", "addmv", "addbmm", "baddbmm", "addr", "mvlgamma", "polygamma", "sgn", "where"}
)

# Node types are tested with `type(node) is cst.X`: libcst's concrete node classes have no
# subclasses, and an isinstance that fails on one costs an ABC check (millions per tree).


@dataclass(frozen=True)
class ChainRewrite:
    expression: Optional[cst.BaseExpression]
    refusal: Optional[str] = None  # why there is no exact rewrite (report-only)
    doubt: Optional[str] = None  # why the rewrite may change the dtype
    caveat: Optional[str] = None  # another reason the rewrite is not exactly the same


def inplace_method_of(node: cst.CSTNode):
    if type(node) is not cst.Call or type(node.func) is not cst.Attribute:
        return None
    name = node.func.attr.value
    if not name.endswith("_") or name.startswith("_"):
        return None
    return torch_data.inplace_method(name)


def chain_of(rule, node: cst.Call, skip: Sequence[InplaceKind]):
    """(root, [innermost call, ..., node]) for ``root.a_(...).b_(...)``, or None when ``node`` is
    not an in-place method call on a tensor."""
    info = inplace_method_of(node)
    if info is None or info.kind in skip:
        return None
    steps = [node]
    receiver = node.func.value  # type: ignore[attr-defined]
    while True:
        inner = inplace_method_of(receiver)
        if inner is None or inner.kind in skip:
            break
        steps.insert(0, receiver)
        receiver = receiver.func.value
    value = rule.value(receiver)
    if value is None or value.kind is not Kind.TENSOR:
        return None
    return receiver, steps


def out_of_place_chain(rule, root: cst.BaseExpression, steps: Sequence[cst.Call]) -> ChainRewrite:
    current: cst.BaseExpression = root
    doubt = None
    caveat = None
    root_value = rule.value(root)
    root_text = code(root, limit=None)
    for index, step in enumerate(steps):
        if index > 0 and any(fixes.mentions(arg.value, root) for arg in step.args):
            return ChainRewrite(None, refusal=f"`{code(step.func.attr, limit=None)}` reads `{root_text}` after the chain changed it")  # type: ignore[attr-defined]
        form = _out_of_place_call(rule, current, root, step)
        if form.expression is None:
            return form
        current = form.expression
        doubt = doubt or form.doubt
        caveat = caveat or form.caveat
        name = step.func.attr.value[:-1]  # type: ignore[attr-defined]
        if doubt is None and root_value is not None and name in PROMOTING:
            tensor_args = [(a.value, rule.value(a.value)) for a in step.args if _is_tensor_like(rule, a.value)]
            doubt = fixes.operand_doubt(root_text, root_value, tensor_args)
    return ChainRewrite(current, doubt=doubt, caveat=caveat)


def _is_tensor_like(rule, node: cst.BaseExpression) -> bool:
    value = rule.value(node)
    return value is None or value.kind in (Kind.TENSOR, Kind.UNKNOWN)


def _positional(call: cst.Call) -> list[cst.Arg]:
    return [a for a in call.args if a.keyword is None and not a.star]


def _out_of_place_call(rule, receiver: cst.BaseExpression, root: cst.BaseExpression, step: cst.Call) -> ChainRewrite:
    info = inplace_method_of(step)
    name = step.func.attr.value  # type: ignore[attr-defined]
    args = list(step.args)
    root_text = code(root, limit=None)
    torch_name = rule.context.torch_name
    if info.kind is InplaceKind.VALUE or info.kind is InplaceKind.METADATA:
        operator = fixes.METHOD_OPERATORS.get(info.out_of_place or "")
        if operator is not None and len(args) == 1 and args[0].keyword is None and not args[0].star:
            return ChainRewrite(fixes.binary(receiver, operator, args[0].value))
        if info.out_of_place:
            return ChainRewrite(_renamed_call(step, receiver, info.out_of_place))
        return ChainRewrite(None, refusal=f"`{name}` has no out-of-place counterpart")
    if info.kind is InplaceKind.COMPARISON and info.out_of_place and type(receiver) in (cst.Name, cst.Attribute):
        compared = _renamed_call(step, receiver, info.out_of_place)
        dtype = cst.Attribute(receiver, cst.Name("dtype"))
        return ChainRewrite(
            fixes.method_call(compared, "to", [cst.Arg(dtype)]),
            caveat=f"`{info.out_of_place}` returns bool, and `.to({root_text}.dtype)` keeps the 0/1 values in the "
            f"dtype of `{root_text}`; " + NO_ZERO_GRADIENT.format(x=root_text),
        )
    if info.kind is InplaceKind.FILL:
        if name in ("zero_", "fill_") and torch_name is not None and type(receiver) in (cst.Name, cst.Attribute):
            fill_value = cst.Integer("0") if name == "zero_" else (args[0].value if len(args) == 1 and args[0].keyword is None else None)
            if fill_value is not None:
                fill = fixes.torch_reference(torch_name, "torch.fill")
                return ChainRewrite(cst.Call(func=fill, args=[cst.Arg(receiver), cst.Arg(fill_value)]))
        if name == "copy_" and len(args) == 1 and args[0].keyword is None and type(receiver) in (cst.Name, cst.Attribute):
            source = fixes.method_call(args[0].value, "to", [cst.Arg(receiver)])
            expanded = fixes.method_call(source, "expand_as", [cst.Arg(receiver)])
            return ChainRewrite(fixes.method_call(expanded, "clone", []), caveat=NO_ZERO_GRADIENT.format(x=root_text))
        return ChainRewrite(None, refusal=f"`{name}` has no exact out-of-place form here")
    if info.kind is InplaceKind.RANDOM:
        return _random_fill(rule, receiver, root_text, name, step, torch_name)
    return ChainRewrite(None, refusal=f"`{name}` is not a value operation")


def _random_fill(rule, receiver, root_text: str, name: str, step: cst.Call, torch_name: Optional[str]) -> ChainRewrite:
    """A random fill ignores the old values: drawing into a fresh ``empty_like`` tensor gives the
    same numbers from the same random state (measured bitwise), and that tensor is in no graph."""
    caveat = NO_ZERO_GRADIENT.format(x=root_text)
    if torch_name is None:
        return ChainRewrite(None, refusal=f"`{name}` needs `torch` in scope for its out-of-place form (torch.empty_like)")
    if not step.args and name in ("normal_", "uniform_"):
        factory = "randn_like" if name == "normal_" else "rand_like"
        call = cst.Call(fixes.torch_reference(torch_name, f"torch.{factory}"), [cst.Arg(receiver)])
        return ChainRewrite(call, caveat=caveat)
    fresh = cst.Call(fixes.torch_reference(torch_name, "torch.empty_like"), [cst.Arg(receiver)])
    return ChainRewrite(step.with_changes(func=step.func.with_changes(value=fresh)), caveat=caveat)  # type: ignore[attr-defined]


def _renamed_call(step: cst.Call, receiver: cst.BaseExpression, name: str) -> cst.Call:
    """``x.clamp_(\n min=0)`` -> ``<receiver>.clamp(\n min=0)``, keeping the call's own layout."""
    func = step.func.with_changes(value=fixes.receiver_for_call(receiver), attr=cst.Name(name))  # type: ignore[attr-defined]
    return step.with_changes(func=func)
