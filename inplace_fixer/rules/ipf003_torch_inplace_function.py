from __future__ import annotations

from typing import Optional

import libcst as cst

from inplace_fixer import fixes, torch_data
from inplace_fixer.inference import Kind
from inplace_fixer.model import Applicability
from inplace_fixer.rules.base import Invalid, ProposedFix, Rule, code, in_path_message


class TorchInplaceFunction(Rule):
    """
    ## What it does
    Flags in-place functions of the torch namespace (`torch.relu_(x)`, `torch.sigmoid_(x)`,
    `F.relu_(x)`, `torch.nn.functional.elu_(x)`, ...) applied to a tensor that may require grad,
    matched by qualified name whatever the import alias.

    ## Why is this bad?
    These functions change their first argument in place and return it. If an earlier operation
    saved that tensor for backward, `backward()` raises "one of the variables needed for gradient
    computation has been modified by an inplace operation"; on a leaf that requires grad the call
    raises at once.

    ## Example
    ```python
    h = torch.sigmoid(x)
    torch.relu_(h)
    ```

    ## Use instead
    ```python
    h = torch.sigmoid(x)
    h = torch.relu(h)
    ```

    ## Fix safety
    Safe when the argument is a local tensor nothing else refers to, or a temporary
    (`torch.relu_(self.fc(x))` becomes `torch.relu(self.fc(x))`). Unsafe when the change could
    be seen elsewhere (function argument, attribute, view, alias, list element) or the argument is
    a leaf that requires grad. Report-only when torch has no out-of-place counterpart
    (`torch.embedding_renorm_`).
    """

    code = "IPF003"
    name = "torch-inplace-function"
    summary = "in-place torch function on a tensor of the gradient path"
    fixable = "sometimes"

    VALID = [
        "import torch\nx = torch.zeros(3)\ntorch.relu_(x)\n",
        "import torch\nx = torch.randn(3, requires_grad=True)\nwith torch.no_grad():\n    y = x * 2\n    torch.relu_(y)\n",
        "def relu_(t):\n    return t\nrelu_([1, 2])\n",
    ]
    INVALID = [
        Invalid(
            "import torch as T\nx = T.randn(3, requires_grad=True)\nh = T.sigmoid(x)\nT.relu_(h)\n",
            expected="import torch as T\nx = T.randn(3, requires_grad=True)\nh = T.sigmoid(x)\nh = T.relu(h)\n",
        ),
        Invalid(
            "import torch\nfrom torch.nn import functional as F\nx = torch.randn(3, requires_grad=True)\nh = x.exp()\ny = F.relu_(h)\n",
            expected="import torch\nfrom torch.nn import functional as F\nx = torch.randn(3, requires_grad=True)\nh = x.exp()\nh = F.relu(h)\ny = h\n",
        ),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        callee = self.value(node.func)
        if callee is None or callee.kind is not Kind.API or callee.qualname is None:
            return
        function = torch_data.torch_inplace_function(callee.qualname)
        if function is None or not node.args or node.args[0].keyword is not None or node.args[0].star:
            return
        argument = node.args[0].value
        fact = self.fact(argument)
        if fact is None or fact.value.kind is not Kind.TENSOR or fact.value.is_data:
            return
        reason = self.gradient_reason(fact.site, fact.value, [self.value(a.value) for a in node.args[1:]])
        if reason is None:
            return
        message = in_path_message(code(node), code(argument))
        fix = self._fix(node, argument, fact, callee.qualname, function.out_of_place)
        self.report(node, message, fix, reason, target=argument)

    def _fix(self, node: cst.Call, argument, fact, qualname: str, out_of_place: Optional[str]) -> ProposedFix:
        site = fact.site
        new_func = _function_expression(node.func, qualname, out_of_place, self.context.torch_name)
        if new_func is None:
            return ProposedFix(Applicability.DISPLAY_ONLY, f"`{code(node.func)}` has no out-of-place counterpart in reach", site.statement, site.statement)
        new_call = node.with_changes(func=new_func)
        if isinstance(argument, (cst.Name, cst.Attribute)):
            fix = fixes.statement_fix(site, node, argument, fact.value, new_call)
            if fix is not None:
                return fix
            return ProposedFix(Applicability.DISPLAY_ONLY, f"the statement reads `{code(argument)}` before the call changes it", site.statement, site.statement)
        if isinstance(argument, (cst.Subscript,)) or fact.value.alias is not None:
            return ProposedFix(Applicability.DISPLAY_ONLY, f"`{code(argument)}` is a view: the call also changes the tensor it views", site.statement, site.statement)
        return ProposedFix(Applicability.SAFE, None, node, new_call)


def _function_expression(func: cst.BaseExpression, qualname: str, out_of_place: Optional[str], torch_name: Optional[str]):
    """``T.relu_`` -> ``T.relu``; otherwise the counterpart through the module's torch alias."""
    if out_of_place is None:
        return None
    namespace, short = out_of_place.rsplit(".", 1)
    if isinstance(func, cst.Attribute) and qualname.rsplit(".", 1)[0] == namespace:
        # Same namespace as written (torch.relu_ -> torch.relu, F.relu_ -> F.relu).
        return func.with_changes(attr=cst.Name(short))
    if torch_name is None:
        return None
    return fixes.torch_reference(torch_name, out_of_place)
