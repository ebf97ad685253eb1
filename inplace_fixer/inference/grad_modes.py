"""Grad modes (no_grad, enable_grad, inference_mode, set_grad_enabled) and what annotations say
about a value."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Optional

import libcst as cst

from inplace_fixer.inference import torch_api
from inplace_fixer.inference.flags import false_flag
from inplace_fixer.inference.state import State, dotted_name
from inplace_fixer.inference.values import UNKNOWN, Kind, Value
from inplace_fixer.source import code

if TYPE_CHECKING:
    from inplace_fixer.inference.interpreter import Interpreter

def returns_tensor(node) -> bool:
    """Whether a function's return annotation says it returns a tensor."""
    returns = getattr(node, "returns", None)
    if returns is not None:
        return code(returns.annotation, limit=None) in ("Tensor", "torch.Tensor")
    return False


def grad_mode_tag(qualname: str, node: cst.Call) -> str:
    if qualname in torch_api.GRAD_SET:
        return "gradmode:off" if false_flag(node, "mode", 0) else "gradmode:on"
    if qualname in torch_api.INFERENCE_MODE:
        return "gradmode:on" if false_flag(node, "mode", 0) else "gradmode:inference"
    return "gradmode:off" if qualname in torch_api.GRAD_OFF else "gradmode:on"


def is_inference_mode(value: Value) -> bool:
    """``torch.inference_mode()`` (or the bare decorator), as opposed to no_grad."""
    if value.kind is Kind.OTHER:
        return value.qualname == "gradmode:inference"
    return value.kind is Kind.API and value.qualname in torch_api.INFERENCE_MODE


def grad_mode_of(value: Value) -> Optional[bool]:
    if value.kind is Kind.OTHER and value.qualname in ("gradmode:off", "gradmode:on", "gradmode:inference"):
        return value.qualname == "gradmode:on"
    if value.kind is Kind.API and value.qualname is not None:
        # Used bare as a decorator: @torch.no_grad
        if value.qualname in torch_api.GRAD_OFF:
            return False
        if value.qualname in torch_api.GRAD_ON:
            return True
    return None


# An annotation by a class of another package whose name says what it is: not a tensor.
NON_TENSOR_CLASS = re.compile(r"(?:Dict|Mapping|List|Tuple|Config|Cache|Output|Kwargs)$")


def annotation_kind(value: Value, node: cst.BaseExpression, interpreter: Interpreter, state: State) -> Optional[bool]:
    """True for Tensor annotations (also Optional[Tensor], Tensor | None), False for other known
    annotations, None when nothing can be said."""
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
        sides = [annotation_kind(interpreter.facts[s].value if s in interpreter.facts else UNKNOWN, s, interpreter, state)
                 for s in (node.left, node.right)]
        return True if True in sides else (False if all(s is False or s is None for s in sides) and False in sides else None)
    if isinstance(node, cst.Subscript):
        outer = dotted_name(node.value) or ""
        if outer.split(".")[-1] == "Union":
            elements = [e.slice.value for e in node.slice if isinstance(e.slice, cst.Index)]
            sides = [annotation_kind(interpreter.facts[e].value if e in interpreter.facts else UNKNOWN, e, interpreter, state)
                     for e in elements]
            return True if True in sides else None  # "may be a tensor"
        if outer.split(".")[-1] == "Optional":
            inner = node.slice[0].slice
            if isinstance(inner, cst.Index):
                inner_fact = interpreter.facts.get(inner.value)
                return annotation_kind(inner_fact.value if inner_fact else UNKNOWN, inner.value, interpreter, state)
        return False
    if isinstance(node, cst.SimpleString):
        text = node.evaluated_value
        return True if text in ("Tensor", "torch.Tensor") else None
    if value.kind is Kind.API and value.qualname in torch_api.TENSOR_CLASSES:
        return True
    if value.kind is Kind.MODULE_CLASS or (
        value.kind is Kind.API and value.qualname is not None
        and (value.qualname in torch_api.MODULE_BASES or torch_api.is_nn_module_class(value.qualname))
    ):
        return "module"  # type: ignore[return-value]
    if value.kind is Kind.API and value.qualname and value.qualname.startswith("builtins."):
        return False
    if value.kind is Kind.API and value.qualname and NON_TENSOR_CLASS.search(value.qualname):
        return False  # `shared_kv_states: KVSharingDict`, `cache: Cache`, `config: LlamaConfig`
    if isinstance(node, cst.Name) and node.value == "None":
        return None
    return None


# Multi-output views (unbind, split, chunk, iterating a tensor) may not be changed in place at
# all: the original statement raised, so rebinding the name is the fix, with this caveat.


_INTEGER_TENSOR_CLASSES = {"LongTensor": "int64", "IntTensor": "int32", "ShortTensor": "int16", "CharTensor": "int8",
                           "ByteTensor": "uint8", "BoolTensor": "bool"}


def annotation_dtype(node: cst.BaseExpression) -> Optional[str]:
    """``torch.LongTensor | None`` says the tensor holds integers (it never requires grad); None
    when the annotation names no integer tensor class, or a float one too."""
    words = set(re.findall(r"\w+", code(node, limit=None)))
    integer = [_INTEGER_TENSOR_CLASSES[w] for w in words if w in _INTEGER_TENSOR_CLASSES]
    if not integer or words & {"Tensor", "FloatTensor", "DoubleTensor", "HalfTensor", "BFloat16Tensor"}:
        return None
    return integer[0]
