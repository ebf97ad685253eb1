"""Facts about a module: which expressions are tensors, which may require grad, and why."""

from inplace_fixer.inference.provider import TensorFactsProvider
from inplace_fixer.inference.sites import FunctionInfo, NodeFact, Site
from inplace_fixer.inference.values import Kind, Reason, Value

__all__ = ["FunctionInfo", "Kind", "NodeFact", "Reason", "Site", "TensorFactsProvider", "Value"]
