"""Generate inplace_fixer/data/saved_tensors.json: which tensors each op's backward saves.

Run: ``python tools/generate_saved_tensors.py`` (writes the file), ``--check`` (exit 1 and print a
diff when the checked-in file differs from what the installed torch gives), ``--stdout``.

Where each fact comes from:

* **Saved tensors per aten op**: torchgen's own loader shipped in the torch wheel
  (``load_derivatives`` then ``match_differentiability_info``, exactly what generates
  ``VariableType``). Its ``all_saved_inputs`` / ``all_saved_outputs`` are what is left after
  torchgen rewrote metadata-only uses (``self.sym_sizes()``, ``self.options()``, ...) into
  captured non-tensor values, so a tensor-typed entry is a real ``SavedVariable`` whose version
  is checked at backward. Guards replicate ``gen_variable_type.guard_for``.
* **Python spellings** (``x.sigmoid()``, ``torch.mul``, ``F.relu``, ``a * b``, ``nn.Linear``):
  when the Python object *is* the generated C binding of ops that all have formulas, the
  variants come straight from their schemas. Otherwise (composite ops such as ``torch.matmul``
  or ``F.linear``, Python wrappers such as ``Tensor.split``, operators, modules) the spelling is
  called once on small float64 tensors and the autograd graph it builds is read: which nodes
  it created and which of the caller's tensors feed which node argument. That observation only
  names the ops and binds arguments; what each node saves still comes from the loader.
"""

from __future__ import annotations

import argparse
import difflib
import inspect
import json
import operator
import os
import re
import sys
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
import torchgen
from torch import nn
from torchgen.api.autograd import match_differentiability_info
from torchgen.api.types import BaseCType, ListCType, OptionalCType, VectorCType, tensorT
from torchgen.gen import parse_native_yaml
from torchgen.model import (
    BaseTy,
    BaseType,
    ListType,
    NativeFunction,
    OptionalType,
    SchemaKind,
    Type,
)
from torchgen.model import Variant as FunctionVariant
from torchgen.packaged.autograd.gen_python_functions import should_generate_py_binding
from torchgen.packaged.autograd.load_derivatives import load_derivatives

from inplace_fixer.saved_tensors import merge_guard

REPO_ROOT = Path(__file__).resolve().parent.parent
OUTPUT = REPO_ROOT / "inplace_fixer" / "data" / "saved_tensors.json"
FORMAT_VERSION = 1

# Saved attributes of these C++ types hold tensors (a SavedVariable or a list of them).
_SAVED_TENSOR_TYPES = (
    BaseCType(tensorT),
    OptionalCType(BaseCType(tensorT)),
    BaseCType(torchgen.api.types.tensorListT),
    ListCType(OptionalCType(BaseCType(tensorT))),
    VectorCType(BaseCType(tensorT)),
)

# Python namespaces whose functions are generated bindings of native functions.
_PY_MODULES = {
    None: ("torch", "torch._C._VariableFunctions", ""),
    "nn": ("torch.nn.functional", "torch._C._nn", ""),
    "special": ("torch.special", "torch._C._special", "special_"),
    "linalg": ("torch.linalg", "torch._C._linalg", "linalg_"),
}


# ---------------------------------------------------------------------------------------------
# Aten facts from torchgen
# ---------------------------------------------------------------------------------------------


def _torchgen_paths() -> tuple[str, str, str]:
    packaged = Path(torchgen.__file__).parent / "packaged"
    return (
        str(packaged / "autograd" / "derivatives.yaml"),
        str(packaged / "ATen" / "native" / "native_functions.yaml"),
        str(packaged / "ATen" / "native" / "tags.yaml"),
    )


def _arg_kind(type_: Type) -> str:
    """How a Python caller fills an argument of this schema type."""
    if isinstance(type_, OptionalType):
        inner = _arg_kind(type_.elem)
        return "tensor?" if inner == "tensor" else inner
    if isinstance(type_, ListType):
        return "tensors" if _arg_kind(type_.elem) in ("tensor", "tensor?") else "list"
    if isinstance(type_, BaseType):
        if type_.name == BaseTy.Tensor:
            return "tensor"
        if type_.name in (BaseTy.Scalar, BaseTy.float):
            return "scalar"
        if type_.name in (BaseTy.int, BaseTy.SymInt):
            return "int"
        if type_.name == BaseTy.bool:
            return "bool"
    return "other"


def _return_names(f: NativeFunction) -> list[str]:
    """Names torchgen gives the returns inside formulas: result, or result0.., or declared names."""
    returns = f.func.returns
    if len(returns) == 1:
        return [returns[0].name or "result"]
    return [r.name or f"result{i}" for i, r in enumerate(returns)]


def _guards(info: Any) -> dict[str, tuple[str, ...] | None]:
    """Replica of gen_variable_type.emit_save_inputs.guard_for, per saved tensor input.

    A guard is the tuple of arguments of which at least one must require grad for the tensor to
    be saved; None means it is saved whenever the node is created.
    """
    args_with_derivatives = [a.name for a in info.args_with_derivatives]
    has_tensorlist_arg = any(
        isinstance(a.argument.type, ListType) for a in info.args_with_derivatives
    )
    guards: dict[str, tuple[str, ...] | None] = {}
    for saved in info.all_saved_inputs:
        if saved.nctype.type not in _SAVED_TENSOR_TYPES:
            continue
        name = str(saved.nctype.name)
        guards[name] = _guard_for(saved, info, args_with_derivatives, has_tensorlist_arg)
    return guards


