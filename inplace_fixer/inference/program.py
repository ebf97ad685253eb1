"""The program index: the functions, methods, lambdas and classes of the checked code, and how a
call reaches them.

A ``FunctionRef`` is what a name bound to a ``def`` or a ``lambda`` holds (inside a ``Value`` of
kind FUNCTION); a ``ClassInfo`` is what the interpreter knows of a class: its methods, its bases
in the checked code (for inherited methods and ``__init__`` attributes), and whether it is an
``nn.Module`` or a ``torch.autograd.Function``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Union

import libcst as cst

from inplace_fixer.inference.sites import FunctionInfo

# What the whole-program analysis may spend, per file, so that its cost stays bounded: calls are
# followed at most this deep from each analysed function, and at most this many call-site
# analyses run in all. Past either, a call gives what its annotations say (usually "unknown").
MAX_CALL_DEPTH = 4
MAX_CALL_ANALYSES = 600

# Methods of torch.autograd.Function subclasses: torch runs them with grad mode off.
AUTOGRAD_FUNCTION_BASES = frozenset({
    "torch.autograd.Function", "torch.autograd.function.Function", "torch.autograd.function.InplaceFunction",
    "torch.autograd.function.once_differentiable",
})
GRAD_OFF_METHODS = frozenset({"forward", "setup_context", "backward", "jvp", "vjp"})
# Methods that a library base class calls under torch.no_grad(): transformers' PreTrainedModel
# runs `_init_weights` from its @torch.no_grad() `_initialize_weights`.
LIBRARY_NO_GRAD_METHODS = frozenset({"_init_weights"})


@dataclass(frozen=True, eq=False)
class FunctionRef:
    """A function of the checked code, as a value: its definition, the environment it closes
    over, and for a bound method the receiver (``self``)."""

    info: FunctionInfo
    closure: dict
    receiver: Optional[object] = None  # the bound `self` Value of a method reached through an instance
    kind: str = "function"  # "function", "method", "staticmethod", "classmethod", "lambda"
    # The facts of the interpreter that saw the definition (its decorators: @torch.no_grad()),
    # which is another one for a function imported from another file.
    facts: Optional[dict] = None

    @property
    def node(self) -> Union[cst.FunctionDef, cst.Lambda]:
        return self.info.node

    def bound(self, receiver) -> "FunctionRef":
        return FunctionRef(self.info, self.closure, receiver, self.kind, self.facts)


@dataclass(eq=False)
class ClassInfo:
    name: str
    node: cst.ClassDef
    bases: tuple[str, ...]  # the names of base classes defined in the checked code
    is_module: bool
    is_autograd_function: bool
    globals: dict
    methods: dict[str, FunctionRef] = field(default_factory=dict)
    library_base: bool = False  # a base class from a library, not torch's and not the checked code's
    foreign: bool = False  # defined in another file (imported): its code is analysed, not reported
    attributes: Optional[tuple] = None  # (name, Value) pairs from __init__, computed on first use
    computing: bool = False


def method_kind(node: cst.FunctionDef) -> str:
    for decorator in node.decorators:
        target = decorator.decorator
        name = target.value if isinstance(target, cst.Name) else target.attr.value if isinstance(target, cst.Attribute) else None
        if name in ("staticmethod", "classmethod"):
            return name
    return "method"
