"""Generate ``inplace_fixer/data/torch_ops.json``: the torch facts the static analysis reads.

The analysis must not import torch (start-up time), so everything it needs to know about torch
ops is computed here, once, from the installed torch and the ``torchgen`` package shipped in the
same wheel, and checked in. ``tests/test_torch_data.py`` regenerates it and fails on any drift.

Usage::

    python tools/generate_torch_data.py           # rewrite the JSON
    python tools/generate_torch_data.py --check   # exit 1 if the checked-in JSON is stale

Sources, in order of trust:

* ``native_functions.yaml`` and ``tags.yaml`` parsed by ``torchgen.gen.parse_native_yaml``: op
  schemas (argument and return types, alias annotations such as ``Tensor(a!)``), variants
  (function / method) and tags.
* torch's own lists of view functions (``VIEW_FUNCTIONS`` in
  ``torchgen/packaged/autograd/gen_inplace_or_view_type.py``).
* Python introspection: ``dir``, ``inspect.signature``, PEP 484 return annotations, TorchScript
  type comments (``torch.jit.annotations.get_signature``), ``boolean_dispatch`` branches, and
  the ``name(...) -> Type`` first lines of torch docstrings.
* Probes: calling an op on a small tensor at generation time when no schema says the answer.

How each section is derived:

``tensor_inplace_methods`` -- public ``torch.Tensor`` attributes ending in ``_``. Kind, first
rule that matches wins:

1. ``random``: the op carries the ``nondeterministic_seeded`` tag.
2. ``not-value``: the method is not an ATen op at all (absent from native_functions.yaml:
   ``apply_``, ``map_``, ``map2_`` run Python callables, ``share_memory_`` moves storage), or it
   is in ``_NOT_VALUE_METHODS`` (hand-written, see there).
3. ``metadata``: the op carries the ``inplace_view`` tag (it changes sizes/strides only).
4. ``comparison`` / ``logical``: probe -- the out-of-place method called on a float tensor
   returns ``torch.bool``. ``logical`` when, in addition, the in-place call on a non-leaf leaves
   ``grad_fn`` untouched (autograd does not record it); ``comparison`` when it is recorded.
5. ``fill``: no out-of-place ``Tensor`` method of the same name (``zero_``, ``copy_``, ...).
6. ``value``: everything else, which has an exact out-of-place counterpart.

``torch_functions`` -- return kind of every public callable in ``torch``, ``torch.nn.functional``,
``torch.linalg``, ``torch.special`` and ``torch.fft``: ``tensor``, ``tensors`` (tuple or list of
tensors), ``mixed`` (overloads or flag-dependent branches disagree), ``other`` (not a tensor).
Unknown functions are left out. For ATen builtins the schemas decide (the functional overloads
with the builtin's ``__name__``; ``out=`` overloads are the IPF005 rule's business); for Python
functions the ``boolean_dispatch`` branches, then the PEP 484
annotation, then TorchScript type comments, then the docstring; classes are ``tensor`` when they
subclass ``torch.Tensor`` and ``other`` otherwise. ``torch.nn.Parameter``/``Buffer`` (tensor
subclasses in ``torch.nn``) are included too.

``factory_functions`` -- torchgen's own factory rule (``torchgen.api.python``) holding for every
functional overload: it returns a tensor and has no tensor argument (or ``category_override:
factory``), or it is a ``*_like``/``new_*`` op (torchgen recognises those by name). So
``torch.normal`` is out (``normal(mean_tensor, std)``). Plus ``_HAND_BOUND_FACTORIES``.

``tensor_methods`` -- return kind of public ``Tensor`` methods not ending in ``_``: schemas of the
method variants, else annotations / type comments / docstrings as above (a docstring that only
says "See :func:`torch.x`" borrows ``torch.x``'s kind); operator dunders and ``__len__`` by probe.

``view_methods`` (``Tensor`` methods and properties) / ``view_functions`` (builtins such as
``torch.transpose``) -- from alias annotations: an op whose return is annotated
with self's alias set (``Tensor(a) self -> Tensor(a)``). ``multi_view`` when it returns a list
(``chunk``, ``split``, ``unbind``); ``view`` when torch lists it in ``VIEW_FUNCTIONS`` and it has
a real view kernel; ``may_alias`` otherwise (composite ops such as ``reshape``, ``flatten``,
``contiguous``, ``to`` return a view or a copy). ``__getitem__`` by probe (basic indexing views,
advanced indexing copies).

``functional_inplace_param`` / ``modules_inplace_param`` -- ``inspect.signature`` of
``torch.nn.functional`` functions and of ``torch.nn`` module ``__init__``; ``honours_inplace`` is
whether ``forward``'s source reads ``self.inplace``.
"""