def _guard_for(
    saved: Any, info: Any, args_with_derivatives: list[str], has_tensorlist_arg: bool
) -> tuple[str, ...] | None:
    if has_tensorlist_arg or "backward" in info.name or len(args_with_derivatives) <= 1:
        return None
    if saved.nctype.type != BaseCType(tensorT):
        return None
    used_in = [d for d in info.derivatives if saved in d.saved_inputs]
    if len(used_in) != 1:
        return None
    derivative = used_in[0]
    name = str(saved.nctype.name)
    if len(derivative.var_names) != 1:
        match = re.search(rf"wrap_opt_if\({re.escape(name)},(.*?)\)", derivative.formula)
        if match is None:
            return None
        # torchgen turns grad_input_mask[i] into should_compute_output(i): an edge offset.
        offsets = [int(i) for i in re.findall(r"grad_input_mask\[(\d+)\]", match.group(1))]
        if not re.fullmatch(
            r"\s*grad_input_mask\[\d+\](\s*\|\|\s*grad_input_mask\[\d+\])*\s*", match.group(1)
        ):
            raise SystemExit(f"unexpected wrap_opt_if condition in {info.name}: {match.group(1)}")
        return tuple(args_with_derivatives[i] for i in offsets)
    return (derivative.var_names[0],)


@dataclass(frozen=True)
class AtenOp:
    """One overload with a backward formula, as the generated autograd code sees it."""

    name: str  # "mul.Tensor"
    node: str  # grad_fn class name, "MulBackward0"
    inplace: bool
    params: tuple[tuple[str, str], ...]  # positional (name, kind)
    kwonly: tuple[tuple[str, str], ...]
    edges: tuple[str, ...]  # arguments with derivatives: grad_fn.next_functions order
    returns: tuple[str, ...]
    saves: dict[str, tuple[str, ...] | None]  # argument -> guard
    saves_outputs: tuple[str, ...]
    aliases: tuple[str, ...]  # arguments the (first) return may share storage with

    def to_json(self) -> dict:
        return {
            "node": self.node,
            "params": [name for name, _ in self.params],
            "returns": list(self.returns),
            "saves": {k: None if v is None else list(v) for k, v in sorted(self.saves.items())},
            "saves_outputs": list(self.saves_outputs),
        }


def _aliases(f: NativeFunction) -> tuple[str, ...]:
    """Arguments the first return is a view of, or is (in-place ops return their argument)."""
    if not f.func.returns:
        return ()
    first = f.func.returns[0].annotation
    if first is None:
        return ()
    return tuple(
        a.name
        for a in f.func.arguments.flat_all
        if a.annotation is not None and set(a.annotation.alias_set) & set(first.alias_set)
    )


@dataclass(frozen=True)
class AtenTables:
    ops: dict[str, AtenOp]  # overload name -> op (functional and in-place, with formulas)
    by_node: dict[str, AtenOp]  # grad_fn class -> its functional op
    functions: list[NativeFunction]  # every native function (for Python bindings)
    formula_overloads: int  # derivatives.yaml entries that have derivatives
    view_ops: tuple[str, ...]
    multi_output_view_ops: tuple[str, ...]


def load_aten_tables() -> AtenTables:
    derivatives, native, tags = _torchgen_paths()
    infos, _ = load_derivatives(derivatives, native, tags)
    functions = parse_native_yaml(native, tags).native_functions
    ops: dict[str, AtenOp] = {}
    by_node: dict[str, AtenOp] = {}
    for pair in match_differentiability_info(functions, infos):
        f = pair.func
        kind = f.func.kind()
        if kind == SchemaKind.out or pair.info is None:
            continue
        if f.has_composite_implicit_autograd_kernel:
            # The dispatcher prefers the decomposition for dense tensors; the formula only
            # serves other keys (nested tensors), so the nodes come from the decomposition.
            continue
        info = pair.info.get("Default")
        if info is None or not info.has_derivatives or info.op is None:
            continue
        inplace = kind == SchemaKind.inplace
        saves = _guards(info)
        returns = tuple(_return_names(f))
        saved_outputs = tuple(
            str(s.nctype.name)
            for s in info.all_saved_outputs
            if s.nctype.type in _SAVED_TENSOR_TYPES
        )
        if inplace:
            # The generated code saves `original_self = self.clone()`, never the caller's tensor;
            # a saved result is the caller's tensor after the op.
            saves.pop("self", None)
            saved_outputs = returns if saved_outputs else ()
        op = AtenOp(
            name=str(f.func.name),
            node=info.op,
            inplace=inplace,
            params=tuple((a.name, _arg_kind(a.type)) for a in f.func.arguments.flat_positional),
            kwonly=tuple((a.name, _arg_kind(a.type)) for a in f.func.arguments.flat_kwarg_only),
            edges=tuple(a.name for a in info.args_with_derivatives),
            returns=returns,
            saves=saves,
            saves_outputs=tuple(sorted(set(saved_outputs), key=returns.index)),
            aliases=_aliases(f),
        )
        ops[op.name] = op
    for op in sorted(ops.values(), key=lambda op: op.inplace):
        # An in-place overload shares its functional twin's node unless it has its own formula.
        by_node.setdefault(op.node, op)
    view_ops, multi = set(), set()
    for f in functions:
        if f.func.kind() != SchemaKind.functional:
            continue
        for ret in f.func.returns:
            if ret.annotation is None or ret.annotation.is_write:
                continue
            name = str(f.func.name.name)
            # Only an autograd kernel marks its list of views as one multi-output node; a
            # decomposition (tensor_split, hsplit) returns independent views.
            if isinstance(ret.type, ListType) and not f.has_composite_implicit_autograd_kernel:
                multi.add(name)
            else:
                view_ops.add(name)
    view_ops -= multi
    formula_overloads = sum(
        1
        for per_key in infos.values()
        if "Default" in per_key
        and per_key["Default"].has_derivatives
        and not per_key["Default"].func.has_composite_implicit_autograd_kernel
    )
    return AtenTables(
        ops=ops,
        by_node=by_node,
        functions=functions,
        formula_overloads=formula_overloads,
        view_ops=tuple(sorted(view_ops)),
        multi_output_view_ops=tuple(sorted(multi)),
    )


# ---------------------------------------------------------------------------------------------
# Python spellings
# ---------------------------------------------------------------------------------------------


def _caller_kind(kind: str) -> str:
    """Collapse schema kinds to what matters for picking an overload from a call site."""
    if kind in ("scalar", "int", "bool"):
        return "number"
    if kind in ("tensor", "tensor?", "tensors"):
        return kind
    return "other"


