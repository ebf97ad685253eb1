"""Copy tensors out of a running program, and find the names a program gives them."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from typing import Any

import torch

# Larger tensors travel as a digest: they compare bitwise only, with no error magnitude.
MAX_COPIED_ELEMENTS = 1 << 22
# A training loop at module level must not make the record grow without bound.
MAX_NAMED_TENSORS = 512


def snapshot(tensor: torch.Tensor) -> torch.Tensor | dict[str, Any]:
    """A detached copy that survives the program mutating the original afterwards."""
    value = tensor.detach()
    if value.layout is not torch.strided or value.is_quantized or value.device.type != "cpu":
        return {"unsupported": f"{value.layout} {value.dtype} tensor on {value.device}"}
    value = value.resolve_conj().resolve_neg().clone().as_subclass(torch.Tensor)
    if value.numel() <= MAX_COPIED_ELEMENTS:
        return value
    buffer = io.BytesIO()
    torch.save(value.contiguous(), buffer)
    return {
        "digest": hashlib.blake2b(buffer.getbuffer()).hexdigest(),
        "shape": list(value.shape),
        "dtype": str(value.dtype).removeprefix("torch."),
    }


def named_tensors(name: str, value: object) -> Iterator[tuple[str, torch.Tensor]]:
    """The tensors a variable holds: itself, a module's parameters and buffers, or one level of
    list, tuple or dict (``xs[0]``, ``d['k']``), which is where aliasing bugs hide."""
    if isinstance(value, torch.Tensor):
        yield name, value
    elif isinstance(value, torch.nn.Module):
        yield from _module_tensors(name, value)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value[:MAX_NAMED_TENSORS]):
            if isinstance(item, torch.Tensor):
                yield f"{name}[{index}]", item
            elif isinstance(item, torch.nn.Module):
                yield from _module_tensors(f"{name}[{index}]", item)
    elif isinstance(value, dict):
        for key, item in list(value.items())[:MAX_NAMED_TENSORS]:
            if isinstance(item, torch.Tensor) and isinstance(key, (str, int)):
                yield f"{name}[{key!r}]", item


def module_parameters(name: str, value: object) -> Iterator[tuple[str, torch.Tensor]]:
    if isinstance(value, torch.nn.Module):
        yield from _module_tensors(name, value)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value[:MAX_NAMED_TENSORS]):
            if isinstance(item, torch.nn.Module):
                yield from _module_tensors(f"{name}[{index}]", item)


def _module_tensors(name: str, module: torch.nn.Module) -> Iterator[tuple[str, torch.Tensor]]:
    # User subclasses may break named_parameters (a property that raises, a half-built module);
    # that must cost the recorder a name, not make the user's program fail.
    try:
        yield from module.named_parameters(prefix=name)
        yield from module.named_buffers(prefix=name)
    except Exception:  # noqa: BLE001 - user code, see above
        return


def user_variables(scope: dict[str, Any]) -> Iterator[tuple[str, object]]:
    for name, value in list(scope.items()):
        if not name.startswith("__"):
            yield name, value