from __future__ import annotations

import argparse
import difflib
import functools
import inspect
import json
import operator
import re
import sys
import types
import typing
import warnings
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import torch
import torch.nn.functional
import torchgen
from torch._jit_internal import boolean_dispatched
from torch.jit.annotations import get_signature
from torchgen.gen import parse_native_yaml
from torchgen.model import NativeFunction, SchemaKind
from torchgen.packaged.autograd.gen_inplace_or_view_type import VIEW_FUNCTIONS

REPO_ROOT = Path(__file__).resolve().parents[1]
OUTPUT_PATH = REPO_ROOT / "inplace_fixer" / "data" / "torch_ops.json"
REGENERATE_COMMAND = "python tools/generate_torch_data.py"

# Hand-written: torch has no machine-readable marker for "this changes storage, size or autograd
# flags rather than values". Each is an ATen op whose schema looks like any other in-place op
# (``Tensor(a!) self -> Tensor(a!)``), yet rewriting it as ``x = x.op()`` is meaningless:
# ``detach_``/``requires_grad_`` change autograd state, ``set_`` swaps storage, the resize ops
# reallocate (their ``Tensor.resize``/``resize_as`` counterparts are deprecated wrappers).
_NOT_VALUE_METHODS = frozenset(
    {
        "detach_",
        "requires_grad_",
        "resize_",
        "resize_as_",
        "resize_as_sparse_",
        "set_",
        "sparse_resize_",
        "sparse_resize_and_clear_",
    }
)

# Hand-written: these constructors are bound by hand in torch/csrc (no schema), so torch cannot
# say that they take no tensor input. Each always returns a new tensor. ``torch.as_tensor`` and
# ``torch.asarray`` are deliberately absent: given a tensor they may return it unchanged.
_HAND_BOUND_FACTORIES = frozenset({"torch.tensor", "torch.from_numpy", "torch.frombuffer"})

# Hand-written: ``Tensor.T``/``Tensor.H`` are properties bound by hand to these ATen ops.
_PROPERTY_OPS = {"T": "numpy_T", "H": "matrix_H"}

_NAMESPACES: tuple[tuple[str, types.ModuleType], ...] = (
    ("torch", torch),
    ("torch.nn.functional", torch.nn.functional),
    ("torch.linalg", torch.linalg),
    ("torch.special", torch.special),
    ("torch.fft", torch.fft),
)

TENSOR, TENSORS, MIXED, OTHER = "tensor", "tensors", "mixed", "other"

# What an op raises when a probe's arguments do not fit it; anything else is a bug here.
_PROBE_ERRORS = (RuntimeError, TypeError, ValueError, IndexError, NotImplementedError)


# --------------------------------------------------------------------------------------------
# Schema access


@functools.cache
def native_functions() -> tuple[NativeFunction, ...]:
    native_dir = Path(torchgen.__file__).parent / "packaged" / "ATen" / "native"
    parsed = parse_native_yaml(
        str(native_dir / "native_functions.yaml"),
        str(native_dir / "tags.yaml"),
        # The generated functional variants of in-place-only ops are not Python-visible.
        skip_native_fns_gen=True,
    )
    return tuple(parsed.native_functions)


@functools.cache
def ops_by_name() -> dict[str, tuple[NativeFunction, ...]]:
    """Overloads keyed by the Python-visible op name, ``add`` / ``add_`` / ``linalg_norm``."""
    grouped: dict[str, list[NativeFunction]] = {}
    for function in native_functions():
        grouped.setdefault(str(function.func.name.name), []).append(function)
    return {name: tuple(overloads) for name, overloads in grouped.items()}


def _is_tensor_type(type_) -> bool:
    return type_.is_tensor_like() and not type_.is_list_like()