@dataclass
class Variant:
    """One way a Python spelling dispatches, with the saved roles in the caller's parameter names."""

    op: str  # aten overload that produces the returned tensor ("alias": returns an argument)
    node: str | None  # its grad_fn class
    params: tuple[str, ...]  # positional parameters; a method's receiver is the first
    kinds: tuple[str, ...]  # per positional parameter: tensor, tensor?, tensors, number, any, other
    required: int
    kwonly: tuple[str, ...]
    inplace: bool  # the call mutates its first argument (receiver) and returns it
    saves: dict[str, tuple[str, ...] | None]
    saved_outputs: tuple[int, ...]  # indices of returned tensors that are saved
    aliases: tuple[str, ...]  # parameters the returned tensor may share its version counter with
    via: str  # "schema": read from the op's schema; "observed": graph of one real call

    def to_json(self) -> dict:
        optional = {
            "kwonly": list(self.kwonly),
            "inplace": self.inplace,
            "saves": {k: None if v is None else list(v) for k, v in sorted(self.saves.items())},
            "saved_outputs": list(self.saved_outputs),
            "aliases": list(self.aliases),
        }
        return {
            "op": self.op,
            "node": self.node,
            "params": list(self.params),
            "kinds": list(self.kinds),
            "required": self.required,
            "via": self.via,
            # Empty and false values are left out: the loader reads them as the defaults.
            **{key: value for key, value in optional.items() if value},
        }


def schema_variant(op: AtenOp, f: NativeFunction) -> Variant:
    return Variant(
        op=op.name,
        node=op.node,
        params=tuple(name for name, _ in op.params),
        kinds=tuple(_caller_kind(kind) for _, kind in op.params),
        required=sum(1 for a in f.func.arguments.flat_positional if a.default is None),
        kwonly=tuple(name for name, _ in op.kwonly),
        inplace=op.inplace,
        saves=dict(op.saves),
        saved_outputs=tuple(op.returns.index(name) for name in op.saves_outputs),
        aliases=op.aliases,
        via="schema",
    )


def _resolve_dotted(path: str) -> Any:
    """The object at a dotted path such as torch._C._nn.elu, or None."""
    module_name, _, attr = path.rpartition(".")
    module: Any = torch
    for part in module_name.split(".")[1:]:
        module = getattr(module, part, None)
        if module is None:
            return None
    return getattr(module, attr, None)


def nondifferentiable_variant(f: NativeFunction) -> Variant:
    """An op with neither a formula nor a decomposition: autograd records no node that saves."""
    positional = f.func.arguments.flat_positional
    return Variant(
        op=str(f.func.name),
        node=None,
        params=tuple(a.name for a in positional),
        kinds=tuple(_caller_kind(_arg_kind(a.type)) for a in positional),
        required=sum(1 for a in positional if a.default is None),
        kwonly=tuple(a.name for a in f.func.arguments.flat_kwarg_only),
        inplace=f.func.kind() == SchemaKind.inplace,
        saves={},
        saved_outputs=(),
        aliases=_aliases(f),
        via="schema",
    )


# ----- observing one call ----------------------------------------------------------------------


@dataclass(frozen=True)
class Grad:
    """A float64 tensor that requires grad (a non-leaf, so in-place spellings are legal)."""

    shape: tuple[int, ...]


@dataclass(frozen=True)
class Plain:
    """A float64 tensor that does not require grad (running stats, constants)."""

    shape: tuple[int, ...]


@dataclass(frozen=True)
class Index:
    values: tuple[int, ...]


TensorSpec = (Grad, Plain, Index)


@dataclass(frozen=True)
class Sample:
    args: tuple[tuple[str, Any], ...]  # positional: (parameter name, spec or Python value)
    kwargs: tuple[tuple[str, Any], ...] = ()


class Unresolved(Exception):
    """The call cannot be described by the saved roles of the data (reason in the message)."""


def _build(spec: Any) -> Any:
    if isinstance(spec, Grad):
        return (0.1 + 0.8 * torch.rand(spec.shape, dtype=torch.float64)).requires_grad_().clone()
    if isinstance(spec, Plain):
        return 0.1 + 0.8 * torch.rand(spec.shape, dtype=torch.float64)
    if isinstance(spec, Index):
        return torch.tensor(spec.values, dtype=torch.int64)
    return spec


def _is_accumulate(node: Any) -> bool:
    return node.name().endswith("AccumulateGrad")


class _Graph:
    """Maps the autograd nodes built by one observed call back to the caller's tensors."""

    def __init__(
        self,
        tables: AtenTables,
        grad_callers: dict[str, torch.Tensor],
        leaf_callers: dict[str, torch.Tensor],
    ):
        self.tables = tables
        self.view_ops = set(tables.view_ops)
        # A non-leaf caller tensor is recognised by the node that produced it before the call;
        # keep those node objects alive so their ids stay unique.
        self._keep = [t.grad_fn for t in grad_callers.values()]
        self.caller_by_node = {id(t.grad_fn): name for name, t in grad_callers.items()}
        self.caller_by_leaf = {id(t): name for name, t in leaf_callers.items()}

    def op_of(self, node: Any) -> AtenOp:
        op = self.tables.by_node.get(node.name())
        if op is None:
            raise Unresolved(f"builds {node.name()}, which has no formula")
        return op

    def is_view(self, node: Any) -> bool:
        return self.op_of(node).name.split(".")[0] in self.view_ops

    def is_caller(self, node: Any) -> bool:
        return id(node) in self.caller_by_node or _is_accumulate(node)

    def caller_of(self, node: Any) -> str | None:
        """The caller tensor an edge reads, directly or through views; None for intermediates."""
        while node is not None:
            if id(node) in self.caller_by_node:
                return self.caller_by_node[id(node)]
            if _is_accumulate(node):
                return self.caller_by_leaf.get(id(node.variable))
            if not self.is_view(node):
                return None
            node = node.next_functions[0][0]
        return None

    def upstream(self, node: Any) -> set[str]:
        """Caller tensors feeding this edge: it requires grad iff one of them does."""
        found: set[str] = set()
        stack, seen = [node], set()
        while stack:
            current = stack.pop()
            if current is None or id(current) in seen:
                continue
            seen.add(id(current))
            if id(current) in self.caller_by_node:
                found.add(self.caller_by_node[id(current)])
            elif _is_accumulate(current):
                name = self.caller_by_leaf.get(id(current.variable))
                found |= {name} if name else set()
            else:
                stack.extend(fn for fn, _ in current.next_functions)
        return found

    def interior(self, roots: Iterable[Any]) -> list[Any]:
        """Nodes the call created: everything between its outputs and the caller's tensors."""
        found, stack, seen = [], list(roots), set()
        while stack:
            node = stack.pop()
            if node is None or id(node) in seen or self.is_caller(node):
                continue
            seen.add(id(node))
            found.append(node)
            stack.extend(fn for fn, _ in node.next_functions)
        return found

    def producer(self, tensor: torch.Tensor) -> tuple[Any, int]:
        """The non-view node (and its output index) whose result this tensor is a view of."""
        node, nr = tensor.grad_fn, tensor.output_nr
        while node is not None and not self.is_caller(node) and self.is_view(node):
            node, nr = node.next_functions[0]
        return node, nr


