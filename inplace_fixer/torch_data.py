"""Facts about torch ops, read from ``data/torch_ops.json`` without importing torch.

The JSON is generated from the installed torch by ``tools/generate_torch_data.py`` (see its
docstring for how each fact is derived) and checked by ``tests/test_torch_data.py``.

Qualified names are the public dotted names users write: ``torch.relu_``,
``torch.nn.functional.relu``, ``torch.nn.ReLU``, ``torch.linalg.norm``.
"""

from __future__ import annotations

import enum
import functools
import json
from dataclasses import dataclass
from importlib import resources

_DATA_PACKAGE = "inplace_fixer"
_DATA_DIRECTORY = "data"
_DATA_FILE = "torch_ops.json"


class InplaceKind(str, enum.Enum):
    """What an in-place ``Tensor`` method does to ``self``, which decides how to rewrite it."""

    VALUE = "value"  # element-wise or value op with an exact out-of-place counterpart
    COMPARISON = "comparison"  # eq_, lt_, ...: out of place returns torch.bool
    LOGICAL = "logical"  # logical_*_: out of place returns torch.bool; autograd ignores them
    RANDOM = "random"  # normal_, uniform_, ...: ignore self's values, consume the RNG
    FILL = "fill"  # zero_, fill_, copy_, fill_diagonal_: no Tensor counterpart of that name
    METADATA = "metadata"  # squeeze_, t_, ...: change sizes/strides of the same object
    NOT_VALUE = "not-value"  # requires_grad_, set_, resize_, ...: never rewrite


class ReturnKind(str, enum.Enum):
    TENSOR = "tensor"
    TENSORS = "tensors"  # a tuple or list of tensors
    MIXED = "mixed"  # a tensor or a tuple, depending on the overload or a flag
    OTHER = "other"  # not a tensor


class ViewKind(str, enum.Enum):
    VIEW = "view"  # always shares storage with self
    MAY_ALIAS = "may_alias"  # shares storage with self or is a copy (reshape, flatten, to, x[i])
    MULTI_VIEW = "multi_view"  # several views (split, chunk, unbind): torch forbids mutating them


@dataclass(frozen=True)
class InplaceMethod:
    name: str
    out_of_place: str | None  # Tensor method name, e.g. "add"
    torch_out_of_place: str | None  # name in the torch namespace, e.g. "fill" for fill_
    kind: InplaceKind


@dataclass(frozen=True)
class InplaceFunction:
    qualname: str
    out_of_place: str | None  # qualified name, e.g. "torch.nn.functional.relu"


@dataclass(frozen=True)
class InplaceParam:
    """Where a function or module constructor takes ``inplace``."""

    position: int | None  # index among positional parameters (excluding self); None: keyword-only
    honours_inplace: bool = True  # False when the module stores the flag but never uses it


class TorchDataError(RuntimeError):
    """The packaged torch facts are missing or unreadable (a broken installation)."""


@functools.cache
def _data() -> dict:
    resource = resources.files(_DATA_PACKAGE) / _DATA_DIRECTORY / _DATA_FILE
    try:
        return json.loads(resource.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise TorchDataError(
            f"{_DATA_PACKAGE}/{_DATA_DIRECTORY}/{_DATA_FILE}: cannot load torch facts ({error}); "
            "reinstall inplace-fixer or run tools/generate_torch_data.py"
        ) from error


@functools.cache
def _name_set(section: str) -> frozenset[str]:
    return frozenset(_data()[section])


def torch_version() -> str:
    """The torch version the facts were generated from."""
    return _data()["torch_version"]


def inplace_method(name: str) -> InplaceMethod | None:
    """The public in-place ``Tensor`` method ``name`` (``"add_"``), or None if there is none."""
    entry = _data()["tensor_inplace_methods"].get(name)
    if entry is None:
        return None
    return InplaceMethod(
        name=name,
        out_of_place=entry["out_of_place"],
        torch_out_of_place=entry["torch_out_of_place"],
        kind=InplaceKind(entry["kind"]),
    )


def torch_inplace_function(qualname: str) -> InplaceFunction | None:
    """``torch.relu_`` or ``torch.nn.functional.relu_``, with its out-of-place counterpart."""
    data = _data()
    entry = data["torch_inplace_functions"].get(qualname) or data[
        "functional_inplace_functions"
    ].get(qualname)
    if entry is None:
        return None
    return InplaceFunction(qualname=qualname, out_of_place=entry["out_of_place"])


def functional_inplace_param(qualname: str) -> InplaceParam | None:
    """The ``inplace`` parameter of a ``torch.nn.functional`` function, or None if it has none."""
    entry = _data()["functional_inplace_param"].get(qualname)
    return None if entry is None else InplaceParam(position=entry["inplace_position"])


def module_inplace_param(qualname: str) -> InplaceParam | None:
    """The ``inplace`` constructor parameter of a ``torch.nn`` module, or None if it has none."""
    entry = _data()["modules_inplace_param"].get(qualname)
    if entry is None:
        return None
    return InplaceParam(
        position=entry["inplace_position"], honours_inplace=entry["honours_inplace"]
    )


def is_nn_module_class(qualname: str) -> bool:
    """``torch.nn.Linear``: constructing it makes a module, calling the module gives a tensor."""
    return qualname in _name_set("nn_modules")


def torch_function_return_kind(qualname: str) -> ReturnKind | None:
    """What calling ``torch.*``, ``torch.nn.functional.*``, ``torch.linalg.*``, ... returns."""
    kind = _data()["torch_functions"].get(qualname)
    return None if kind is None else ReturnKind(kind)


def is_factory(qualname: str) -> bool:
    """Always returns a new tensor built from no tensor input (``torch.zeros``, ``*_like``)."""
    return qualname in _name_set("factory_functions")


def tensor_method_return_kind(name: str) -> ReturnKind | None:
    """What ``tensor.<name>(...)`` returns (``"item"`` -> OTHER, ``"split"`` -> TENSORS)."""
    kind = _data()["tensor_methods"].get(name)
    return None if kind is None else ReturnKind(kind)


def view_kind(method_name: str) -> ViewKind | None:
    """Whether ``tensor.<method_name>(...)`` (or the property ``tensor.T``) aliases the tensor."""
    kind = _data()["view_methods"].get(method_name)
    return None if kind is None else ViewKind(kind)


def function_view_kind(qualname: str) -> ViewKind | None:
    """Whether ``torch.<name>(x, ...)`` (``torch.transpose``, ``torch.chunk``) aliases ``x``."""
    kind = _data()["view_functions"].get(qualname)
    return None if kind is None else ViewKind(kind)