def _schema_return_kind(function: NativeFunction) -> str:
    returns = function.func.returns
    if len(returns) == 1:
        type_ = returns[0].type
        if type_.is_list_like() and type_.is_tensor_like():
            return TENSORS
        return TENSOR if _is_tensor_type(type_) else OTHER
    if returns and all(_is_tensor_type(r.type) for r in returns):
        return TENSORS
    return OTHER


def combine_kinds(kinds: Iterable[str | None]) -> str | None:
    """One kind for several overloads: unknown if any is unknown, ``mixed`` if they disagree."""
    distinct = set(kinds)
    if not distinct or None in distinct:
        return None
    return distinct.pop() if len(distinct) == 1 else MIXED


def _functional_first(overloads: Iterable[NativeFunction]) -> list[NativeFunction]:
    """The functional overloads; ``out=`` overloads are a separate concern (the IPF005 rule)."""
    overloads = list(overloads)
    functional = [f for f in overloads if f.func.kind() == SchemaKind.functional]
    return functional or overloads


def schema_return_kind(overloads: Iterable[NativeFunction]) -> str | None:
    return combine_kinds(_schema_return_kind(f) for f in _functional_first(overloads))


def _is_factory_overload(function: NativeFunction) -> bool:
    """torchgen's rule from ``torchgen.api.python.signature_from_schema``."""
    func = function.func
    has_tensor_input = any(a.type.is_tensor_like() for a in func.arguments.flat_non_out)
    has_tensor_return = any(r.type.is_tensor_like() for r in func.returns)
    base = func.name.name.base
    if function.category_override == "factory" or (has_tensor_return and not has_tensor_input):
        return True
    return has_tensor_return and (base.startswith("new_") or base.endswith("_like"))


def is_schema_factory(overloads: Iterable[NativeFunction]) -> bool:
    """Every overload creates a tensor (``torch.normal(mean_tensor, std)`` does not)."""
    overloads = _functional_first(overloads)
    return bool(overloads) and all(_is_factory_overload(f) for f in overloads)


def _aliases_self(function: NativeFunction) -> bool:
    arguments = function.func.schema_order_arguments()
    first = next(iter(arguments), None)
    if first is None or first.annotation is None or first.annotation.is_write:
        return False
    self_aliases = set(first.annotation.alias_set)
    return any(
        r.annotation is not None
        and not r.annotation.is_write
        and set(r.annotation.alias_set) <= self_aliases
        for r in function.func.returns
    )


def schema_view_kind(overloads: Iterable[NativeFunction]) -> str | None:
    overloads = [f for f in overloads if f.func.kind() == SchemaKind.functional]
    aliasing = [f for f in overloads if _aliases_self(f)]
    if not aliasing:
        return None
    if any(r.type.is_list_like() for f in aliasing for r in f.func.returns):
        return "multi_view"
    always_views = len(aliasing) == len(overloads)
    has_view_kernel = not any(f.has_composite_implicit_autograd_kernel for f in aliasing)
    name = str(aliasing[0].func.name.name.base)
    if always_views and has_view_kernel and name in VIEW_FUNCTIONS:
        return "view"
    return "may_alias"


# --------------------------------------------------------------------------------------------
# Python-level return kinds


def _annotation_kind(annotation) -> str | None:
    if annotation is None or annotation is type(None):
        return OTHER
    if annotation is typing.Any or isinstance(annotation, (typing.TypeVar, str, typing.ForwardRef)):
        return None
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        return combine_kinds(_annotation_kind(a) for a in arguments)
    if origin in (tuple, list):
        elements = [a for a in arguments if a is not Ellipsis]
        element_kinds = {_annotation_kind(a) for a in elements}
        if elements and element_kinds <= {TENSOR, MIXED} and TENSOR in element_kinds:
            return TENSORS
        return OTHER if None not in element_kinds else None
    if origin is not None:
        # TypeIs[...], Callable[...], dict[...]: a bool, a function, a container; not a tensor.
        return OTHER
    if inspect.isclass(annotation):
        return TENSOR if issubclass(annotation, torch.Tensor) else OTHER
    return None


def _pep484_kind(function: Callable) -> str | None:
    try:
        hints = typing.get_type_hints(function)
    except (NameError, TypeError, AttributeError):  # torch's annotation does not resolve: unknown
        return None
    if "return" not in hints:
        return None
    return _annotation_kind(hints["return"])