def _saved_without_edge(
    node: Any, param: str, plain_callers: dict[str, torch.Tensor]
) -> str | None:
    """Which caller tensor a saved argument without a gradient edge (indices, masks, buffers) is."""
    saved = getattr(node, f"_saved_{param}", None)
    for tensor in saved if isinstance(saved, (tuple, list)) else [saved]:
        if not isinstance(tensor, torch.Tensor):
            continue
        for name, given in plain_callers.items():
            if tensor.data_ptr() == given.data_ptr() and tensor.shape == given.shape:
                return name
    return None


def _saved_as_output(tensor: torch.Tensor, nodes: list[Any], graph: _Graph) -> bool:
    """Whether a returned tensor without grad_fn (indices, pivots) is a saved result of a node."""
    for node in nodes:
        for name in graph.op_of(node).saves_outputs:
            saved = getattr(node, f"_saved_{name}", None)
            if (
                isinstance(saved, torch.Tensor)
                and saved.data_ptr() == tensor.data_ptr()
                and saved.shape == tensor.shape
            ):
                return True
    return False


def _merge(saves: dict[str, Any], name: str, guard: tuple[str, ...] | None) -> None:
    merge_guard(saves, name, guard)


def observe(
    tables: AtenTables,
    call: Callable[..., Any],
    sample: Sample,
    extra_callers: dict[str, torch.Tensor] | None = None,
) -> dict[str, Any]:
    """Call once on fresh tensors; say what the graph it built saves, in the caller's names.

    ``extra_callers`` are tensors the callee reads besides its arguments (module parameters and
    buffers), named as the caller would name them.
    """
    torch.manual_seed(0)
    args = [(name, _build(spec)) for name, spec in sample.args]
    kwargs = [(name, _build(spec)) for name, spec in sample.kwargs]
    tensors = {name: v for name, v in args + kwargs if isinstance(v, torch.Tensor)}
    tensors.update(extra_callers or {})
    grad_callers = {n: t for n, t in tensors.items() if t.requires_grad and t.grad_fn is not None}
    leaf_callers = {n: t for n, t in tensors.items() if t.requires_grad and t.grad_fn is None}
    plain_callers = {n: t for n, t in tensors.items() if not t.requires_grad}
    graph = _Graph(tables, grad_callers, leaf_callers)
    versions = {name: t._version for name, t in tensors.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            out = call(*(v for _, v in args), **dict(kwargs))
        except Exception as error:  # noqa: BLE001 - it rejects these inputs: nothing to describe
            raise Unresolved(f"raises on simple inputs ({type(error).__name__})") from None
    outputs = list(out) if isinstance(out, (tuple, list)) else [out]
    if not outputs or not all(isinstance(o, torch.Tensor) for o in outputs):
        raise Unresolved("does not return tensors")
    roots = [o.grad_fn for o in outputs if o.grad_fn is not None]
    if not roots:
        return _nondifferentiable(outputs[0], tensors)
    mutated = [t for name, t in tensors.items() if t._version != versions[name]]
    inplace_nodes = {id(o.grad_fn) for o in outputs if any(o is t for t in mutated)}
    all_grad = set(grad_callers) | set(leaf_callers)
    saves: dict[str, Any] = {}
    for node in graph.interior(roots):
        if graph.is_view(node):
            continue
        op = graph.op_of(node)
        edges = [fn for fn, _ in node.next_functions]
        if len(edges) != len(op.edges):
            raise Unresolved(f"{op.name} takes a list of tensors")
        edge_of = dict(zip(op.edges, edges))
        node_inputs = graph.upstream(node)
        for param, guard in op.saves.items():
            if param == "self" and id(node) in inplace_nodes:
                continue  # the in-place kernel saved a clone, not the caller's tensor
            if edge_of.get(param) is not None:
                caller = graph.caller_of(edge_of[param])
            else:
                caller = _saved_without_edge(node, param, plain_callers)
            if caller is None:
                continue
            if guard is None:
                names = node_inputs  # saved whenever this node is created
            else:
                names = set().union(*(graph.upstream(edge_of.get(p)) for p in guard))
            if not names:
                continue  # the guard can never hold: no caller tensor feeds it
            _merge(saves, caller, None if names >= all_grad else tuple(sorted(names)))
    saved_outputs = []
    interior = [node for node in graph.interior(roots) if not graph.is_view(node)]
    for index, tensor in enumerate(outputs):
        node, nr = graph.producer(tensor)
        if node is not None and not graph.is_caller(node):
            op = graph.op_of(node)
            # A list return (split, unbind) is one name for all of its output slots.
            if op.returns[min(nr, len(op.returns) - 1)] in op.saves_outputs:
                saved_outputs.append(index)
        elif node is None and _saved_as_output(tensor, interior, graph):
            saved_outputs.append(index)
    first = outputs[0]
    main, _ = graph.producer(first)
    if main is not None and not graph.is_caller(main):
        main_op, main_node = graph.op_of(main).name, graph.op_of(main).node
    elif graph.is_caller(first.grad_fn):
        main_op, main_node = "alias", None  # returns a caller tensor itself (nn.Identity)
    else:
        main_op, main_node = graph.op_of(first.grad_fn).name, graph.op_of(first.grad_fn).node
    base = first._base if first._is_view() else first
    aliases = tuple(n for n, t in tensors.items() if t is first or t is base)
    return {
        "op": main_op,
        "node": main_node,
        "inplace": id(first.grad_fn) in inplace_nodes,
        "saves": saves,
        "saved_outputs": tuple(saved_outputs),
        "aliases": aliases,
    }


def _nondifferentiable(first: torch.Tensor, tensors: dict[str, torch.Tensor]) -> dict[str, Any]:
    """No node was recorded although arguments require grad: nothing can be saved."""
    base = first._base if first._is_view() else first
    return {
        "op": "nondifferentiable",
        "node": None,
        "inplace": False,
        "saves": {},
        "saved_outputs": (),
        "aliases": tuple(n for n, t in tensors.items() if t is first or t is base),
    }


def observed_variant(
    tables: AtenTables,
    call: Callable[..., Any],
    sample: Sample,
    params: tuple[str, ...],
    kinds: tuple[str, ...],
    required: int,
    kwonly: tuple[str, ...],
    extra_callers: dict[str, torch.Tensor] | None = None,
) -> Variant:
    # Tensors are named after the spelling's own parameters, whatever the sample called them.
    sample = Sample(
        tuple(
            (params[i] if i < len(params) else name, spec)
            for i, (name, spec) in enumerate(sample.args)
        ),
        sample.kwargs,
    )
    seen = observe(tables, call, sample, extra_callers)
    kinds = list(kinds)
    for position, (_, spec) in enumerate(sample.args):
        if position < len(kinds):
            if isinstance(spec, TensorSpec):
                kinds[position] = "tensor"
            elif isinstance(spec, (bool, int, float)):
                kinds[position] = "number"
            else:
                kinds[position] = "other"
    return Variant(
        params=params, kinds=tuple(kinds), required=required, kwonly=kwonly, via="observed", **seen
    )


# ----- samples -------------------------------------------------------------------------------

SHAPES = ((3,), (2, 3), (3, 3))


def schema_samples(f: NativeFunction) -> list[Sample]:
    """Simple calls of an overload: float tensors, 0.5 for numbers, -1 for a dim, 2 for other
    ints (chunks, sizes, powers; 0 and 1 often take degenerate paths), [-1] for a shape."""
    samples = []
    for shape in SHAPES:
        args = []
        for a in f.func.arguments.flat_positional:
            if a.default is not None:
                break
            kind = _arg_kind(a.type)
            if kind == "tensor":
                args.append((a.name, Grad(shape)))
            elif kind == "scalar":
                args.append((a.name, 0.5))
            elif kind == "int":
                args.append((a.name, -1 if a.name == "dim" else 2))
            elif kind == "list" and _is_int_list(a.type):
                args.append((a.name, (-1,)))
            else:
                return []
        samples.append(Sample(tuple(args)))
    return samples


def _is_int_list(type_: Type) -> bool:
    return isinstance(type_, ListType) and _arg_kind(type_.elem) == "int"


def signature_of(fn: Callable[..., Any]) -> tuple[tuple[str, ...], int, tuple[str, ...]] | None:
    """Positional parameter names, how many are required, keyword-only names (Python functions)."""
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return None
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    required = sum(1 for p in positional if p.default is p.empty)
    kwonly = tuple(p.name for p in parameters if p.kind == p.KEYWORD_ONLY)
    return tuple(p.name for p in positional), required, kwonly


def signature_samples(params: tuple[str, ...], required: int) -> list[Sample]:
    samples = []
    for shape in SHAPES:
        args = tuple((name, -1 if name == "dim" else Grad(shape)) for name in params[:required])
        samples.append(Sample(args))
    return samples


# Calls that need more than tensors of one shape. Positional names follow the function's own
# signature, so they become the spelling's parameter names.
FUNCTION_SAMPLES: dict[str, list[Sample]] = {
    "torch.nn.functional.linear": [
        Sample((("input", Grad((2, 3))), ("weight", Grad((4, 3))), ("bias", Grad((4,))))),
        Sample((("input", Grad((2, 3))), ("weight", Grad((4, 3))))),
    ],
    "torch.nn.functional.bilinear": [
        Sample(
            (
                ("input1", Grad((2, 3))),
                ("input2", Grad((2, 3))),
                ("weight", Grad((4, 3, 3))),
                ("bias", Grad((4,))),
            )
        )
    ],
    "torch.nn.functional.conv1d": [
        Sample((("input", Grad((1, 2, 5))), ("weight", Grad((3, 2, 2))), ("bias", Grad((3,)))))
    ],
    "torch.nn.functional.conv2d": [
        Sample(
            (("input", Grad((1, 2, 4, 4))), ("weight", Grad((3, 2, 2, 2))), ("bias", Grad((3,))))
        )
    ],
    "torch.nn.functional.conv3d": [
        Sample(
            (
                ("input", Grad((1, 2, 3, 3, 3))),
                ("weight", Grad((3, 2, 2, 2, 2))),
                ("bias", Grad((3,))),
            )
        )
    ],
    "torch.nn.functional.conv_transpose1d": [
        Sample((("input", Grad((1, 2, 5))), ("weight", Grad((2, 3, 2))), ("bias", Grad((3,)))))
    ],
    "torch.nn.functional.conv_transpose2d": [
        Sample(
            (("input", Grad((1, 2, 3, 3))), ("weight", Grad((2, 3, 2, 2))), ("bias", Grad((3,))))
        )
    ],
    "torch.nn.functional.batch_norm": [
        Sample(
            (
                ("input", Grad((4, 3))),
                ("running_mean", Plain((3,))),
                ("running_var", Plain((3,))),
                ("weight", Grad((3,))),
                ("bias", Grad((3,))),
                ("training", True),
            )
        )
    ],
    "torch.nn.functional.instance_norm": [
        Sample((("input", Grad((2, 3, 4))),), (("weight", Grad((3,))), ("bias", Grad((3,)))))
    ],
    "torch.nn.functional.layer_norm": [
        Sample(
            (
                ("input", Grad((2, 3))),
                ("normalized_shape", (3,)),
                ("weight", Grad((3,))),
                ("bias", Grad((3,))),
            )
        )
    ],
    "torch.nn.functional.rms_norm": [
        Sample((("input", Grad((2, 3))), ("normalized_shape", (3,)), ("weight", Grad((3,)))))
    ],
    "torch.nn.functional.group_norm": [
        Sample(
            (
                ("input", Grad((2, 4, 3))),
                ("num_groups", 2),
                ("weight", Grad((4,))),
                ("bias", Grad((4,))),
            )
        )
    ],
    "torch.nn.functional.embedding": [
        Sample((("input", Index((1, 0, 2))), ("weight", Grad((5, 3)))))
    ],
    "torch.nn.functional.softmax": [Sample((("input", Grad((2, 3))), ("dim", -1)))],
    "torch.nn.functional.log_softmax": [Sample((("input", Grad((2, 3))), ("dim", -1)))],
    "torch.nn.functional.softmin": [Sample((("input", Grad((2, 3))), ("dim", -1)))],
    "torch.nn.functional.glu": [Sample((("input", Grad((2, 4))),))],
    "torch.nn.functional.prelu": [Sample((("input", Grad((2, 3))), ("weight", Grad((1,)))))],
    "torch.nn.functional.cross_entropy": [
        Sample((("input", Grad((2, 3))), ("target", Index((0, 2)))))
    ],
    "torch.nn.functional.nll_loss": [Sample((("input", Grad((2, 3))), ("target", Index((0, 2)))))],
    "torch.nn.functional.scaled_dot_product_attention": [
        Sample((("query", Grad((1, 2, 3))), ("key", Grad((1, 2, 3))), ("value", Grad((1, 2, 3)))))
    ],
    "torch.matmul": [
        Sample((("input", Grad((2, 3))), ("other", Grad((3, 2))))),
        Sample((("input", Grad((3,))), ("other", Grad((3,))))),
    ],
}

OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "//": operator.floordiv,
    "%": operator.mod,
    "**": operator.pow,
    "@": operator.matmul,
}

