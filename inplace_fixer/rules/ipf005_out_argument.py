from __future__ import annotations

import libcst as cst

from inplace_fixer import fixes
from inplace_fixer.inference import Kind, torch_api
from inplace_fixer.model import BREAKS_BACKWARD, Applicability
from inplace_fixer.rules.base import Invalid, ProposedFix, Rule, code, in_path_message


class OutArgument(Rule):
    """
    ## What it does
    Flags `out=` arguments of torch functions (`torch.add(a, b, out=a)`, `torch.exp(x, out=buf)`)
    when the tensor written into, or any input, may require grad.

    ## Why is this bad?
    `out=` writes the result into an existing tensor: it is an in-place operation. With an input
    that requires grad, torch refuses at once ("functions with out=... arguments don't support
    automatic differentiation, but one of the arguments requires grad"); with an output tensor
    that an earlier operation saved, backward raises "modified by an inplace operation".

    ## Example
    ```python
    torch.add(a, b, out=a)
    ```

    ## Use instead
    ```python
    a = torch.add(a, b)
    ```

    ## Fix safety
    Safe when the output tensor is a local tensor nothing else refers to and its dtype is known to
    equal the inputs' (`out=` casts the result to the output's dtype). Unsafe when the output
    tensor could be seen elsewhere (argument, attribute, view, alias) or the dtypes may differ.
    """

    code = "IPF005"
    name = "out-argument"
    summary = "out= writes into a tensor of the gradient path"
    fixable = "sometimes"

    VALID = [
        "import torch\na = torch.zeros(3)\nb = torch.ones(3)\ntorch.add(a, b, out=a)\n",
        "import torch\nx = torch.randn(3, requires_grad=True)\nbuf = torch.empty(3)\nwith torch.no_grad():\n    torch.exp(x, out=buf)\n",
        "import numpy as np\na = np.zeros(3)\nnp.add(a, a, out=a)\n",
    ]
    INVALID = [
        Invalid(
            "import torch\nx = torch.randn(3, requires_grad=True)\na = x * 2\nb = x * 3\ntorch.add(a, b, out=a)\n",
            expected="import torch\nx = torch.randn(3, requires_grad=True)\na = x * 2\nb = x * 3\na = torch.add(a, b)\n",
        ),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        callee = self.value(node.func)
        if callee is None or callee.kind is not Kind.API or not torch_api.is_torch(callee.qualname):
            return
        out = next((a for a in node.args if a.keyword is not None and a.keyword.value == "out"), None)
        if out is None:
            return
        fact = self.fact(out.value)
        if fact is None or fact.value.kind is not Kind.TENSOR:
            return
        inputs = [self.value(a.value) for a in node.args if a is not out]
        reason = self.gradient_reason(fact.site, fact.value, inputs)
        if reason is None:
            return
        target = out.value
        new_call = fixes.without_arg(node, out)
        site = fact.site
        tensor_inputs = [(a.value, self.value(a.value)) for a in node.args if a is not out and _maybe_tensor(self.value(a.value))]
        doubt = fixes.operand_doubt(code(target), fact.value, tensor_inputs)
        if doubt is not None:
            doubt = f"out= casts the result to the dtype of `{code(target)}`; " + doubt
        fix = fixes.statement_fix(site, node, target, fact.value, new_call, doubt) if isinstance(
            target, (cst.Name, cst.Attribute)
        ) else None
        if fix is None:
            fix = ProposedFix(Applicability.DISPLAY_ONLY, f"`{code(target)}` cannot be rebound here", site.statement, site.statement)
        category = category_reason = None
        if any(value is not None and value.grad is not None for value in inputs):
            category = BREAKS_BACKWARD
            category_reason = "functions with out=... do not support autograd when an input requires grad: torch raises at this line"
        self.report(node, in_path_message(code(node), code(target)), fix, reason, target, category, category_reason)


def _maybe_tensor(value) -> bool:
    return value is None or value.kind in (Kind.TENSOR, Kind.UNKNOWN)