def _torchscript_type_kind(type_) -> str | None:
    kind = type_.kind()
    if kind == "TensorType":
        return TENSOR
    if kind == "TupleType":
        elements = {_torchscript_type_kind(e) for e in type_.elements()}
        return TENSORS if elements == {TENSOR} else OTHER
    if kind == "ListType":
        return TENSORS if _torchscript_type_kind(type_.getElementType()) == TENSOR else OTHER
    if kind == "OptionalType":
        return MIXED if _torchscript_type_kind(type_.getElementType()) == TENSOR else OTHER
    if kind in ("AnyType", "UnionType"):
        return None
    return OTHER


def _type_comment_kind(function: Callable) -> str | None:
    try:
        signature = get_signature(function, None, None, False)
    except Exception:  # noqa: BLE001 -- TorchScript's parser raises assorted errors: unknown
        return None
    if signature is None:
        return None
    return _torchscript_type_kind(signature[1])


_DOC_SIGNATURE = re.compile(r"^(?:\.\. function:: )?([\w.]+)\(.*\)\s*->\s*(.+?)\s*(?:#.*)?$")


def _doc_type_kind(text: str) -> str | None:
    text = text.strip().rstrip(".").strip()
    if " or " in text:
        return combine_kinds(_doc_type_kind(part) for part in text.split(" or "))
    text = text.strip("()") if text.startswith("(") and text.endswith(")") else text
    if "Tensor" not in text:
        return OTHER
    if re.fullmatch(r"\w*Tensor", text):
        return TENSOR
    words = text.replace("[", " ").replace("]", " ").replace(",", " ").split()
    words = [w for w in words if w not in ("...", "of", "tuple", "list", "List", "Tuple")]
    if words and all(re.fullmatch(r"\w*Tensors?", w) for w in words):
        return TENSORS
    return None


def _docstring_kind(function: Callable, short_name: str) -> str | None:
    kinds = []
    for line in (function.__doc__ or "").splitlines():
        match = _DOC_SIGNATURE.match(line.strip())
        if match and match.group(1).split(".")[-1] == short_name:
            kinds.append(_doc_type_kind(match.group(2)))
    return combine_kinds(kinds) if kinds else None


def python_function_kind(function: Callable, short_name: str) -> str | None:
    branches = boolean_dispatched.get(function)
    if branches is not None:
        return combine_kinds(
            python_function_kind(branches[key], short_name) for key in ("if_true", "if_false")
        )
    for kind in (_pep484_kind(function), _type_comment_kind(function)):
        if kind is not None:
            return kind
    return _docstring_kind(function, short_name)


# --------------------------------------------------------------------------------------------
# Enumerating public names


def _is_public(name: str) -> bool:
    return not name.startswith("_")


def is_plain_callable(value) -> bool:
    """Callable, but not a module, a class or a property (``torch.random`` is a module)."""
    return (
        callable(value) and not isinstance(value, types.ModuleType) and not inspect.isclass(value)
    )


def _tensor_attribute(name: str):
    static = inspect.getattr_static(torch.Tensor, name, None)
    if isinstance(static, (property, types.GetSetDescriptorType, types.MemberDescriptorType)):
        return None
    return getattr(torch.Tensor, name, None)


def tensor_method_exists(name: str) -> bool:
    return is_plain_callable(_tensor_attribute(name))


def torch_function_exists(name: str, module: types.ModuleType = torch) -> bool:
    return is_plain_callable(getattr(module, name, None))


def public_inplace_method_names() -> list[str]:
    return sorted(
        n
        for n in dir(torch.Tensor)
        if _is_public(n) and n.endswith("_") and tensor_method_exists(n)
    )


def _namespace_members(module_name: str, module: types.ModuleType) -> Iterator[tuple[str, object]]:
    for name in sorted(dir(module)):
        if not _is_public(name):
            continue
        value = getattr(module, name)
        if isinstance(value, types.ModuleType) or not callable(value):
            continue
        if isinstance(value, types.BuiltinFunctionType):
            yield name, value
        elif inspect.isclass(value):
            # Sub-namespaces only re-export typing helpers and torch.Tensor.
            if module is torch:
                yield name, value
        elif inspect.isfunction(value):
            owner = getattr(value, "__module__", "") or ""
            # torch.nn.functional imports helpers (boolean_dispatch, handle_torch_function):
            # keep only what the namespace defines itself.
            if owner.startswith("torch") and (module is torch or owner == module_name):
                yield name, value