# Modules built small and run in training mode (the default). The constructor is called again
# with inplace=True for modules that take that flag.
MODULES: dict[str, tuple[Callable[..., nn.Module], Any]] = {
    "torch.nn.Linear": (lambda **kw: nn.Linear(3, 4, **kw), Grad((2, 3))),
    "torch.nn.Conv1d": (lambda **kw: nn.Conv1d(2, 3, 2, **kw), Grad((1, 2, 5))),
    "torch.nn.Conv2d": (lambda **kw: nn.Conv2d(2, 3, 2, **kw), Grad((1, 2, 4, 4))),
    "torch.nn.Conv3d": (lambda **kw: nn.Conv3d(2, 3, 2, **kw), Grad((1, 2, 3, 3, 3))),
    "torch.nn.ConvTranspose1d": (lambda **kw: nn.ConvTranspose1d(2, 3, 2, **kw), Grad((1, 2, 5))),
    "torch.nn.ConvTranspose2d": (
        lambda **kw: nn.ConvTranspose2d(2, 3, 2, **kw),
        Grad((1, 2, 3, 3)),
    ),
    "torch.nn.BatchNorm1d": (lambda **kw: nn.BatchNorm1d(3, **kw), Grad((4, 3))),
    "torch.nn.BatchNorm2d": (lambda **kw: nn.BatchNorm2d(3, **kw), Grad((2, 3, 2, 2))),
    "torch.nn.BatchNorm3d": (lambda **kw: nn.BatchNorm3d(3, **kw), Grad((2, 3, 2, 2, 2))),
    "torch.nn.LayerNorm": (lambda **kw: nn.LayerNorm(3, **kw), Grad((2, 3))),
    "torch.nn.RMSNorm": (lambda **kw: nn.RMSNorm(3, **kw), Grad((2, 3))),
    "torch.nn.GroupNorm": (lambda **kw: nn.GroupNorm(2, 4, **kw), Grad((2, 4, 3))),
    "torch.nn.InstanceNorm1d": (
        lambda **kw: nn.InstanceNorm1d(3, affine=True, **kw),
        Grad((2, 3, 4)),
    ),
    "torch.nn.InstanceNorm2d": (
        lambda **kw: nn.InstanceNorm2d(3, affine=True, **kw),
        Grad((2, 3, 2, 2)),
    ),
    "torch.nn.Embedding": (lambda **kw: nn.Embedding(5, 3, **kw), Index((1, 0, 2))),
    "torch.nn.Dropout": (lambda **kw: nn.Dropout(0.5, **kw), Grad((2, 3))),
    "torch.nn.Dropout1d": (lambda **kw: nn.Dropout1d(0.5, **kw), Grad((2, 3, 4))),
    "torch.nn.Dropout2d": (lambda **kw: nn.Dropout2d(0.5, **kw), Grad((2, 3, 2, 2))),
    "torch.nn.Dropout3d": (lambda **kw: nn.Dropout3d(0.5, **kw), Grad((2, 3, 2, 2, 2))),
    "torch.nn.AlphaDropout": (lambda **kw: nn.AlphaDropout(0.5, **kw), Grad((2, 3))),
    "torch.nn.Softmax": (lambda **kw: nn.Softmax(dim=-1, **kw), Grad((2, 3))),
    "torch.nn.LogSoftmax": (lambda **kw: nn.LogSoftmax(dim=-1, **kw), Grad((2, 3))),
    "torch.nn.Softmin": (lambda **kw: nn.Softmin(dim=-1, **kw), Grad((2, 3))),
    "torch.nn.GLU": (lambda **kw: nn.GLU(**kw), Grad((2, 4))),
    "torch.nn.Threshold": (lambda **kw: nn.Threshold(0.5, 0.0, **kw), Grad((2, 3))),
    "torch.nn.PReLU": (lambda **kw: nn.PReLU(**kw), Grad((2, 3))),
    **{
        f"torch.nn.{name}": (getattr(nn, name), Grad((2, 3)))
        for name in [
            "CELU",
            "ELU",
            "GELU",
            "Hardshrink",
            "Hardsigmoid",
            "Hardswish",
            "Hardtanh",
            "Identity",
            "LeakyReLU",
            "LogSigmoid",
            "Mish",
            "RReLU",
            "ReLU",
            "ReLU6",
            "SELU",
            "SiLU",
            "Sigmoid",
            "Softplus",
            "Softshrink",
            "Softsign",
            "Tanh",
            "Tanhshrink",
            "Flatten",
        ]
    },
}


