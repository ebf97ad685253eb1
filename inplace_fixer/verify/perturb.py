"""Move every leaf a program differentiates by a small step along a fixed random direction.

Leaves are numbered in the order the program first uses them in a differentiable call with
grad mode on; the same program then numbers them the same way in every run, whatever created
them (``torch.tensor(..., requires_grad=True)``, ``requires_grad_()``, ``nn.Parameter`` inside a
module, ``w.requires_grad = True``). Moving a leaf at its first use rather than at its creation
matters for parameters: ``nn.Linear`` creates its weight and only then initialises it (under
``no_grad``), which would erase a perturbation made at creation.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator
from typing import Any

import torch
from torch.overrides import TorchFunctionMode
from torch.utils._pytree import tree_leaves

DIRECTION_SEED = 20250130

# The only attributes whose reading passes a leaf's value on with a gradient. Reading any other
# (``shape``, ``grad``, ``data``) is not a use, and ``data`` is how initialisers overwrite a
# parameter (``w.data.normal_()``): the perturbation must come after that.
_DIFFERENTIABLE_PROPERTIES = frozenset({"T", "mT", "H", "mH", "real", "imag"})
# Calls that take a leaf without passing its value on with a gradient.
_VALUE_DETACHING_CALLS = frozenset({"detach", "detach_", "requires_grad_", "backward"})


def leaf_direction(number: int, shape: torch.Size) -> torch.Tensor:
    """Unit-variance direction per element, scaled so each leaf moves by about norm 1."""
    generator = torch.Generator().manual_seed(DIRECTION_SEED + number)
    # A private generator: the program's own random stream must not shift.
    direction = torch.randn(shape, generator=generator, dtype=torch.float64)
    return direction / math.sqrt(max(direction.numel(), 1))


def _may_carry_value(func: Callable[..., Any]) -> bool:
    name = getattr(func, "__name__", "")
    if name == "__get__":
        return getattr(getattr(func, "__self__", None), "__name__", "") in _DIFFERENTIABLE_PROPERTIES
    if name == "__set__" or name in _VALUE_DETACHING_CALLS:
        return False
    # In-place methods on a leaf are either forbidden (grad mode) or initialisation (no_grad).
    return not (name.endswith("_") and not name.endswith("__"))


class LeafPerturbation(TorchFunctionMode):
    def __init__(self, step: float, perturb: frozenset[int] | None) -> None:
        super().__init__()
        self.step = step
        self.perturb = perturb
        self.leaves: list[torch.Tensor] = []  # holding them keeps ``id`` unique
        self.directions: list[torch.Tensor] = []
        self.moved: set[int] = set()  # numbers of the leaves actually moved
        self._number_of: dict[int, int] = {}
        self._paused = False

    def number_of(self, tensor: torch.Tensor) -> int | None:
        return self._number_of.get(id(tensor))

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """The recorder's own tensor reads must not count as the program's first use."""
        previous, self._paused = self._paused, True
        try:
            yield
        finally:
            self._paused = previous

    def __torch_function__(self, func, types, args=(), kwargs=None):  # noqa: ANN001 - torch API
        kwargs = kwargs or {}
        if not self._paused and torch.is_grad_enabled() and _may_carry_value(func):
            for value in tree_leaves((args, kwargs)):
                if _is_new_leaf(value, self._number_of):
                    self._number(value)
        return func(*args, **kwargs)

    def _number(self, leaf: torch.Tensor) -> None:
        number = len(self.leaves)
        direction = leaf_direction(number, leaf.shape)
        self._number_of[id(leaf)] = number
        self.leaves.append(leaf)
        self.directions.append(direction)
        if self.perturb is None or number in self.perturb:
            self.moved.add(number)
            with torch.no_grad():
                leaf.add_(direction.to(leaf.dtype), alpha=self.step)


def _is_new_leaf(value: object, numbered: dict[int, int]) -> bool:
    # A view taken under no_grad also reports itself as a leaf requiring grad, but moving it in
    # place would make its next use raise; autograd gives it no gradient of its own anyway.
    return (
        isinstance(value, torch.Tensor)
        and value.requires_grad
        and value.is_leaf
        and value._base is None
        and value.is_floating_point()
        and id(value) not in numbered
    )