# --------------------------------------------------------------------------------------------
# Probes


def _probe_tensor() -> torch.Tensor:
    return torch.linspace(0.1, 0.9, 6).reshape(2, 3)


def _first_successful_call(function: Callable, candidate_arguments: Iterable[tuple]):
    for arguments in candidate_arguments:
        try:
            return True, arguments, function(*arguments)
        except _PROBE_ERRORS:
            continue
    return False, None, None


def _boolean_out_of_place_arguments(name: str) -> tuple | None:
    """Arguments with which ``Tensor.<name>`` runs on a float tensor and returns ``torch.bool``."""
    if not tensor_method_exists(name):
        return None
    self_tensor = _probe_tensor()
    candidates = [(), (self_tensor.flip(0),)]
    ok, arguments, result = _first_successful_call(getattr(self_tensor, name), candidates)
    if ok and isinstance(result, torch.Tensor) and result.dtype == torch.bool:
        return arguments
    return None


def _recorded_by_autograd(inplace_name: str, arguments: tuple) -> bool:
    leaf = _probe_tensor().requires_grad_()
    non_leaf = leaf * 1
    before = non_leaf.grad_fn
    getattr(non_leaf, inplace_name)(*arguments)
    return non_leaf.grad_fn is not before


def _probe_kind(call: Callable[[], object]) -> str | None:
    try:
        result = call()
    except _PROBE_ERRORS:
        return None
    if isinstance(result, torch.Tensor):
        return TENSOR
    if (
        isinstance(result, (tuple, list))
        and result
        and all(isinstance(r, torch.Tensor) for r in result)
    ):
        return TENSORS
    return OTHER


def _operator_dunder_kinds() -> dict[str, str]:
    """Operator dunders (the ones Python's ``operator`` module names) probed on real tensors."""
    kinds: dict[str, str] = {}
    statements = {"__setitem__", "__delitem__"}  # statements, not expressions: no value
    samples = (
        _probe_tensor,
        lambda: torch.arange(6).reshape(2, 3),
        lambda: torch.tensor([3]),
    )
    for name in sorted(n for n in dir(operator) if n.startswith("__") and n.endswith("__")):
        if name in statements or not tensor_method_exists(name):
            continue
        arity = len(inspect.signature(getattr(operator, name)).parameters)
        for make in samples:
            operands = (make(),) if arity == 1 else (make(), make())
            kind = _probe_kind(functools.partial(getattr(operator, name), *operands))
            if kind is not None:
                kinds[name] = kind
                break
    kinds["__len__"] = _probe_kind(lambda: len(_probe_tensor()))
    kinds["__getitem__"] = _probe_kind(lambda: _probe_tensor()[0])
    return kinds


def _getitem_view_kind() -> str | None:
    base = _probe_tensor()
    basic, advanced = base[0], base[[0]]
    storage = base.untyped_storage().data_ptr()
    shares = [t.untyped_storage().data_ptr() == storage for t in (basic, advanced)]
    if all(shares):
        return "view"
    return "may_alias" if any(shares) else None


# --------------------------------------------------------------------------------------------
# Sections


def tensor_inplace_methods() -> dict[str, dict]:
    ops = ops_by_name()
    known_methods = set(public_inplace_method_names())
    stale = _NOT_VALUE_METHODS - known_methods
    if stale:
        raise SystemExit(f"_NOT_VALUE_METHODS names no longer on torch.Tensor: {sorted(stale)}")
    methods = {}
    for name in sorted(known_methods):
        base = name[:-1]
        overloads = ops.get(name, ())
        tags = set().union(*(f.tags for f in overloads)) if overloads else set()
        out_of_place = base if tensor_method_exists(base) else None
        if "nondeterministic_seeded" in tags:
            kind = "random"
        elif not overloads or name in _NOT_VALUE_METHODS:
            kind = "not-value"
        elif "inplace_view" in tags:
            kind = "metadata"
        elif (boolean_arguments := _boolean_out_of_place_arguments(base)) is not None:
            kind = "comparison" if _recorded_by_autograd(name, boolean_arguments) else "logical"
        elif out_of_place is None:
            kind = "fill"
        else:
            kind = "value"
        methods[name] = {
            "kind": kind,
            "out_of_place": out_of_place,
            "torch_out_of_place": base if torch_function_exists(base) else None,
        }
    return methods