# ----- enumerating spellings -------------------------------------------------------------------


@dataclass
class Spellings:
    variants: dict[str, dict[str, list[Variant]]]  # kind -> name -> variants
    unresolved: dict[str, dict[str, str]]  # kind -> name -> why there is no variant

    def add(self, kind: str, name: str, variants: list[Variant], reasons: list[str]) -> None:
        unique: dict[str, Variant] = {}
        for variant in variants:
            unique.setdefault(json.dumps(variant.to_json(), sort_keys=True), variant)
        if unique:
            self.variants.setdefault(kind, {})[name] = list(unique.values())
        else:
            self.unresolved.setdefault(kind, {})[name] = (
                min(set(reasons)) if reasons else "no simple call to observe"
            )


def _natives_by_name(tables: AtenTables) -> dict[tuple[str | None, str, str], list[NativeFunction]]:
    """(python module, Python name, "method"|"function") -> overloads with a Python binding."""
    grouped: dict[tuple[str | None, str, str], list[NativeFunction]] = {}
    for f in tables.functions:
        if f.func.kind() not in (SchemaKind.functional, SchemaKind.inplace):
            continue
        if f.python_module not in _PY_MODULES or "generated" in f.tags:
            continue
        name = str(f.func.name.name)
        prefix = _PY_MODULES[f.python_module][2]
        if prefix:
            if not name.startswith(prefix):
                continue
            name = name[len(prefix) :]
        if name.startswith("_"):
            continue
        if f.python_module is None and FunctionVariant.method in f.variants:
            grouped.setdefault((None, name, "method"), []).append(f)
        if f.python_module is not None or FunctionVariant.function in f.variants:
            grouped.setdefault((f.python_module, name, "function"), []).append(f)
    return grouped


