"""The abstract values the inference assigns to expressions.

A value says what an expression may be at run time (a tensor, a sequence of tensors, an nn.Module
instance, a reference to a torch API object, something else, or unknown) and, for tensors, what
the fixes need to know: why it may require grad, whether it is a leaf or a Parameter, its dtype
when known, and why a mutation of it could be seen through another reference.

Unknown is never treated as a tensor: a false rewrite of a list or a NumPy array is far worse than
a missed finding.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from dataclasses import fields as dataclass_fields
from typing import Optional


@dataclass(frozen=True)
class Reason:
    """A sentence for the user, with ``{name}`` filled when the value is bound to a name and
    ``{line}`` filled from ``node``'s position when a message is rendered (positions are only
    computed for files that have findings)."""

    template: str
    node: Optional[object] = None  # a libcst node whose line the sentence mentions
    # For aliases: rebinding the name cannot reproduce the change (an element of a list, one
    # of several views returned by split/unbind), so no rewrite is offered at all.
    blocks_fix: bool = False
    # For "a view `v` of this tensor is bound to a name": the name, so a fix can check that `v`
    # is reassigned before it is read again (then the alias cannot observe the rewrite).
    view_name: Optional[str] = None
    # For a value that reached a function through a call: the call (its line fills ``{via}``).
    via: Optional[object] = None

    def named(self, name: str) -> "Reason":
        if "{name}" not in self.template:
            return self
        return replace(self, template=self.template.replace("{name}", f"`{name}`"))

    def render(self, line_of) -> str:
        text = self.template.replace("{name}", "a tensor")
        if "{line}" in text:
            text = text.replace("{line}", str(line_of(self.node) if self.node is not None else "?"))
        if "{via}" in text:
            text = text.replace("{via}", str(line_of(self.via) if self.via is not None else "?"))
        return text


class Kind(enum.Enum):
    TENSOR = "tensor"
    TENSORS = "tensors"  # a tuple or list whose elements are tensors (chunk, split, unbind, ...)
    MODULE = "module"  # an nn.Module instance
    MODULE_CLASS = "module-class"  # a user-defined nn.Module subclass
    API = "api"  # a torch module, function or class, named by its qualified name
    CONTAINER = "container"  # a Python list, dict, set or tuple built in this file
    FUNCTION = "function"  # a function, method or lambda of the checked code (see ``function``)
    CLASS = "class"  # a user-defined class that is not an nn.Module
    OBJECT = "object"  # an instance of such a class (qualname: the class name)
    OTHER = "other"  # known not to be a tensor (number, string, numpy array, shape, ...)
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Value:
    kind: Kind
    # For API, MODULE and MODULE_CLASS: the qualified name ("torch.nn.functional.relu",
    # "torch.nn.ReLU", or the user's class name).
    qualname: Optional[str] = None
    # Why the tensor may require grad, in the user's terms; None when it cannot.
    grad: Optional[Reason] = None
    # Why a mutation of this tensor could be observed through another reference; None when the
    # tensor is a fresh local result that nothing else points to.
    alias: Optional[Reason] = None
    # Identity of the tensor object, so that `a = x` and later mutations can be related.
    obj: Optional[int] = None
    dtype: Optional[str] = None  # "float" for the default floating dtype; None when unknown
    is_parameter: bool = False
    leaf: Optional[Reason] = None  # why this tensor is a leaf that requires grad
    is_data: bool = False  # the result of `.data`: mutations bypass autograd's checks
    data_grad: Optional[Reason] = None  # for `.data`: why the tensor behind it may require grad
    element: Optional["Value"] = None  # for TENSORS and CONTAINER: what the elements are
    # For CONTAINER (and Sequential/ModuleList modules): each element by position, when known.
    items: Optional[tuple["Value", ...]] = None
    # For FUNCTION: the definition (inference.program.FunctionRef), with its bound receiver.
    function: Optional[object] = None
    # For MODULE: the module's attributes as seen in its __init__ (self.<name> -> value).
    attributes: Optional[tuple[tuple[str, "Value"], ...]] = None
    view_of: Optional[str] = None  # the expression this tensor is a view of, for messages
    # A boolean mask computed element-wise from the named tensor (`m = x < 0`): same shape.
    shape_of: Optional[str] = None
    # Which earlier op saved this tensor (or a tensor it shares memory with) for backward: an
    # in-place change then makes backward raise. For TENSORS: (index, reason) per saved element.
    saved_by: Optional[Reason] = None
    saved_elements: Optional[tuple[tuple[int, Reason], ...]] = None
    leaf_view: Optional[Reason] = None  # a view of a leaf that requires grad
    multi_view: bool = False  # one of several views from unbind/split/chunk (or tensor iteration)
    multi_view_base: Optional[Reason] = None  # the base of such views, still in use
    no_grad_view: Optional[Reason] = None  # a view of a grad tensor made under no_grad
    inference_tensor: Optional[Reason] = None  # made under inference_mode: no in-place change outside it
    # For a function's parameter analysed at a call site: the argument's source text, and the
    # statement of the call (its line), so that messages name the call that passed the tensor.
    passed_at: Optional[Reason] = None
    # For MODULE: the constructor call, when it passed inplace=True (the module mutates its input).
    inplace_constructor: Optional[object] = None

    @property
    def is_tensor(self) -> bool:
        return self.kind is Kind.TENSOR

    def with_(self, **changes) -> "Value":
        """``dataclasses.replace`` without its per-call introspection (a few percent of a whole
        check): a copy of the fields with ``changes`` applied."""
        unknown = changes.keys() - _VALUE_FIELDS
        if unknown:
            raise TypeError(f"Value has no field {sorted(unknown)[0]!r}")
        new = object.__new__(Value)
        fields = new.__dict__
        fields.update(self.__dict__)
        fields.update(changes)
        return new

    def attribute(self, name: str) -> Optional["Value"]:
        for attr_name, value in self.attributes or ():
            if attr_name == name:
                return value
        return None


_VALUE_FIELDS = frozenset(f.name for f in dataclass_fields(Value))
UNKNOWN = Value(Kind.UNKNOWN)
OTHER = Value(Kind.OTHER)
NONE = Value(Kind.OTHER, qualname="none")
# `True` and `False` where the code says so (a literal, or a default that a call site leaves as
# is): a branch on a constant runs on one side only (see statements.py).
TRUE = Value(Kind.OTHER, qualname="True")
FALSE = Value(Kind.OTHER, qualname="False")
# A name read before any binding reached it (the first pass over a loop body): joins as nothing.
UNBOUND = Value(Kind.UNKNOWN, qualname="unbound")
INTEGER_DTYPES = frozenset({"int64", "int32", "int16", "int8", "uint8", "bool", "long", "int"})


def may_require_grad(value: Value) -> bool:
    """Integer and bool tensors never require grad (torch refuses requires_grad on them)."""
    return value.dtype not in INTEGER_DTYPES


def join(a: Optional[Value], b: Optional[Value], every_path: bool = True) -> Value:
    """The value of an expression that may be either ``a`` or ``b`` (after a branch or loop).

    With ``every_path`` (paths meeting in one run) what makes backward raise must hold on both;
    without it (the same expression over several runs: loop iterations, call sites) on either."""
    if a is None:
        return b if b is not None else UNKNOWN
    if b is None or a == b:
        return a
    # `acc = None` on one path and a tensor on another: an in-place change can only run where
    # it is the tensor (on None it raises AttributeError), so the tensor is what matters.
    if a == NONE or a == UNBOUND:
        return b
    if b == UNBOUND:
        return a
    if b == NONE:
        return a
    if a.kind is not b.kind:
        # A name that is a number on one path and a tensor on another (`total = 0.0; total +=
        # loss` in a loop): rewriting `total += t` as `total = total + t` is exact for both.
        for number, other in ((a, b), (b, a)):
            if number.kind is Kind.OTHER and number.qualname == "number" and other.kind is Kind.TENSOR:
                return other.with_(dtype=None, obj=None)
        return UNKNOWN
    if a.kind in (Kind.API, Kind.MODULE_CLASS, Kind.CLASS, Kind.OBJECT):
        return a if a.qualname == b.qualname else UNKNOWN
    if a.kind is Kind.FUNCTION:
        return a if a.function is b.function else UNKNOWN
    if a.kind is Kind.MODULE:
        if a.qualname != b.qualname:
            return Value(Kind.MODULE)
        if a.attributes == b.attributes and a.inplace_constructor is b.inplace_constructor and a.items == b.items:
            return a
        element = join(a.element, b.element) if a.element is not None and b.element is not None else None
        return Value(Kind.MODULE, qualname=a.qualname, element=element)
    return Value(
        a.kind,
        grad=a.grad or b.grad,
        alias=a.alias or b.alias,
        obj=a.obj if a.obj == b.obj else None,
        dtype=a.dtype if a.dtype == b.dtype else None,
        is_parameter=a.is_parameter and b.is_parameter,
        leaf=_both(a.leaf, b.leaf, every_path),
        is_data=a.is_data or b.is_data,
        data_grad=a.data_grad or b.data_grad,
        element=join(a.element, b.element, every_path) if (a.element or b.element) else None,
        items=tuple(join(x, y) for x, y in zip(a.items, b.items)) if a.items and b.items and len(a.items) == len(b.items) else None,
        view_of=a.view_of or b.view_of,
        shape_of=a.shape_of if a.shape_of == b.shape_of else None,
        # What makes backward raise must hold on every path (`relu(h) if i < n else h` is not
        # saved by relu on the path that matters); what puts a tensor in the graph may hold on any.
        saved_by=_both(a.saved_by, b.saved_by, every_path),
        saved_elements=_both(a.saved_elements, b.saved_elements, every_path),
        leaf_view=_both(a.leaf_view, b.leaf_view, every_path),
        multi_view=bool(_both(a.multi_view or None, b.multi_view or None, every_path)),
        multi_view_base=_both(a.multi_view_base, b.multi_view_base, every_path),
        no_grad_view=_both(a.no_grad_view, b.no_grad_view, every_path),
        inference_tensor=_both(a.inference_tensor, b.inference_tensor, every_path),
        # The call that passed the tensor whose facts the findings will cite.
        passed_at=(a if a.saved_by is not None or a.leaf is not None else b).passed_at or a.passed_at or b.passed_at,
    )


def _both(a, b, every_path: bool):
    if every_path:
        return a if a is not None and b is not None else None
    return a if a is not None else b


def tensor(**fields) -> Value:
    return Value(Kind.TENSOR, **fields)
