from __future__ import annotations

from typing import Optional

import libcst as cst

from inplace_fixer.inference import Kind, Site
from inplace_fixer.inference.state import dotted_name
from inplace_fixer.rules.base import Invalid, Rule, code
from inplace_fixer.rules.method_forms import inplace_method_of
from inplace_fixer.timeline import Timeline

# Node types are tested with `type(node) is cst.X`: libcst's concrete node classes have no
# subclasses, and an isinstance that fails on one costs an ABC check (millions per tree).


class DataMutation(Rule):
    """
    ## What it does
    Flags in-place changes made through `.data` of a tensor that may require grad:
    `p.data.add_(...)`, `x.data[...] = v`, `x.data += v`, `x.data = t`. Report-only.

    ## Why is this bad?
    `.data` is a view of the tensor with a fresh version counter, invisible to autograd. A change
    through it raises no error, yet a backward pass that saved the tensor uses the new values:
    the gradient is silently wrong (`y = x.exp(); y.data.add_(1)` gives `x.grad = exp(x) + 1`).

    ## Example
    ```python
    y = x.exp()
    y.data.add_(1)
    ```

    ## Use instead
    Change values out of place (`y = y + 1`) when they are part of the computation, or, to update
    parameters outside the graph, use `with torch.no_grad(): p.add_(...)`, which autograd can see
    and check.

    ## Fix safety
    No fix: the right rewrite depends on whether the change is meant to be part of the gradient.

    Only reported where a graph that used the tensor can be pending: after a statement of the same
    function (or script) ran a forward op on the tensor, or called the module that owns it, with
    grad mode on and no `backward()` since (around a loop too: a graph kept from the previous
    iteration counts). Not in `__init__`, `reset_parameters`, `_init_weights`, tie or resize
    hooks (`tie_weights`, `resize_token_embeddings`, ...) or functions of the file called only
    from them, and not for a write made before the tensor's first use in its function: no graph
    exists there. Calls into other functions are not followed yet.
    """

    code = "IPF007"
    name = "data-mutation"
    summary = "in-place change through .data: gradients silently wrong"
    fixable = "never"

    VALID = [
        "import torch\nx = torch.zeros(3)\nx.data.add_(1)\n",
        "import torch\nw = torch.nn.Parameter(torch.ones(3))\nw.data = torch.zeros(3)\n",
        "import torch\nw = torch.nn.Parameter(torch.ones(3))\n(w * 2).sum().backward()\nw.data.add_(-0.1 * w.grad)\n",
        "import torch\nx = torch.randn(3, requires_grad=True)\nv = x.data.clone()\n",
        "class Box:\n    data = [1]\nb = Box()\nb.data.append(2)\n",
    ]
    INVALID = [
        Invalid("import torch\nx = torch.randn(3, requires_grad=True)\ny = x.exp()\ny.data.add_(1)\n"),
        Invalid("import torch\nx = torch.randn(3, requires_grad=True)\ny = x * 2\ny.data[0] = 0\n"),
        Invalid("import torch\nw = torch.nn.Parameter(torch.ones(3))\ny = (w * 2).exp()\nw.data = torch.zeros(3)\n"),
    ]

    MESSAGE = (
        "`{what}` changes `{tensor}` through `.data`, which autograd does not track: "
        "gradients that depend on `{tensor}` are silently wrong ({{grad}})"
    )

    def __init__(self, context) -> None:
        super().__init__(context)
        self._timeline: Optional[Timeline] = None

    def visit_Call(self, node: cst.Call) -> None:
        if inplace_method_of(node) is None:
            return
        receiver = node.func.value  # type: ignore[attr-defined]
        data = _data_attribute(receiver)
        if data is not None:
            self._check(node, data)
            return
        # `d = x.data; d.zero_()`: the name holds what `.data` returned.
        fact = self.fact(receiver)
        if fact is not None and fact.value.is_data and fact.value.data_grad is not None and fact.site.grad_enabled:
            if not self._pending(fact.site, fact.value.view_of):
                return
            message = self.MESSAGE.format(what=code(node), tensor=fact.value.view_of or code(receiver))
            self.report(node, message, None, fact.value.data_grad, target=receiver)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            data = _data_attribute(target.target)
            if data is not None:
                self._check(node, data)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        data = _data_attribute(node.target)
        if data is not None:
            self._check(node, data)

    def _check(self, node: cst.CSTNode, data: cst.Attribute) -> None:
        fact = self.fact(data.value)
        if fact is None or fact.value.kind is not Kind.TENSOR:
            return
        reason = self.gradient_reason(fact.site, fact.value)
        if reason is None or not self._pending(fact.site, dotted_name(data.value)):
            return
        message = self.MESSAGE.format(what=code(node), tensor=code(data.value))
        self.report(node, message, None, reason, target=data.value)

    def _pending(self, site: Site, name: Optional[str]) -> bool:
        """Whether a graph that used the tensor can be pending here: not in code that builds
        the model, and only after a use of the tensor with no backward() since."""
        if self._timeline is None:
            self._timeline = Timeline(self.context.module, self.context.facts)
        if self._timeline.in_init_code(site):
            return False
        return name is not None and self._timeline.graph_pending_for(site, name)


def _data_attribute(node: cst.BaseExpression):
    """The ``t.data`` at the root of ``t.data``, ``t.data[i]``, ``t.data[i].view(...)``."""
    while True:
        if type(node) is cst.Attribute and node.attr.value == "data":
            return node
        if type(node) is cst.Subscript:
            node = node.value
        elif type(node) is cst.Call and type(node.func) is cst.Attribute:
            node = node.func.value
        elif type(node) is cst.Attribute:
            node = node.value
        else:
            return None