def _native_variants(
    tables: AtenTables,
    overloads: list[NativeFunction],
    bound: bool,
    call: Callable[..., Any],
    samples_override: list[Sample] | None,
) -> tuple[list[Variant], list[str]]:
    """Variants for a spelling whose overloads are native functions."""
    variants, reasons = [], []
    for f in overloads:
        op = tables.ops.get(str(f.func.name))
        generated_binding = bound and should_generate_py_binding(f)
        if generated_binding and op is not None:
            variants.append(schema_variant(op, f))
            continue
        if generated_binding and not f.has_composite_implicit_autograd_kernel:
            variants.append(nondifferentiable_variant(f))
            continue
        params = tuple(a.name for a in f.func.arguments.flat_positional)
        kinds = tuple(_caller_kind(_arg_kind(a.type)) for a in f.func.arguments.flat_positional)
        required = sum(1 for a in f.func.arguments.flat_positional if a.default is None)
        kwonly = tuple(a.name for a in f.func.arguments.flat_kwarg_only)
        found, why = _first_observation(
            tables, call, samples_override or schema_samples(f), params, kinds, required, kwonly
        )
        variants += found
        reasons += why
    return variants, reasons


def _first_observation(
    tables: AtenTables,
    call: Callable[..., Any],
    samples: list[Sample],
    params: tuple[str, ...],
    kinds: tuple[str, ...],
    required: int,
    kwonly: tuple[str, ...],
    extra: Callable[[], dict] | None = None,
) -> tuple[list[Variant], list[str]]:
    """Observe the first sample of each distinct argument pattern that the call accepts."""
    variants, reasons, done = [], [], set()
    for sample in samples:
        pattern = tuple((name, type(spec).__name__) for name, spec in sample.args + sample.kwargs)
        if pattern in done:
            continue
        try:
            variants.append(
                observed_variant(
                    tables,
                    call,
                    sample,
                    params,
                    kinds,
                    required,
                    kwonly,
                    extra() if extra else None,
                )
            )
            done.add(pattern)
        except Unresolved as why:
            reasons.append(str(why))
    if not samples:
        reasons.append("needs arguments other than tensors and numbers")
    return variants, reasons


def _call_method(name: str) -> Callable[..., Any]:
    return lambda receiver, *args, **kwargs: getattr(receiver, name)(*args, **kwargs)


def collect_spellings(tables: AtenTables) -> Spellings:
    spellings = Spellings({}, {})
    natives = _natives_by_name(tables)
    for (module, name, kind), overloads in sorted(
        natives.items(), key=lambda kv: (kv[0][0] or "", kv[0][1], kv[0][2])
    ):
        if kind == "method":
            obj = getattr(torch.Tensor, name, None)
            bound = obj is not None and obj is getattr(torch._C.TensorBase, name, None)
            qualified, call = name, _call_method(name)
        else:
            public, binding_module, _ = _PY_MODULES[module]
            obj = _resolve_dotted(f"{public}.{name}")
            raw = _PY_MODULES[module][2] + name
            bound = obj is not None and obj is _resolve_dotted(f"{binding_module}.{raw}")
            qualified, call = f"{public}.{name}", obj
        if obj is None:
            continue
        if module == "nn" and not bound:
            continue  # F.<name> is a Python wrapper: handled with the other F functions
        override = FUNCTION_SAMPLES.get(qualified)
        variants, reasons = _native_variants(tables, overloads, bound, call, override)
        spellings.add(kind if kind == "method" else "function", qualified, variants, reasons)
    _collect_functional(tables, spellings, natives)
    _collect_operators(tables, spellings)
    _collect_modules(tables, spellings)
    return spellings