def _out_of_place_in(base: str, namespaces: Iterable[tuple[str, types.ModuleType]]) -> str | None:
    for module_name, module in namespaces:
        if torch_function_exists(base, module):
            return f"{module_name}.{base}"
    return None


def torch_inplace_functions() -> dict[str, dict]:
    lookup = (("torch", torch), ("torch.nn.functional", torch.nn.functional))
    return {
        f"torch.{name}": {"out_of_place": _out_of_place_in(name[:-1], lookup)}
        for name in sorted(dir(torch))
        if _is_public(name) and name.endswith("_") and torch_function_exists(name)
    }


def functional_inplace_functions() -> dict[str, dict]:
    functional = torch.nn.functional
    lookup = (("torch.nn.functional", functional),)
    return {
        f"torch.nn.functional.{name}": {"out_of_place": _out_of_place_in(name[:-1], lookup)}
        for name in sorted(dir(functional))
        if _is_public(name)
        and name.endswith("_")
        and not name.endswith("__")
        and torch_function_exists(name, functional)
    }


def _positional_index(signature: inspect.Signature, parameter: str, skip_self: bool) -> int | None:
    positional = [
        p.name
        for p in signature.parameters.values()
        if p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    ]
    if skip_self:
        positional = positional[1:]
    return positional.index(parameter) if parameter in positional else None


def functional_inplace_param() -> dict[str, dict]:
    functional = torch.nn.functional
    result = {}
    for name in sorted(dir(functional)):
        value = getattr(functional, name)
        if not _is_public(name) or not inspect.isfunction(value):
            continue
        signature = inspect.signature(value)
        if "inplace" in signature.parameters:
            result[f"torch.nn.functional.{name}"] = {
                "inplace_position": _positional_index(signature, "inplace", skip_self=False)
            }
    return result


def nn_module_classes() -> dict[str, type]:
    return {
        name: value
        for name in sorted(dir(torch.nn))
        if _is_public(name)
        and inspect.isclass(value := getattr(torch.nn, name))
        and issubclass(value, torch.nn.Module)
    }


def modules_inplace_param() -> dict[str, dict]:
    result = {}
    for name, cls in nn_module_classes().items():
        signature = inspect.signature(cls.__init__)
        if "inplace" not in signature.parameters:
            continue
        result[f"torch.nn.{name}"] = {
            "inplace_position": _positional_index(signature, "inplace", skip_self=True),
            "honours_inplace": "self.inplace" in inspect.getsource(cls.forward),
        }
    return result


def _callable_kind(value, short_name: str) -> str | None:
    if inspect.isclass(value):
        return TENSOR if issubclass(value, torch.Tensor) else OTHER
    if isinstance(value, types.BuiltinFunctionType):
        overloads = ops_by_name().get(value.__name__)
        if overloads:
            return schema_return_kind(overloads)
        return _docstring_kind(value, short_name)
    return python_function_kind(value, short_name)


def torch_callables() -> Iterator[tuple[str, str, object]]:
    for module_name, module in _NAMESPACES:
        for name, value in _namespace_members(module_name, module):
            yield f"{module_name}.{name}", name, value
    # Constructing a Parameter or Buffer gives a tensor; users call them as torch.nn.X.
    for name in sorted(dir(torch.nn)):
        value = getattr(torch.nn, name)
        if _is_public(name) and inspect.isclass(value) and issubclass(value, torch.Tensor):
            yield f"torch.nn.{name}", name, value


def torch_functions() -> dict[str, str]:
    kinds = {}
    for qualname, short_name, value in torch_callables():
        kind = _callable_kind(value, short_name)
        if kind is not None:
            kinds[qualname] = kind
    return kinds


