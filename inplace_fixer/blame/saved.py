"""Records of saved tensors, made by a ``saved_tensors_hooks`` pack hook, and the version check
that torch skips while such hooks are active.

A record holds a detached alias of the saved tensor (same storage and version counter, no
``grad_fn``, so no reference cycle through the graph) and is owned by the graph: it dies when
backward frees the graph or the graph is dropped. The locator keeps only weak references to
records, indexed by storage, so a change to a storage can mark the records it invalidated.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass
from typing import Callable, Optional

import torch

from inplace_fixer.blame.events import Site
from inplace_fixer.blame.frames import Location

_BACKWARD_SUFFIX = re.compile(r"Backward\d*$")
# torch 2.13's own text, so a user searching for it finds their usual answers.
_HINT = (
    "Hint: enable anomaly detection to find the operation that failed to compute its gradient, "
    "with torch.autograd.set_detect_anomaly(True, check_nan=False)."
)


@dataclass(frozen=True)
class Change:
    """The first change, after the save, to a saved tensor's storage."""

    location: Location
    op: str
    module_defined_at: Optional[Site]
    silent: bool  # the version counter did not move (a fused optimizer): torch cannot see it


class SavedRecord:
    __slots__ = ("tensor", "version", "saved_by", "node", "output_nr", "change", "__weakref__")

    def __init__(self, tensor: torch.Tensor, saved_by: Site) -> None:
        self.tensor = tensor.detach()
        self.version = tensor._version
        self.saved_by = saved_by
        grad_fn = tensor.grad_fn
        self.node = None if grad_fn is None else _BACKWARD_SUFFIX.sub("", type(grad_fn).__name__)
        self.output_nr = tensor.output_nr
        self.change: Optional[Change] = None

    def stale(self) -> bool:
        return self.tensor._version != self.version


def storage_key(tensor: torch.Tensor) -> int:
    try:
        return tensor.untyped_storage().data_ptr()
    except (RuntimeError, NotImplementedError):  # sparse and other storage-less tensors
        return -1


class Registry:
    """Live records by storage: what a change to that storage may have invalidated."""

    def __init__(self) -> None:
        self._by_storage: dict[int, list[weakref.ref[SavedRecord]]] = {}
        self._adds_since_prune = 0

    def add(self, record: SavedRecord) -> None:
        self._by_storage.setdefault(storage_key(record.tensor), []).append(weakref.ref(record))
        self._adds_since_prune += 1
        if self._adds_since_prune > 4096:
            self.prune()

    def prune(self) -> None:
        self._adds_since_prune = 0
        for key in list(self._by_storage):
            alive = [ref for ref in self._by_storage[key] if ref() is not None]
            if alive:
                self._by_storage[key] = alive
            else:
                del self._by_storage[key]

    def live(self, tensor: torch.Tensor) -> list[SavedRecord]:
        key = storage_key(tensor)
        refs = self._by_storage.get(key)
        if not refs:
            return []
        records = [record for record in (ref() for ref in refs) if record is not None]
        # Compact as we go: parameters are looked up every step, and the records of every past
        # step's graph would otherwise pile up under their storage until the next prune.
        if not records:
            del self._by_storage[key]
        elif len(records) != len(refs):
            self._by_storage[key] = [weakref.ref(record) for record in records]
        return records

    def __bool__(self) -> bool:
        return bool(self._by_storage)


def version_error_text(record: SavedRecord, where: str) -> str:
    """torch's "modified by an inplace operation" message, with the line that did it."""
    tensor = record.tensor
    described = f"[{tensor.type()} [{', '.join(str(size) for size in tensor.shape)}]]"
    if record.node is not None:
        described += f", which is output {record.output_nr} of {record.node},"
    return (
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: {described} is at version {tensor._version}; expected version "
        f"{record.version} instead. {_HINT} inplace-fixer: {where}"
    )


def make_hooks(
    make_record: Callable[[torch.Tensor], SavedRecord],
    on_unpack: Callable[[SavedRecord], None],
) -> tuple[Callable, Callable]:
    def pack(tensor: torch.Tensor) -> SavedRecord:
        return make_record(tensor)

    def unpack(record: SavedRecord) -> torch.Tensor:
        __tracebackhide__ = True
        if record.change is not None or record.stale():
            on_unpack(record)  # raises for a changed version, reports a silent change
        return record.tensor

    return pack, unpack