def _collect_functional(
    tables: AtenTables,
    spellings: Spellings,
    natives: dict[tuple[str | None, str, str], list[NativeFunction]],
) -> None:
    """torch.nn.functional: builtins re-exported from torch or torch._C._nn, and Python wrappers."""
    for name in sorted(dir(F)):
        qualified = f"torch.nn.functional.{name}"
        obj = getattr(F, name)
        if name.startswith("_") or qualified in spellings.variants.get("function", {}):
            continue
        is_builtin = type(obj).__name__ == "builtin_function_or_method"
        if is_builtin:
            for module in ("nn", None):
                overloads = natives.get((module, name, "function"))
                binding = _resolve_dotted(f"{_PY_MODULES[module][1]}.{name}")
                if overloads and obj is binding:
                    variants, reasons = _native_variants(
                        tables, overloads, True, obj, FUNCTION_SAMPLES.get(qualified)
                    )
                    spellings.add("function", qualified, variants, reasons)
                    break
            continue
        if not inspect.isfunction(obj) or obj.__module__ != F.__name__:
            continue
        signature = signature_of(obj)
        if signature is None:
            continue
        params, required, kwonly = signature
        samples = FUNCTION_SAMPLES.get(qualified) or signature_samples(params, required)
        kinds = tuple("any" for _ in params)
        variants, reasons = _first_observation(
            tables, obj, samples, params, kinds, required, kwonly
        )
        if "inplace" in params or "inplace" in kwonly:
            inplace_samples = [Sample(s.args, s.kwargs + (("inplace", True),)) for s in samples]
            more, why = _first_observation(
                tables, obj, inplace_samples, params, kinds, required, kwonly
            )
            variants += [v for v in more if v.inplace]
            reasons += why
        spellings.add("function", qualified, variants, reasons)


def _collect_operators(tables: AtenTables, spellings: Spellings) -> None:
    params, kinds = ("left", "right"), ("any", "any")
    for symbol, fn in OPERATORS.items():
        samples = [
            Sample((("left", Grad(shape)), ("right", right)))
            for shape in SHAPES
            for right in (Grad(shape), 0.5)
        ] + [Sample((("left", 0.5), ("right", Grad(shape)))) for shape in SHAPES]
        variants, reasons = _first_observation(tables, fn, samples, params, kinds, 2, ())
        spellings.add("operator", symbol, variants, reasons)


def _collect_modules(tables: AtenTables, spellings: Spellings) -> None:
    for qualified, (factory, input_spec) in MODULES.items():
        flags = [False]
        cls = _resolve_dotted(qualified)
        if "inplace" in inspect.signature(cls).parameters:
            flags.append(True)
        variants, reasons = [], []
        for inplace in flags:
            torch.manual_seed(0)
            module = factory(inplace=True) if inplace else factory()
            module = module.double()
            extra = lambda module=module: {
                **dict(module.named_parameters()),
                **dict(module.named_buffers()),
            }
            found, why = _first_observation(
                tables,
                module,
                [Sample((("input", input_spec),))],
                ("input",),
                ("tensor",),
                1,
                (),
                extra,
            )
            variants += [v for v in found if v.inplace == inplace or not inplace]
            reasons += why
        spellings.add("module", qualified, variants, reasons)


# ---------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------


def _multi_output_spellings(tables: AtenTables, spellings: Spellings) -> set[str]:
    """Short names of spellings whose call ends in a multi-output view op (chunk -> split)."""
    multi = set(tables.multi_output_view_ops)
    names = set()
    for kind in ("method", "function"):
        for name, variants in spellings.variants.get(kind, {}).items():
            if kind == "function" and name.rpartition(".")[0] != "torch":
                continue
            if any(v.op.split(".")[0] in multi and v.aliases for v in variants):
                names.add(name.rpartition(".")[2])
    return names | multi


def build_data() -> dict:
    tables = load_aten_tables()
    spellings = collect_spellings(tables)
    variants = spellings.variants
    multi_output = _multi_output_spellings(tables, spellings)
    return {
        "format": FORMAT_VERSION,
        "torch_version": torch.__version__,
        "generated_by": "tools/generate_saved_tensors.py",
        "counts": {
            "overloads_with_formulas": tables.formula_overloads,
            "ops": len(tables.ops),
            **{f"{kind}_spellings": len(names) for kind, names in sorted(variants.items())},
            **{
                f"{kind}_unresolved": len(names)
                for kind, names in sorted(spellings.unresolved.items())
            },
        },
        "ops": {name: op.to_json() for name, op in sorted(tables.ops.items())},
        "view_ops": sorted(set(tables.view_ops) - multi_output),
        "multi_output_view_ops": sorted(multi_output),
        "spellings": {
            kind: {name: [v.to_json() for v in vs] for name, vs in sorted(names.items())}
            for kind, names in sorted(variants.items())
        },
        "unresolved": {
            kind: dict(sorted(names.items()))
            for kind, names in sorted(spellings.unresolved.items())
        },
    }


def render(data: dict) -> str:
    """Sorted JSON with one line per op and per spelling, so a diff names what changed."""

    def dump(value: Any) -> str:
        return json.dumps(value, sort_keys=True, separators=(",", ":"))

    def block(mapping: dict, indent: str) -> str:
        lines = [f"{indent}{dump(key)}:{dump(value)}" for key, value in sorted(mapping.items())]
        return "{\n" + ",\n".join(lines) + "\n" + indent[:-1] + "}"

    parts = []
    for key, value in sorted(data.items()):
        if key in ("ops", "unresolved_", "counts"):
            parts.append(f" {dump(key)}:{block(value, '  ')}")
        elif key in ("spellings", "unresolved"):
            inner = [
                f"  {dump(kind)}:{block(names, '   ')}" for kind, names in sorted(value.items())
            ]
            parts.append(f" {dump(key)}:{{\n" + ",\n".join(inner) + "\n }")
        else:
            parts.append(f" {dump(key)}:{dump(value)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--check",
        action="store_true",
        help="exit 1 with a diff if the checked-in file is out of date",
    )
    group.add_argument("--stdout", action="store_true", help="print instead of writing")
    options = parser.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    text = render(build_data())
    if options.stdout:
        sys.stdout.write(text)
        return 0
    if options.check:
        current = OUTPUT.read_text() if OUTPUT.exists() else ""
        if current == text:
            return 0
        sys.stdout.writelines(
            difflib.unified_diff(
                current.splitlines(True), text.splitlines(True), str(OUTPUT), "regenerated"
            )
        )
        return 1
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