def factory_functions() -> list[str]:
    factories = set()
    for qualname, _short_name, value in torch_callables():
        if isinstance(value, types.BuiltinFunctionType):
            overloads = ops_by_name().get(value.__name__)
            if overloads and is_schema_factory(overloads):
                factories.add(qualname)
    missing = {q for q in _HAND_BOUND_FACTORIES if not torch_function_exists(q.split(".")[-1])}
    if missing:
        raise SystemExit(f"_HAND_BOUND_FACTORIES names no longer in torch: {sorted(missing)}")
    return sorted(factories | _HAND_BOUND_FACTORIES)


def _see_also_kind(method, name: str, functions: dict[str, str]) -> str | None:
    """A method documented as "See :func:`torch.<same name>`" behaves like that function."""
    if f"See :func:`torch.{name}`" in (method.__doc__ or ""):
        return functions.get(f"torch.{name}")
    return None


def tensor_methods(functions: dict[str, str]) -> dict[str, str]:
    ops = ops_by_name()
    kinds = {}
    for name in sorted(dir(torch.Tensor)):
        if not _is_public(name) or name.endswith("_") or not tensor_method_exists(name):
            continue
        method = _tensor_attribute(name)
        overloads = [f for f in ops.get(name, ()) if "method" in {v.name for v in f.variants}]
        if overloads:
            kind = schema_return_kind(overloads)
        elif isinstance(method, types.FunctionType):
            kind = python_function_kind(method, name)
        else:
            kind = _docstring_kind(method, name)
        kind = kind or _see_also_kind(method, name, functions)
        if kind is not None:
            kinds[name] = kind
    kinds.update({k: v for k, v in _operator_dunder_kinds().items() if v is not None})
    return kinds


def view_methods() -> dict[str, str]:
    ops = ops_by_name()
    stale = {p: o for p, o in _PROPERTY_OPS.items() if o not in ops or not hasattr(torch.Tensor, p)}
    if stale:
        raise SystemExit(f"_PROPERTY_OPS no longer matches torch: {stale}")
    kinds = {}
    for name in sorted(dir(torch.Tensor)):
        if not _is_public(name) or name.endswith("_"):
            continue
        op_name = _PROPERTY_OPS.get(name, name)
        overloads = [f for f in ops.get(op_name, ()) if "method" in {v.name for v in f.variants}]
        if name in _PROPERTY_OPS or not tensor_method_exists(name):
            # Properties (T, mT, real, ...) are bound to function-only ops.
            overloads = list(ops.get(op_name, ()))
        kind = schema_view_kind(overloads)
        if kind is not None:
            kinds[name] = kind
    getitem = _getitem_view_kind()
    if getitem is not None:
        kinds["__getitem__"] = getitem
    return kinds


def view_functions() -> dict[str, str]:
    kinds = {}
    for qualname, _short_name, value in torch_callables():
        if isinstance(value, types.BuiltinFunctionType):
            kind = schema_view_kind(ops_by_name().get(value.__name__, ()))
            if kind is not None:
                kinds[qualname] = kind
    return kinds


def generate() -> dict:
    """All facts, computed from the installed torch (deterministic: no randomness, sorted)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        functions = torch_functions()
        return {
            "torch_version": torch.__version__,
            "tensor_inplace_methods": tensor_inplace_methods(),
            "torch_inplace_functions": torch_inplace_functions(),
            "functional_inplace_functions": functional_inplace_functions(),
            "functional_inplace_param": functional_inplace_param(),
            "modules_inplace_param": modules_inplace_param(),
            "nn_modules": sorted(f"torch.nn.{name}" for name in nn_module_classes()),
            "torch_functions": functions,
            "factory_functions": factory_functions(),
            "tensor_methods": tensor_methods(functions),
            "view_methods": view_methods(),
            "view_functions": view_functions(),
        }


def render(data: dict) -> str:
    return json.dumps(data, indent=1, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the checked-in file differs"
    )
    parser.add_argument("--output", type=Path, default=OUTPUT_PATH)
    arguments = parser.parse_args(argv)
    text = render(generate())
    if arguments.check:
        current = arguments.output.read_text(encoding="utf-8") if arguments.output.exists() else ""
        if current == text:
            return 0
        diff = difflib.unified_diff(
            current.splitlines(), text.splitlines(), "checked-in", "regenerated", lineterm="", n=1
        )
        print("\n".join(list(diff)[:60]))
        print(f"{arguments.output} is stale; run: {REGENERATE_COMMAND}", file=sys.stderr)
        return 1
    arguments.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
