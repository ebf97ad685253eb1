from __future__ import annotations

from typing import Optional

import libcst as cst

from inplace_fixer import fixes, torch_data
from inplace_fixer.inference import Kind
from inplace_fixer.inference.value_ops import gradient_arguments
from inplace_fixer.model import Applicability
from inplace_fixer.rules.base import Invalid, ProposedFix, Rule, code, in_path_message
from inplace_fixer.rules.leaf_edit import leaf_edit_fix
from inplace_fixer.rules.method_forms import chain_of, out_of_place_chain
from inplace_fixer.torch_data import InplaceKind

SKIPPED_KINDS = (InplaceKind.LOGICAL, InplaceKind.NOT_VALUE)
TEMPORARIES = (cst.Call, cst.BinaryOperation, cst.UnaryOperation)


class InplaceMethod(Rule):
    """
    ## What it does
    Flags calls of in-place Tensor methods (`x.mul_(w)`, `h.clamp_(min=0)`, `y.sigmoid_()`, ...)
    on a tensor that may require grad, as a statement, inside an expression (`z = x.add_(1)`) or
    chained (`x.mul_(2).add_(1)`). The set of methods is generated from the installed torch: every
    public `Tensor.foo_` with an out-of-place counterpart.

    ## Why is this bad?
    An in-place method changes the tensor's data and bumps its version counter. If an earlier
    operation saved that tensor for backward, `backward()` raises "one of the variables needed for
    gradient computation has been modified by an inplace operation"; on a leaf that requires grad
    the call itself raises. torch names the forward operation, never this line.

    ## Example
    ```python
    h = torch.tanh(x)
    h.mul_(w)
    z = h.add_(1)
    ```

    ## Use instead
    ```python
    h = torch.tanh(x)
    h = h * w
    h = h + 1
    z = h
    ```
    Methods with an operator become the operator (`add_`, `sub_`, `mul_`, `div_`, `pow_`, ...);
    others keep the method form (`x = x.clamp(min=0)`, `x = x.add(b, alpha=2)`); `zero_()` and
    `fill_(v)` become `torch.fill(x, v)`; `copy_(src)` becomes `src.to(x).expand_as(x).clone()`;
    `normal_()`/`uniform_()` become `torch.randn_like(x)`/`torch.rand_like(x)` (the same numbers
    from the same random state); comparison methods (`eq_`, `lt_`, ...) become `x.eq(y).to(x.dtype)`.

    ## Fix safety
    Safe when `x` is a local tensor nothing else refers to and no argument can change the dtype.
    Unsafe when the change could be seen elsewhere (a function argument, an attribute, a view or
    alias, a list element), when a tensor argument may promote the dtype (in place keeps `x`'s
    dtype), when `x` is a leaf that requires grad, and for `copy_`, random fills and comparisons,
    after which earlier operations no longer receive a zero gradient through `x`. Report-only when
    no exact out-of-place form exists (`fill_diagonal_`, most random fills with arguments), when
    a later call in a chain reads the tensor it changed.
    A deliberate edit of a leaf that requires grad or of a Parameter (`p -= lr * p.grad` after
    `backward()`, `w[0] *= 1.0001` right after `w` is made, `self.weight[:, k] -= v`) is not
    rebound: its unsafe fix wraps the statement in `with torch.no_grad():`, which keeps the very
    tensor, its `.grad` and the optimizer's hold on it (no gradient flows through that line).
    It is offered when no op of a pending graph saved the tensor and nothing written requires grad.
    """

    code = "IPF002"
    name = "inplace-method"
    summary = "in-place Tensor method on a tensor of the gradient path"
    fixable = "sometimes"

    VALID = [
        "import torch\nx = torch.zeros(3)\nx.add_(1)\n",
        "class Counter:\n    def add_(self, n):\n        pass\nc = Counter()\nc.add_(1)\n",
        "import torch\nw = torch.randn(3, requires_grad=True)\nwith torch.no_grad():\n    w.mul_(0.5)\n",
        "import torch\nx = torch.randn(3, requires_grad=True)\nx.requires_grad_(False)\n",
        "import numpy as np\na = np.zeros(3)\na.fill(1)\n",
    ]
    INVALID = [
        Invalid(
            "import torch\nx = torch.randn(3, requires_grad=True)\ny = torch.sigmoid(x)\ny.mul_(2)\n",
            expected="import torch\nx = torch.randn(3, requires_grad=True)\ny = torch.sigmoid(x)\ny = y * 2\n",
        ),
        Invalid(
            "import torch\nx = torch.randn(3, requires_grad=True)\ny = x * 1\nz = y.add_(1)\n",
            expected="import torch\nx = torch.randn(3, requires_grad=True)\ny = x * 1\ny = y + 1\nz = y\n",
        ),
        Invalid(
            "import torch\nx = torch.randn(3, requires_grad=True)\ny = x.exp()\ny.mul_(2).add_(1)\n",
            expected="import torch\nx = torch.randn(3, requires_grad=True)\ny = x.exp()\ny = y * 2 + 1\n",
        ),
        Invalid(
            "import torch\nx = torch.randn(3, requires_grad=True)\ny = x.exp()\ny.add_(1).mul_(2)\n",
            expected="import torch\nx = torch.randn(3, requires_grad=True)\ny = x.exp()\ny = (y + 1) * 2\n",
        ),
        Invalid(
            "import torch\nx = torch.randn(3, requires_grad=True)\ny = x.exp()\ny.clamp_(min=0)\n",
            expected="import torch\nx = torch.randn(3, requires_grad=True)\ny = x.exp()\ny = y.clamp(min=0)\n",
        ),
    ]

    def __init__(self, context) -> None:
        super().__init__(context)
        self._inside_chain: set[int] = set()

    def visit_Call(self, node: cst.Call) -> None:
        if id(node) in self._inside_chain:
            return
        chain = chain_of(self, node, skip=SKIPPED_KINDS)
        if chain is None:
            return
        root, steps = chain
        for step in steps[:-1]:
            self._inside_chain.add(id(step))
        fact = self.fact(root)
        if fact is None or fact.value.kind is not Kind.TENSOR or fact.value.is_data:
            return
        # What is written into the tensor can bring it into the graph; its indices and masks cannot.
        operands = [
            self.value(node_)
            for step in steps
            for _, node_ in gradient_arguments(
                step.func.attr.value if isinstance(step.func, cst.Attribute) else "",
                [(arg.keyword.value if arg.keyword else None, arg.value) for arg in step.args],
            )
        ]
        site = (self.fact(node) or fact).site
        reason = self.gradient_reason(site, fact.value, operands)
        if reason is None:
            return
        written = root if isinstance(root, (cst.Name, cst.Attribute)) else self._view_base(root)
        if written is not None and fixes.follows_fresh_clone(site, written):
            return
        message = in_path_message(code(node), code(root))
        fix = None
        if isinstance(site.statement, cst.Expr) and site.statement.value is node:
            edited = root.value if isinstance(root, cst.Subscript) else root  # w[0].add_(1) edits w
            edited_value = self.value(edited)
            if edited_value is not None:
                fix = leaf_edit_fix(site, self.context.torch_name, edited, edited_value, operands)
        self.report(node, message, fix or self._fix(node, root, steps, fact), reason, target=root)

    def _fix(self, node: cst.Call, root: cst.BaseExpression, steps, fact) -> Optional[ProposedFix]:
        site = (self.fact(node) or fact).site
        rewrite = out_of_place_chain(self, root, steps)
        if rewrite.expression is None:
            return ProposedFix(Applicability.DISPLAY_ONLY, rewrite.refusal, site.statement, site.statement)
        if isinstance(root, (cst.Name,)) or (isinstance(root, cst.Attribute) and self._is_attribute_target(root)):
            fix = fixes.statement_fix(site, node, root, fact.value, rewrite.expression, rewrite.doubt)
        elif self._view_base(root) is not None:
            base = self._view_base(root)
            fix = fixes.clone_first_fix(site, base, self.value(base))  # type: ignore[arg-type]
            return fix
        elif isinstance(root, TEMPORARIES) and fact.value.alias is None:
            # The tensor is a temporary (`torch.zeros(3).add_(h)`): nobody else can see it change.
            applicability = Applicability.UNSAFE if rewrite.doubt else Applicability.SAFE
            fix = ProposedFix(applicability, rewrite.doubt, node, rewrite.expression)
        else:
            reason = fact.value.alias.render(lambda _: "?") if fact.value.alias else None
            return ProposedFix(
                Applicability.DISPLAY_ONLY,
                f"`{code(root)}` cannot be rebound" + (f": {reason}" if reason else ""),
                site.statement, site.statement,
            )
        if fix is None:
            return ProposedFix(
                Applicability.DISPLAY_ONLY,
                f"the result of `{code(node)}` is used inside a statement that also reads `{code(root)}` first",
                site.statement, site.statement,
            )
        if rewrite.caveat and fix.applicability is Applicability.SAFE:
            return ProposedFix(Applicability.UNSAFE, rewrite.caveat, fix.original, fix.replacement)
        return fix

    def _is_attribute_target(self, root: cst.Attribute) -> bool:
        owner = self.value(root.value)
        return owner is None or owner.kind is not Kind.TENSOR

    def _view_base(self, root: cst.BaseExpression) -> Optional[cst.BaseExpression]:
        """The named tensor that ``root`` is a view of (``x[0]``, ``x.T``, ``x.view(-1)``)."""
        if isinstance(root, cst.Subscript):
            base = root.value
        elif isinstance(root, cst.Attribute):
            base = root.value
        elif isinstance(root, cst.Call) and isinstance(root.func, cst.Attribute):
            if torch_data.view_kind(root.func.attr.value) is None:
                return None
            base = root.func.value
        else:
            return None
        value = self.value(base)
        if isinstance(base, (cst.Name, cst.Attribute)) and value is not None and value.kind is Kind.TENSOR:
            return base
        return None
