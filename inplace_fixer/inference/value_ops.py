"""Operations on abstract values: joins of environments, fresh results, views, operators,
dtypes, and the arguments of a call."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from inplace_fixer.inference import torch_api
from inplace_fixer.inference.state import NUMBER, Env, State
from inplace_fixer.inference.values import (
    OTHER,
    UNKNOWN,
    Kind,
    Reason,
    Value,
    join,
    tensor,
)
from inplace_fixer.source import code


def join_envs(a: Env, b: Env) -> Env:
    """The environment after two paths meet. A name bound on one path only keeps that path's
    value: code that reads it after the join can only run where it was bound (elsewhere it raises
    NameError), and that is the code an in-place change matters for."""
    merged: Env = {}
    for key in a.keys() | b.keys():
        merged[key] = join(a[key], b[key]) if key in a and key in b else a.get(key) or b[key]
    return merged


def fresh(value: Value) -> Value:
    return value.with_(obj=None, alias=None, leaf=None, is_parameter=False, is_data=False, view_of=None,
                       saved_by=None, saved_elements=None, leaf_view=None, multi_view=False, shape_of=None,
                       multi_view_base=None, no_grad_view=None, inference_tensor=None)


def view_value(base: Value, source: str, what: str, state: State) -> Value:
    # A view shares memory with its base: mutating it mutates the base (and vice versa).
    site = state.site.statement if state.site else None
    return base.with_(
        obj=None, leaf=None, is_parameter=False, view_of=source, leaf_view=base.leaf or base.leaf_view,
        alias=Reason(f"it is a view of `{source}` ({what}): the in-place change also changes `{source}`"),
        is_data=base.is_data,
        # torch forbids changing, with grad mode on, a view made under no_grad of a grad tensor.
        no_grad_view=Reason(f"{what} (line {{line}}) was made under no_grad", site)
        if not state.grad_enabled and (base.grad is not None or base.leaf is not None)
        else base.no_grad_view,
    )


def binary(left: Value, right: Value, state: State, operator=None) -> Value:
    if left.kind is Kind.TENSOR or right.kind is Kind.TENSOR:
        grad = (left.grad or right.grad) if state.grad_enabled else None
        if left.kind is Kind.TENSOR and right.kind is Kind.TENSOR:
            dtype = left.dtype if left.dtype == right.dtype else None
        else:
            tensor_side = left if left.kind is Kind.TENSOR else right
            other = right if tensor_side is left else left
            dtype = tensor_side.dtype if other.qualname == "number" else None
        return tensor(grad=grad, dtype=dtype)
    if left.kind is Kind.OTHER and right.kind is Kind.OTHER:
        return NUMBER if left.qualname == "number" and right.qualname == "number" else OTHER
    if left.kind is Kind.CONTAINER or right.kind is Kind.CONTAINER:
        return Value(Kind.CONTAINER)
    return UNKNOWN


def first_grad(args) -> Optional[str]:
    for _, value in args:
        if value.grad is not None:
            return value.grad
        if value.kind in (Kind.CONTAINER, Kind.TENSORS) and value.element is not None and value.element.grad:
            return value.element.grad
    return None


def container_grad(args, state: State) -> Optional[str]:
    return first_grad(args) if state.grad_enabled else None


def common_dtype(args) -> Optional[str]:
    dtypes = {value.dtype for _, value in args if value.kind is Kind.TENSOR}
    return dtypes.pop() if len(dtypes) == 1 else None


def same_dtype_args(receiver: Value, args) -> bool:
    return all(
        value.kind is not Kind.TENSOR or (value.dtype is not None and value.dtype == receiver.dtype)
        for _, value in args
    )


def dtype_of(value: Optional[Value]) -> Optional[str]:
    if value is not None and value.kind is Kind.API and value.qualname in torch_api.DTYPES:
        return torch_api.DTYPES[value.qualname]
    return None


def factory_dtype(qualname: str, node: cst.Call, args) -> Optional[str]:
    short = qualname.rsplit(".", 1)[-1]
    if short in torch_api.FLOAT_FACTORY_NAMES:
        return torch_api.DEFAULT_FLOAT
    if short.endswith("_like") and args and args[0][1].kind is Kind.TENSOR:
        return args[0][1].dtype
    if short in torch_api.INTEGER_RESULT_NAMES:
        return "int64"
    if short in ("full", "arange") and node.args:
        # torch.full(shape, 0) and torch.arange(n) give int64: the dtype comes from the numbers.
        numbers = [a.value for a in node.args if a.keyword is None or a.keyword.value in ("fill_value", "start", "end", "step")]
        numbers = numbers[1:] if short == "full" else numbers
        literals = [n for n in numbers if isinstance(n, (cst.Integer, cst.Float, cst.Name))]
        if short == "full" and literals:
            fill = literals[-1]
            if isinstance(fill, cst.Name):
                return "bool" if fill.value in ("True", "False") else None
            return "int64" if isinstance(fill, cst.Integer) else torch_api.DEFAULT_FLOAT
        if short == "arange":
            if any(isinstance(n, cst.Float) for n in numbers):
                return torch_api.DEFAULT_FLOAT
            if all(isinstance(n, cst.Integer) or _is_size(n) for n in numbers):
                return "int64"
    if short in ("tensor", "as_tensor") and node.args:
        text = code(node.args[0].value, limit=None)
        if "." in text and not any(c.isalpha() for c in text):
            return torch_api.DEFAULT_FLOAT
    return None


def has_dim_argument(node: cst.Call) -> bool:
    positional = [a for a in node.args if a.keyword is None and not a.star]
    return len(positional) >= 2 or any(a.keyword is not None and a.keyword.value == "dim" for a in node.args) or (
        isinstance(node.func, cst.Attribute) and len(positional) >= 1 and not isinstance(node.func.value, cst.Name)
        and False
    )



NEVER_RAN = (
    ": torch forbids changing such a view in place, so this line never ran as written; "
    "the rewrite changes only this name, not `{base}`"
)

OPERATOR_SYMBOLS = {
    cst.Add: "+", cst.Subtract: "-", cst.Multiply: "*", cst.Divide: "/", cst.Modulo: "%",
    cst.Power: "**", cst.MatrixMultiply: "@",
}


def split_args(node: cst.Call, args) -> tuple[list, dict]:
    """(positional (node, value) pairs, keyword -> (node, value)) of a call."""
    positional = []
    keywords = {}
    for arg, (keyword, value) in zip(node.args, args):
        if keyword is None:
            positional.append((arg.value, value))
        elif keyword not in ("*", "**"):
            keywords[keyword] = (arg.value, value)
    return positional, keywords


def saved_element(base: Value, node: cst.Subscript) -> Optional[Reason]:
    saved = dict(base.saved_elements or ())
    if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        index = node.slice[0].slice.value
        if isinstance(index, cst.Integer):
            return saved.get(int(index.value))
    return next(iter(saved.values()), None)




def _is_size(node: cst.BaseExpression) -> bool:
    """``x.shape[1]``, ``x.size(0)``, ``len(x)``, ``x.numel()``: Python ints."""
    if isinstance(node, cst.Subscript):
        return isinstance(node.value, cst.Attribute) and node.value.attr.value == "shape"
    if isinstance(node, cst.Call):
        func = node.func
        if isinstance(func, cst.Name):
            return func.value == "len"
        return isinstance(func, cst.Attribute) and func.attr.value in ("size", "numel", "dim")
    return False


def gradient_arguments(name: str, args) -> list:
    """The arguments of a tensor method that a gradient can flow from: not its indices or masks,
    nor a tensor that gives only a dtype, device or shape (`type_as(x)`)."""
    if name in torch_api.LIKE_ARGUMENT_METHODS:
        return []
    index = torch_api.INDEX_ARGUMENTS.get(name.rstrip("_"))
    if index is None:
        return list(args)
    position, keyword = index
    kept, seen = [], 0
    for item in args:
        name_, _ = item
        if name_ is None:
            if seen != position:
                kept.append(item)
            seen += 1
        elif name_ != keyword:
            kept.append(item)
    return kept
