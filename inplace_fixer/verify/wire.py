"""How a child's record travels to the worker: pickle restricted to plain data.

The program running in the child could write anything to the pipe, so the worker must not
unpickle classes or call functions: tensors travel as ``{TENSOR_KEY: [dtype, shape, bytes]}``
and the unpickler refuses every global. (``torch.load(weights_only=True)`` is equally safe but
costs more than a small run.)
"""

from __future__ import annotations

import ctypes
import io
import pickle
from typing import Any

import torch

TENSOR_KEY = "\0tensor"


def encode(record: object) -> bytes:
    return pickle.dumps(_plain(record), protocol=pickle.HIGHEST_PROTOCOL)


def decode(payload: bytes) -> Any:
    return _tensors(_PlainUnpickler(io.BytesIO(payload)).load())


class _PlainUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"a verification record may not contain {module}.{name}")


def _plain(value: object) -> Any:
    if isinstance(value, torch.Tensor):
        tensor = value.detach().contiguous()
        data = ctypes.string_at(tensor.data_ptr(), tensor.numel() * tensor.element_size()) if tensor.numel() else b""
        return {TENSOR_KEY: [str(tensor.dtype).removeprefix("torch."), list(tensor.shape), data]}
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def _tensors(value: Any) -> Any:
    if isinstance(value, dict):
        if TENSOR_KEY in value:
            dtype_name, shape, data = value[TENSOR_KEY]
            dtype = getattr(torch, dtype_name)
            if not isinstance(dtype, torch.dtype):
                raise ValueError(f"not a dtype: {dtype_name!r}")
            if not data:
                return torch.empty(shape, dtype=dtype)
            return torch.frombuffer(bytearray(data), dtype=dtype).reshape(shape)
        return {key: _tensors(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_tensors(item) for item in value]
    return value
