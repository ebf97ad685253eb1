"""Record what a program differentiates and the gradients it gets, without changing its code.

``Tensor.backward``, ``torch.autograd.backward`` and ``torch.autograd.grad`` are wrapped so each
call records the value differentiated and, by walking the autograd graph from it to its
``AccumulateGrad`` nodes, the gradient of every leaf it reaches, named where the program names
it. Calls of top-level ``nn.Module``s record what their ``forward`` returned. The wrappers are
installed once in the warm worker and do nothing until a child activates its ``Recorder``.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

import torch

from inplace_fixer.verify.capture import module_parameters, named_tensors, snapshot, user_variables
from inplace_fixer.verify.perturb import LeafPerturbation
from inplace_fixer.verify.spec import RunMode

MAX_RECORDED_CALLS = 100
MAX_FORWARD_OUTPUTS = 64


def reached_leaves(outputs: Sequence[torch.Tensor]) -> list[torch.Tensor]:
    """Leaves that get a gradient from ``outputs``, in depth-first order along next_functions."""
    leaves: list[torch.Tensor] = []
    seen_leaves: set[int] = set()
    visited: set[int] = set()
    alive: list[object] = []  # node wrappers must outlive the walk for ``id`` to stay unique

    def add(leaf: torch.Tensor) -> None:
        if id(leaf) not in seen_leaves:
            seen_leaves.add(id(leaf))
            leaves.append(leaf)

    for output in outputs:
        if output.grad_fn is None:
            if output.requires_grad:
                add(output)
            continue
        stack = [output.grad_fn]
        while stack:
            node = stack.pop()
            if node is None or id(node) in visited:
                continue
            visited.add(id(node))
            alive.append(node)
            if type(node).__name__ == "AccumulateGrad":
                add(node.variable)
            stack.extend(child for child, _ in reversed(node.next_functions))
    return leaves


# Computed when the worker imports this module, not once per child.
_TENSOR_BACKWARD = inspect.signature(torch.Tensor.backward)
_AUTOGRAD_BACKWARD = inspect.signature(torch.autograd.backward)
_AUTOGRAD_GRAD = inspect.signature(torch.autograd.grad)


def _as_list(value: object) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, torch.Tensor):
        return [value]
    return list(value)  # type: ignore[call-overload]


class _ActiveRecorder:
    """The recorder of this process, if any: only a child running a program ever sets it.

    Assigning ``nn.Module.__call__`` invalidates the method cache of every Module subclass,
    which in a forked child dirties hundreds of shared pages (1.5 ms of a 15 ms run). So the
    hooks are installed once, in the warm worker, and look the recorder up here; patches are
    process-wide by nature, and this is the one slot they share.
    """

    recorder: Recorder | None = None


_ACTIVE = _ActiveRecorder()
_HOOK_MARK = "__inplace_fixer_hook__"


def install_hooks() -> None:
    """Wrap the autograd entry points and ``Module.__call__``; a no-op once installed."""
    if getattr(torch.nn.Module.__call__, _HOOK_MARK, False):
        return
    torch.Tensor.backward = _backward_hook(torch.Tensor.backward, _TENSOR_BACKWARD, "self", "gradient")
    torch.autograd.backward = _backward_hook(torch.autograd.backward, _AUTOGRAD_BACKWARD, "tensors", "grad_tensors")
    torch.autograd.grad = _grad_hook(torch.autograd.grad)
    torch.nn.Module.__call__ = _module_call_hook(torch.nn.Module.__call__)


def _backward_hook(
    original: Callable[..., Any], signature: inspect.Signature, outputs: str, gradients: str
) -> Callable[..., Any]:
    @functools.wraps(original)
    def backward(*args: Any, **kwargs: Any) -> Any:
        recorder = _ACTIVE.recorder
        if recorder is None:
            return original(*args, **kwargs)
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        return recorder.around(
            "backward",
            _as_list(bound.arguments[outputs]),
            _as_list(bound.arguments[gradients]),
            _as_list(bound.arguments.get("inputs")) or None,
            lambda: original(*args, **kwargs),
        )

    setattr(backward, _HOOK_MARK, True)
    return backward


def _grad_hook(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def grad(*args: Any, **kwargs: Any) -> Any:
        recorder = _ACTIVE.recorder
        if recorder is None:
            return original(*args, **kwargs)
        bound = _AUTOGRAD_GRAD.bind(*args, **kwargs)
        bound.apply_defaults()
        return recorder.around(
            "grad",
            _as_list(bound.arguments["outputs"]),
            _as_list(bound.arguments["grad_outputs"]),
            _as_list(bound.arguments["inputs"]),
            lambda: original(*args, **kwargs),
        )

    setattr(grad, _HOOK_MARK, True)
    return grad


def _module_call_hook(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def call(module: torch.nn.Module, *args: Any, **kwargs: Any) -> Any:
        recorder = _ACTIVE.recorder
        if recorder is None:
            return original(module, *args, **kwargs)
        return recorder.module_call(original, module, args, kwargs)

    setattr(call, _HOOK_MARK, True)
    return call


class Recorder:
    def __init__(
        self,
        namespace: dict[str, Any],
        snippet_path: str,
        mode: RunMode,
        perturbation: LeafPerturbation | None,
        finish: Callable[[], NoReturn],
    ) -> None:
        self.namespace = namespace
        self.snippet_path = snippet_path
        self.mode = mode
        self.perturbation = perturbation
        self.finish = finish
        self.calls: list[dict[str, Any]] = []
        self.calls_seen = 0
        self.forward_outputs: list[dict[str, Any]] = []
        self.finite_difference: dict[str, Any] | None = None
        self._inside_autograd_call = False
        self._module_depth = 0

    def activate(self) -> None:
        install_hooks()
        _ACTIVE.recorder = self

    def module_call(self, original: Callable[..., Any], module: torch.nn.Module, args: Any, kwargs: Any) -> Any:
        self._module_depth += 1
        try:
            result = original(module, *args, **kwargs)
        finally:
            self._module_depth -= 1
        if self._module_depth == 0 and len(self.forward_outputs) < MAX_FORWARD_OUTPUTS:
            with self._own_reads():
                self._record_forward(module, result)
        return result

    # --- recording ----------------------------------------------------------------------

    def around(
        self,
        kind: str,
        outputs: list[torch.Tensor],
        grad_outputs: list[torch.Tensor | None],
        inputs: list[torch.Tensor] | None,
        call: Callable[[], Any],
    ) -> Any:
        if self._inside_autograd_call:  # Tensor.backward calls torch.autograd.backward
            return call()
        self._inside_autograd_call = True
        try:
            with self._own_reads():
                leaves = inputs if inputs is not None else reached_leaves(outputs)
                record = self._begin_call(kind, outputs, leaves)
                if self.mode is RunMode.REFERENCE_FORWARD:
                    self.finish()
                if self.mode is RunMode.FINITE_DIFFERENCE:
                    fd_leaves, before = self._start_finite_difference(kind, outputs, grad_outputs, leaves)
            try:
                result = call()
            except BaseException:
                if record is not None:
                    record["failed"] = True
                raise
            with self._own_reads():
                if record is not None:
                    gradients = _as_list(result) if kind == "grad" else [leaf.grad for leaf in leaves]
                    record["gradients"] = [None if g is None else snapshot(g) for g in gradients]
                if self.mode is RunMode.FINITE_DIFFERENCE:
                    self._finish_finite_difference(kind, fd_leaves, before, leaves, result)
                    self.finish()
            return result
        finally:
            self._inside_autograd_call = False

    def _begin_call(
        self, kind: str, outputs: list[torch.Tensor], leaves: list[torch.Tensor]
    ) -> dict[str, Any] | None:
        self.calls_seen += 1
        if len(self.calls) >= MAX_RECORDED_CALLS:
            return None
        record: dict[str, Any] = {
            "kind": kind,
            "line": self._user_line(),
            "values": [snapshot(output) for output in outputs],
            "leaves": self._names(leaves),
            "gradients": [],
            "failed": False,
        }
        self.calls.append(record)
        return record

    def _record_forward(self, module: torch.nn.Module, result: object) -> None:
        from torch.utils._pytree import tree_leaves

        tensors = [value for value in tree_leaves(result) if isinstance(value, torch.Tensor)]
        if tensors:
            self.forward_outputs.append(
                {
                    "module": type(module).__name__,
                    "after_calls": self.calls_seen,
                    "values": [snapshot(tensor) for tensor in tensors],
                }
            )

    # --- finite differences -------------------------------------------------------------

    def _start_finite_difference(
        self,
        kind: str,
        outputs: list[torch.Tensor],
        grad_outputs: list[torch.Tensor | None],
        leaves: list[torch.Tensor],
    ) -> tuple[list[tuple[int, torch.Tensor]], list[torch.Tensor | None]]:
        assert self.perturbation is not None
        value = torch.zeros((), dtype=torch.float64)
        precision = torch.float64
        for index, output in enumerate(outputs):
            weight = grad_outputs[index] if index < len(grad_outputs) else None
            term = output.detach().to(torch.float64)
            if weight is not None:
                term = term * weight.detach().to(torch.float64)
            value = value + term.sum()
            precision = _coarser(precision, output.dtype)
        moved = self.perturbation.moved
        reached = []
        for leaf in leaves:
            number = self.perturbation.number_of(leaf)
            if number is not None and number in moved:
                reached.append((number, leaf))
                precision = _coarser(precision, leaf.dtype)
        before = [None if kind == "grad" or leaf.grad is None else leaf.grad.clone() for _, leaf in reached]
        self.finite_difference = {
            "value": value.item(),
            "reached": [number for number, _ in reached],
            "moved": sorted(moved),
            "leaf_names": self._names([leaf for _, leaf in reached]),
            "numbered_leaves": len(self.perturbation.leaves),
            "precision": str(precision).removeprefix("torch."),
            "unit_roundoff": torch.finfo(precision).eps / 2,
            "directional": None,
        }
        return reached, before

    def _finish_finite_difference(
        self,
        kind: str,
        numbered: list[tuple[int, torch.Tensor]],
        before: list[torch.Tensor | None],
        leaves: list[torch.Tensor],
        result: object,
    ) -> None:
        assert self.perturbation is not None and self.finite_difference is not None
        returned = dict(zip(map(id, leaves), _as_list(result))) if kind == "grad" else {}
        directional = torch.zeros((), dtype=torch.float64)
        for (number, leaf), previous in zip(numbered, before):
            gradient = returned.get(id(leaf)) if kind == "grad" else leaf.grad
            if gradient is None:
                continue
            if previous is not None:
                gradient = gradient - previous
            direction = self.perturbation.directions[number]
            directional = directional + (gradient.detach().to(torch.float64) * direction).sum()
        self.finite_difference["directional"] = directional.item()

    # --- naming -------------------------------------------------------------------------

    def _names(self, tensors: Sequence[torch.Tensor]) -> list[str]:
        """``layer.weight`` for module parameters, else the variable name, else ``leaf[i]``."""
        wanted = {id(tensor): index for index, tensor in enumerate(tensors)}
        names: list[str | None] = [None] * len(tensors)
        scopes = self._scopes()
        for finder in (module_parameters, named_tensors):
            for scope in scopes:
                for variable, value in user_variables(scope):
                    for name, tensor in finder(variable, value):
                        index = wanted.get(id(tensor))
                        if index is not None and names[index] is None:
                            names[index] = name
        unnamed = 0
        for index, name in enumerate(names):
            if name is None:
                names[index] = f"leaf[{unnamed}]"
                unnamed += 1
        return names  # type: ignore[return-value]

    def _scopes(self) -> list[dict[str, Any]]:
        scopes = [self.namespace]
        frame = sys._getframe(1)
        while frame is not None:
            if frame.f_code.co_filename == self.snippet_path and frame.f_globals is self.namespace:
                if frame.f_locals is not self.namespace:
                    scopes.append(frame.f_locals)
            frame = frame.f_back
        return scopes

    def _user_line(self) -> int | None:
        frame = sys._getframe(1)
        while frame is not None:
            if frame.f_code.co_filename == self.snippet_path:
                return frame.f_lineno
            frame = frame.f_back
        return None

    def _own_reads(self) -> contextlib.AbstractContextManager[None]:
        if self.perturbation is None:
            return contextlib.nullcontext()
        return self.perturbation.paused()


def _coarser(first: torch.dtype, second: torch.dtype) -> torch.dtype:
    if not (first.is_floating_point and second.is_floating_point):
        return first if first.is_floating_point else second
    return first if torch.finfo(first).eps >= torch.finfo(second).eps else second
