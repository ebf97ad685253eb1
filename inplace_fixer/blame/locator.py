"""The runtime locator: which line changed a tensor that a pending backward needs.

Three pieces of public torch machinery, installed together by :class:`Locator`:

- a ``saved_tensors_hooks`` pair (``saved.py``): every tensor saved for backward gets a record of
  its version, the op that saved it and the user's line; the unpack hook re-does torch's version
  check (torch skips its own while any such hooks are active) and raises torch's error text with
  the line that made the change added;
- a ``TorchFunctionMode`` comparing the versions of each call's tensor arguments before and after
  the call, and marking the records the change invalidated with the innermost user frame;
- global optimizer step hooks, because a fused optimizer updates parameters without bumping their
  versions: torch never raises there, and only the locator can say the gradients are wrong.

An event is reported when backward reads a record that was changed: a change to a tensor no
backward ever reads is harmless, and a report must never name such a line.
"""

from __future__ import annotations

import inspect
import os
import sys
from typing import Any, Callable, Iterable, Optional

import torch
from torch.optim.optimizer import register_optimizer_step_post_hook, register_optimizer_step_pre_hook
from torch.overrides import TorchFunctionMode, resolve_name

from inplace_fixer.blame import fixes, frames, messages
from inplace_fixer.blame.events import BREAKS_BACKWARD, SILENT_WRONG_GRADIENT, Event, Site
from inplace_fixer.blame.saved import Change, Registry, SavedRecord, make_hooks, version_error_text

# How a torch callable is treated by the mode, decided once per callable.
_PURE, _CHECK, _OUT_ONLY = 0, 1, 2  # _OUT_ONLY: checked only when called with out=
_kinds: dict[Any, int] = {}
# Errors torch raises at the in-place line itself: the line is known, no backward needed.
_AT_THE_LINE = (
    "a leaf Variable that requires grad is being used in an in-place operation",
    "a view of a leaf Variable that requires grad is being used in an in-place operation",
    "is a view and is being modified inplace",
    "A view was created in no_grad mode and is being modified inplace",
    "Inplace update to inference tensor outside InferenceMode",
)
# In-place ops whose derivative torch does not implement (facts, section 1, rule 5): backward
# raises NotImplementedError when it reaches them, naming the op but not the line.
_NO_INPLACE_DERIVATIVE = frozenset({"acosh_", "asinh_", "atanh_", "arccosh_", "arcsinh_", "arctanh_"})


def _kind(func: Any) -> int:
    name = getattr(func, "__name__", "")
    qualname = getattr(func, "__qualname__", "") or ""
    if name in ("__get__", "__set__"):
        return _PURE  # property access; `x.data = y` moves no version counter either
    in_place = (name.endswith("_") and not name.startswith("__")) or name == "__setitem__"
    in_place = in_place or (name.startswith("__i") and name.endswith("__"))
    if in_place or qualname.startswith(("TensorBase.", "Tensor.")):
        return _CHECK if in_place else _PURE
    try:
        parameters = inspect.signature(func).parameters
    except (TypeError, ValueError):  # a builtin: only `out=` can make it write
        return _OUT_ONLY
    return _CHECK if "inplace" in parameters else _OUT_ONLY


def _tensors(args: Iterable[Any], kwargs: dict) -> list[torch.Tensor]:
    found: list[torch.Tensor] = []
    for value in (*args, *kwargs.values()):
        if isinstance(value, torch.Tensor):
            found.append(value)
        elif isinstance(value, (list, tuple)):  # _foreach_* ops and torch.cat-like calls
            found.extend(item for item in value if isinstance(item, torch.Tensor))
    return found


def _versions(tensors: list[torch.Tensor]) -> list[int]:
    try:
        return [tensor._version for tensor in tensors]
    except RuntimeError:  # an inference tensor has no version counter; it is never saved either
        return [-1 if tensor.is_inference() else tensor._version for tensor in tensors]


def op_name(func: Any) -> str:
    if isinstance(func, str):
        return func
    try:
        name = resolve_name(func)
    except Exception:  # noqa: BLE001 - a name for a message; never worth failing the run
        name = None
    return name or getattr(func, "__qualname__", None) or repr(func)


