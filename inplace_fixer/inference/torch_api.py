"""What the inference needs to know about torch APIs, by qualified name.

Most facts come from the data generated from the installed torch (``inplace_fixer.torch_data``);
the few here are about Python-level behaviour that no schema records (grad-mode context managers,
methods that may return ``self``), and each says why it is written by hand.
"""

from __future__ import annotations

from typing import Optional

from inplace_fixer import torch_data

# Context managers and decorators that switch grad mode; torch's schemas do not describe them.
GRAD_OFF = frozenset(
    {
        "torch.no_grad",
        "torch.autograd.no_grad",
        "torch.autograd.grad_mode.no_grad",
        "torch.inference_mode",
        "torch.autograd.inference_mode",
        "torch.autograd.grad_mode.inference_mode",
    }
)
GRAD_ON = frozenset({"torch.enable_grad", "torch.autograd.enable_grad", "torch.autograd.grad_mode.enable_grad"})
GRAD_SET = frozenset({"torch.set_grad_enabled", "torch.autograd.set_grad_enabled", "torch.autograd.grad_mode.set_grad_enabled"})
INFERENCE_MODE = frozenset({"torch.inference_mode", "torch.autograd.inference_mode", "torch.autograd.grad_mode.inference_mode"})

PARAMETER = frozenset({"torch.nn.Parameter", "torch.nn.parameter.Parameter"})
BUFFER = frozenset({"torch.nn.Buffer", "torch.nn.parameter.Buffer"})
MODULE_BASES = frozenset({"torch.nn.Module", "torch.nn.modules.module.Module"})
TENSOR_CLASSES = frozenset({"torch.Tensor", "torch.FloatTensor", "torch.LongTensor", "torch.DoubleTensor"})

# Conversions return ``self`` when nothing changes (``x.float()`` on a float tensor is ``x``), so
# their result may be the very same tensor: a generated alias table cannot show this.
MAY_RETURN_SELF = frozenset(
    {"to", "type", "type_as", "float", "double", "half", "bfloat16", "long", "int", "short", "bool",
     "byte", "char", "contiguous", "cpu", "cuda", "requires_grad_", "as_subclass", "coalesce"}
)
DTYPE_CONVERSIONS = {
    "float": "float32", "double": "float64", "half": "float16", "bfloat16": "bfloat16",
    "long": "int64", "int": "int32", "short": "int16", "bool": "bool", "byte": "uint8", "char": "int8",
}
# Methods and attributes that return Python values, not tensors: the documented Tensor API.
NON_TENSOR_METHODS = frozenset(
    {"item", "tolist", "numpy", "size", "dim", "ndimension", "numel", "nelement", "element_size",
     "stride", "storage_offset", "data_ptr", "get_device", "equal", "is_contiguous", "is_floating_point",
     "is_complex", "is_signed", "__len__", "untyped_storage", "storage", "dim_order"}
)
NUMBER_METHODS = frozenset({"item", "dim", "ndimension", "numel", "nelement", "element_size", "storage_offset", "get_device"})
NON_TENSOR_ATTRIBUTES = frozenset(
    {"shape", "dtype", "device", "ndim", "is_leaf", "requires_grad", "layout", "is_cuda", "names",
     "grad_fn", "is_sparse", "itemsize", "nbytes", "_version"}
)
VIEW_ATTRIBUTES = frozenset({"T", "mT", "H", "mH", "real", "imag"})
# Parameters the common torch modules register (nn.Linear, nn.Conv*, nn.LayerNorm, nn.Embedding,
# nn.MultiheadAttention): their names are documented attributes, not visible in any schema.
MODULE_PARAMETERS = frozenset({"weight", "bias", "in_proj_weight", "in_proj_bias"})
# Methods of nn.Module that yield its parameters: the loop variable is then a Parameter.
PARAMETER_ITERATORS = frozenset({"parameters"})
NAMED_PARAMETER_ITERATORS = frozenset({"named_parameters"})

DTYPES = {
    "torch.float": "float32", "torch.float32": "float32", "torch.float64": "float64",
    "torch.double": "float64", "torch.float16": "float16", "torch.half": "float16",
    "torch.bfloat16": "bfloat16", "torch.int64": "int64", "torch.long": "int64",
    "torch.int32": "int32", "torch.int": "int32", "torch.int16": "int16", "torch.int8": "int8",
    "torch.uint8": "uint8", "torch.bool": "bool", "torch.complex64": "complex64",
    "torch.complex128": "complex128",
}
DEFAULT_FLOAT = "float32"
# Factories whose result is floating by default (torch.get_default_dtype()).
FLOAT_FACTORY_NAMES = frozenset(
    {"randn", "rand", "zeros", "ones", "empty", "eye", "linspace", "logspace", "normal", "rand_like",
     "randn_like", "empty_strided"}
)


def is_torch(qualname: Optional[str]) -> bool:
    return qualname is not None and (qualname == "torch" or qualname.startswith("torch."))


def function_return_kind(qualname: str) -> Optional[str]:
    """"tensor", "tensors", "mixed", "other", or None when torch does not tell."""
    return torch_data.torch_function_return_kind(qualname)


def method_return_kind(name: str) -> Optional[str]:
    return torch_data.tensor_method_return_kind(name)


def view_kind(method: str) -> Optional[str]:
    return torch_data.view_kind(method)


def is_factory(qualname: str) -> bool:
    return torch_data.is_factory(qualname)


def is_nn_module_class(qualname: str) -> bool:
    return torch_data.is_nn_module_class(qualname)


# Ops whose result is an integer tensor (indices, counts, buckets): it never requires grad.
# Methods whose result has the receiver's dtype whatever their other arguments (a mask, an index,
# a fill value): `indices.masked_fill(scores == -inf, -1)` stays int64.
KEEPS_RECEIVER_DTYPE = frozenset(
    {"masked_fill", "masked_scatter", "index_fill", "scatter", "gather", "clamp", "clip", "flip", "roll",
     "clone", "contiguous", "detach"}
)
# Ops that return (values, indices): the indices are int64 and never require grad.
VALUES_AND_INDICES = frozenset(
    {"topk", "sort", "kthvalue", "mode", "cummax", "cummin", "max", "min", "median", "nanmedian"}
)
INTEGER_RESULT_NAMES = frozenset(
    {"argmax", "argmin", "argsort", "argwhere", "bucketize", "searchsorted", "nonzero", "randint", "randperm",
     "randint_like", "multinomial", "count_nonzero", "bincount", "histc_indices", "tril_indices", "triu_indices"}
)
# In-place and out-of-place methods whose argument at this position (or keyword) is an index or a
# mask: no gradient flows from it into the result.
# Tensor methods whose tensor arguments give only a dtype, a device or a shape: no gradient flows
# from them (`torch.arange(n).type_as(x)` does not require grad because x does).
LIKE_ARGUMENT_METHODS = frozenset({"type_as", "expand_as", "view_as", "reshape_as", "to", "new_tensor"})
INDEX_ARGUMENTS = {
    "scatter": (1, "index"), "scatter_add": (1, "index"), "scatter_reduce": (1, "index"),
    "index_fill": (1, "index"), "index_add": (1, "index"), "index_copy": (1, "index"), "index_reduce": (1, "index"),
    "masked_fill": (0, "mask"), "masked_scatter": (0, "mask"), "gather": (1, "index"), "index_select": (1, "index"),
    "put": (0, "index"), "take": (0, "index"), "take_along_dim": (0, "indices"),
}
