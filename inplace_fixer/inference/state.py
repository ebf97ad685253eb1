"""Shared pieces of the interpreter: its per-function state, the name environment, and how
expressions are named in messages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import libcst as cst

from inplace_fixer.inference.sites import FunctionInfo, Site
from inplace_fixer.inference.values import Kind, Value
from inplace_fixer.source import code

NUMBER = Value(Kind.OTHER, qualname="number")
# Calls that return several views of their input. torch forbids changing in place the outputs of
# the multi-output view ops (saved_tensors.multi_output_view_ops); the others' views are ordinary.
MULTI_OUTPUT_VIEWS = frozenset({"chunk", "split", "unbind", "split_with_sizes"})
SPLITTING_METHODS = MULTI_OUTPUT_VIEWS | {"tensor_split", "hsplit", "vsplit", "dsplit"}
Env = dict[str, Value]
BUILTIN_NON_TENSORS = frozenset(
    {"len", "int", "float", "str", "bool", "repr", "print", "isinstance", "range", "sum", "min", "max",
     "abs", "round", "hash", "id", "sorted", "any", "all", "format", "open", "type", "callable"}
)
BUILTIN_CONTAINERS = frozenset({"list", "dict", "set", "tuple", "frozenset"})
NUMBER_BUILTINS = frozenset({"len", "int", "float", "round", "abs", "hash", "id"})


def dotted_name(node: cst.BaseExpression) -> Optional[str]:
    """``self.fc.weight`` -> "self.fc.weight"; None for anything but names and attributes."""
    # Exact type tests: libcst has no subclass of either, and isinstance on a libcst class is an
    # abstract-class check (this runs for every name and attribute the analysis meets).
    if type(node) is cst.Name:
        return node.value
    if type(node) is cst.Attribute:
        base = dotted_name(node.value)
        return None if base is None else f"{base}.{node.attr.value}"
    return None


def describe(node: cst.BaseExpression) -> str:
    """How a message names an expression: its dotted name, else its (shortened) source text."""
    name = dotted_name(node)
    return name if name is not None else code(node, limit=40)


def module_name(node: cst.BaseExpression) -> str:
    return dotted_name(node) or ""


def join_qualname(module: str, name: str) -> str:
    """The qualified name of ``name`` in ``module``: "pkg.mod" + "f" is "pkg.mod.f", and the
    package of a relative import, "." (`from . import f`), + "f" is ".f"."""
    return module + name if module.endswith(".") else f"{module}.{name}"


def split_qualname(qualname: str) -> tuple[str, str]:
    """``join_qualname`` undone: "pkg.mod.f" -> ("pkg.mod", "f"), "..mod.f" -> ("..mod", "f"),
    "..f" -> ("..", "f")."""
    dots = len(qualname) - len(qualname.lstrip("."))
    if "." not in qualname[dots:]:
        return qualname[:dots], qualname[dots:]
    module, _, name = qualname.rpartition(".")
    return module, name


@dataclass
class PendingFunction:
    info: FunctionInfo
    closure: Env


@dataclass
class State:
    env: Env
    globals: Env
    function: Optional[FunctionInfo]
    grad_enabled: bool = True
    in_loop: bool = False
    inference: bool = False  # inside torch.inference_mode(): tensors made here are inference tensors
    site: Optional[Site] = None
    block: Sequence[cst.CSTNode] = ()
    index: int = -1
    loop_block: Sequence[cst.CSTNode] = ()  # the body of the innermost enclosing loop
    # For a function analysed at one of its call sites (inference.user_calls): how many calls
    # deep, the functions on the way (recursion stops there), and the values it returns.
    depth: int = 0
    call_stack: tuple = ()
    returns: Optional[list] = None
    # In a callee analysed at a call site: (identity of the tensor, node) of each in-place change
    # it makes, so the call's summary says which arguments it changes and where.
    changed: Optional[list] = None
    foreign: bool = False  # analysing a function of another file (imported): no facts recorded