class _VersionMode(TorchFunctionMode):
    def __init__(self, locator: Locator) -> None:
        super().__init__()
        self.locator = locator

    def __torch_function__(self, func, types, args=(), kwargs=None):
        __tracebackhide__ = True  # pytest: the program's frames are what the user reads
        if kwargs is None:
            kwargs = {}
        locator = self.locator
        kind = _kinds.get(func)
        if kind is None:
            kind = _kinds[func] = _kind(func)
        outer = locator.current_op
        locator.current_op = func
        try:
            if kind is _PURE or (kind is _OUT_ONLY and "out" not in kwargs):
                try:
                    return func(*args, **kwargs)
                except NotImplementedError as exc:  # backward() reaching an underivable in-place op
                    locator.missing_derivative(exc)
                    raise
            tensors = _tensors(args, kwargs)
            before = _versions(tensors)
            try:
                result = func(*args, **kwargs)
            except (RuntimeError, NotImplementedError) as exc:
                if any(text in str(exc) for text in _AT_THE_LINE):
                    locator.error_at_the_line(func, exc)
                raise
            if locator.registry:
                changed = [t for t, v in zip(tensors, before) if v != -1 and t._version != v]
                if changed:
                    locator.mark_changes(func, changed)
            if getattr(func, "__name__", "") in _NO_INPLACE_DERIVATIVE:
                locator.remember_missing_derivative(func)
            return result
        finally:
            locator.current_op = outer


class Locator:
    """Install with :meth:`start`, remove with :meth:`stop` (or use ``watch()``).

    ``on_event`` is called once per event, as soon as it is known (before torch's error unwinds
    the stack), so a crashing run still reports it.
    """

    def __init__(self, on_event: Optional[Callable[[Event], None]] = None, *, sample: int = 1) -> None:
        """``sample=N`` traces one optimizer step in N (and everything before the first step):
        the cost falls to about 1/N, and a bug that happens every step is still caught in the
        first traced one. Between traced steps torch's own check runs, so nothing fails
        differently; a change made in an untraced step is reported without its line."""
        self.events: list[Event] = []
        self.registry = Registry()
        self.current_op: Any = None
        self._on_event = on_event
        self._keys: set[tuple] = set()
        self._no_derivative: dict[str, tuple[str, frames.Location]] = {}
        self._mode = _VersionMode(self)
        pack, unpack = make_hooks(self._record, self._on_unpack)
        self._hooks = torch.autograd.graph.saved_tensors_hooks(pack, unpack)
        self._stepping: Optional[str] = None
        self._step_snapshots: list[tuple[torch.Tensor, int, torch.Tensor]] = []
        self._undo: list[Callable[[], None]] = []
        self._sample = max(1, sample)
        self._steps = 0
        self._tracing = False

    # --- installing -------------------------------------------------------------------------

    def start(self) -> Locator:
        from inplace_fixer.blame import modules

        self._undo.append(_disable_dynamo())
        self._undo.append(modules.track_definitions())
        pre = register_optimizer_step_pre_hook(self._before_step)
        post = register_optimizer_step_post_hook(self._after_step)
        self._undo.append(pre.remove)
        self._undo.append(post.remove)
        self._trace(True)
        self._undo.append(lambda: self._trace(False))
        return self

    def stop(self) -> None:
        while self._undo:
            self._undo.pop()()

    def _trace(self, on: bool) -> None:
        """Install or remove the saved-tensor hooks and the mode (they go and come together)."""
        if on and not self._tracing:
            self._hooks.__enter__()
            self._mode.__enter__()
        elif not on and self._tracing:
            self._mode.__exit__(None, None, None)
            self._hooks.__exit__(None, None, None)
        self._tracing = on

    # --- saving and changing ----------------------------------------------------------------

    def _record(self, tensor: torch.Tensor) -> SavedRecord:
        where = frames.user_frame(sys._getframe(1))
        op = self.current_op
        site = Site(
            where.f_code.co_filename if where else "<unknown>",
            where.f_lineno if where else 0,
            None if op is None else op,  # resolved to a name only if an event needs it
        )
        record = SavedRecord(tensor, site)
        self.registry.add(record)
        return record

    def mark_changes(self, func: Any, changed: list[torch.Tensor]) -> None:
        change: Optional[Change] = None
        for tensor in changed:
            for record in self.registry.live(tensor):
                if record.change is None and record.stale():
                    if change is None:
                        change = self._change(func, silent=False)
                    record.change = change

    def _change(self, func: Any, *, silent: bool) -> Change:
        from inplace_fixer.blame import modules

        caller = sys._getframe(2)
        location = frames.user_location(caller) or frames.Location("<unknown>", 0, 0, 0, 0)
        op = self._stepping or op_name(func)
        return Change(location, op, modules.inplace_module_site(caller), silent)

    def _before_step(self, optimizer: torch.optim.Optimizer, args: Any, kwargs: Any) -> None:
        self._stepping = f"{type(optimizer).__module__.split('.')[0]}.optim.{type(optimizer).__name__}.step"
        # Only parameters a pending graph saved are worth a copy: nothing else can be corrupted.
        self._step_snapshots = [
            (param, param._version, param.detach().clone())
            for group in optimizer.param_groups
            for param in group["params"]
            if self.registry and self.registry.live(param)
        ]

    def _after_step(self, optimizer: torch.optim.Optimizer, args: Any, kwargs: Any) -> None:
        try:
            for param, version, before in self._step_snapshots:
                if param._version != version or torch.equal(before, param.detach()):
                    continue  # a bumped version is the mode's business; no change is harmless
                change = None
                for record in self.registry.live(param):
                    if record.change is None:
                        change = change or self._change(optimizer.step, silent=True)
                        record.change = change
        finally:
            self._stepping = None
            self._step_snapshots = []
            if self._sample > 1:
                self._steps += 1
                self._trace(self._steps % self._sample == 0)

    # --- reporting --------------------------------------------------------------------------

    def _on_unpack(self, record: SavedRecord) -> None:
        __tracebackhide__ = True
        backward = frames.user_frame(sys._getframe(1))
        backward_at = None if backward is None else Site(backward.f_code.co_filename, backward.f_lineno)
        change = record.change
        saved_by = Site(record.saved_by.path, record.saved_by.line, op_name(record.saved_by.op) if record.saved_by.op is not None else None)
        if change is None:
            raise RuntimeError(version_error_text(record, messages.UNSEEN_CHANGE))
        raises = record.stale()
        category = BREAKS_BACKWARD if raises else SILENT_WRONG_GRADIENT
        event = Event(
            location=change.location,
            category=category,
            op=change.op,
            message=messages.saved_tensor_changed(change, saved_by, backward_at, record, raises),
            saved_by=saved_by,
            backward_at=backward_at,
            module_defined_at=change.module_defined_at,
            source_line=messages.code_at(change.location),
        )
        self._emit(event)
        if raises:
            where = f"the change was made by `{change.op}` at {change.location.path}:{change.location.line}"
            raise RuntimeError(version_error_text(record, where))

    def remember_missing_derivative(self, func: Any) -> None:
        """An in-place op with no derivative (``acosh_``): torch raises only when backward reaches
        it, naming the op but not the line; keep the line until then."""
        name = getattr(func, "__name__", "").rstrip("_")
        if name and name not in self._no_derivative:
            location = frames.user_location(sys._getframe(1))
            if location is not None:
                self._no_derivative[name] = (op_name(func), location)

    def missing_derivative(self, exc: NotImplementedError) -> None:
        for name, (op, location) in self._no_derivative.items():
            if f"'inplace version of {name}'" in str(exc):
                message = messages.raised_at_the_line(op, location, str(exc)).replace("torch raises here", "backward raises")
                self._emit(Event(location, BREAKS_BACKWARD, op, message, source_line=messages.code_at(location)))
                return

    def error_at_the_line(self, func: Any, exc: Exception) -> None:
        from inplace_fixer.blame import modules

        caller = sys._getframe(2)
        location = frames.user_location(caller)
        if location is None:
            return
        event = Event(
            location=location,
            category=BREAKS_BACKWARD,
            op=op_name(func),
            message=messages.raised_at_the_line(op_name(func), location, str(exc)),
            module_defined_at=modules.inplace_module_site(caller),
            source_line=messages.code_at(location),
        )
        self._emit(event)
        if hasattr(exc, "add_note"):
            exc.add_note(f"inplace-fixer: the in-place change is at {location.path}:{location.line}")

    def _emit(self, event: Event) -> None:
        if event.key in self._keys:
            return
        self._keys.add(event.key)
        event = fixes.with_fixes(event)
        self.events.append(event)
        if self._on_event is not None:
            self._on_event(event)


def _disable_dynamo() -> Callable[[], None]:
    """Compiled regions run eagerly, so the hooks and the mode see every op in them."""
    dynamo = sys.modules.get("torch._dynamo")
    if dynamo is not None:
        previous = dynamo.config.disable
        dynamo.config.disable = True
        return lambda: setattr(dynamo.config, "disable", previous)
    previous_env = os.environ.get("TORCHDYNAMO_DISABLE")
    os.environ["TORCHDYNAMO_DISABLE"] = "1"  # read when torch._dynamo is first imported

    def restore() -> None:
        if previous_env is None:
            os.environ.pop("TORCHDYNAMO_DISABLE", None)
        else:
            os.environ["TORCHDYNAMO_DISABLE"] = previous_env
        late = sys.modules.get("torch._dynamo")
        if late is not None and previous_env is None:
            late.config.disable = False

    return restore


