from __future__ import annotations

import libcst as cst

from inplace_fixer import fixes
from inplace_fixer.inference import Kind
from inplace_fixer.model import Applicability
from inplace_fixer.rules.base import Invalid, ProposedFix, Rule, code, in_path_message
from inplace_fixer.rules.leaf_edit import leaf_edit_fix
from inplace_fixer.rules.loop_fill import loop_fill_fix
from inplace_fixer.rules.index_forms import assignment_index_fix

# Node types are tested with `type(node) is cst.X`: libcst's concrete node classes have no
# subclasses, and an isinstance that fails on one costs an ABC check (millions per tree).


class IndexAssignment(Rule):
    """
    ## What it does
    Flags writes into elements of a tensor of the gradient path: `x[mask] = 0`, `x[:, 0] = v`,
    `outputs[t] = h`, including a buffer that becomes part of the gradient path because the value
    written requires grad (`buf = torch.zeros(n); buf[0] = h`).

    ## Why is this bad?
    `x[i] = v` calls `x.__setitem__`, which copies into `x` in place (`copy_`, `index_put_`,
    `fill_`). If an earlier operation saved `x` for backward, backward raises "one of the variables
    needed for gradient computation has been modified by an inplace operation"; on a leaf that
    requires grad (or a view of one) the write raises at once.

    ## Example
    ```python
    y = torch.sigmoid(x)
    y[y < 0.5] = 0
    outputs[t] = h
    ```

    ## Use instead
    ```python
    y = torch.sigmoid(x)
    y = y.masked_fill(y < 0.5, 0)
    outputs = outputs.clone()
    outputs[t] = h
    ```
    A mask computed from the tensor itself with a number becomes `masked_fill`; any other write
    keeps its exact meaning (broadcasting, casting, duplicate indices) by writing into a fresh
    clone, which no backward pass saved. When the value written reads the tensor itself
    (`a[0] = a[1].sin()`), the value is computed first (`a_value = a[1].sin()`), then the clone
    is made and written: Python evaluates the right-hand side after the clone otherwise, and an op
    there would save the very copy the write changes.

    A tensor allocated just before a loop and filled at the loop counter (`outputs =
    torch.zeros(T, B, H)`, then `outputs[t] = h` in `for t in range(T)`), and not read inside the
    loop, becomes a list: `outputs = []`, `outputs.append(h)`, and `outputs =
    torch.stack(outputs)` after the loop. A clone per iteration costs memory and time quadratic
    in T (bench/bench_loop_fill.py: at T = 512, 0.17x the step time and 0.014x the peak memory).

    ## Fix safety
    Safe when the tensor is a local that nothing else refers to. Unsafe when the write could be
    seen elsewhere (a function argument, an attribute, a view or alias, a list element) or the
    tensor is a leaf that requires grad. Report-only for an attribute that holds a Parameter.
    The list fix of a loop is safe when the loop runs over the whole first dimension (`range(T)`
    for `zeros(T, ...)`) and the rows written have the tensor's dtype; unsafe otherwise (rows the
    loop does not write would be missing; a write casts, torch.stack does not). It assumes each
    row written has the row's shape, as an RNN's state has (a write would broadcast a smaller one),
    and that the loop runs at least once (torch.stack of an empty list raises).
    A deliberate edit of a leaf that requires grad or of a Parameter (`p -= lr * p.grad` after
    `backward()`, `w[0] *= 1.0001` right after `w` is made, `self.weight[:, k] -= v`) is not
    rebound: its unsafe fix wraps the statement in `with torch.no_grad():`, which keeps the very
    tensor, its `.grad` and the optimizer's hold on it (no gradient flows through that line).
    It is offered when no op of a pending graph saved the tensor and nothing written requires grad.
    """

    code = "IPF006"
    name = "index-assignment"
    summary = "element or slice assignment into a tensor of the gradient path"
    fixable = "sometimes"

    VALID = [
        "import torch\nimg = torch.zeros(3)\nimg[0] = 1\n",
        "d = {}\nd['a'] = 1\n",
        "import numpy as np\na = np.zeros(3)\na[0] = 1\n",
        "import torch\nx = torch.randn(3, requires_grad=True)\nwith torch.no_grad():\n    x[0] = 0\n",
    ]
    INVALID = [
        Invalid(
            "import torch\nx = torch.randn(3, requires_grad=True)\ny = torch.sigmoid(x)\ny[y < 0.5] = 0\n",
            expected="import torch\nx = torch.randn(3, requires_grad=True)\ny = torch.sigmoid(x)\ny = y.masked_fill(y < 0.5, 0)\n",
        ),
        Invalid(
            "import torch\nh = torch.randn(3, requires_grad=True)\nbuf = torch.zeros(4, 3)\nbuf[0] = h\n",
            expected="import torch\nh = torch.randn(3, requires_grad=True)\nbuf = torch.zeros(4, 3)\nbuf = buf.clone()\nbuf[0] = h\n",
        ),
    ]

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if type(target.target) is cst.Subscript:
                self._check(node, target.target)

    def _check(self, node: cst.Assign, target: cst.Subscript) -> None:
        base = target.value
        fact = self.fact(base)
        if fact is None or fact.value.kind is not Kind.TENSOR or fact.value.is_data:
            return
        reason = self.gradient_reason(fact.site, fact.value, [self.value(node.value)])
        if reason is None or fixes.follows_fresh_clone(fact.site, base):
            return
        fix = leaf_edit_fix(fact.site, self.context.torch_name, base, fact.value, [self.value(node.value)])
        if fix is None:
            fix = loop_fill_fix(self, fact.site, node, target) or assignment_index_fix(self, fact.site, node, target, fact.value)
        if fix is None:
            fix = ProposedFix(Applicability.DISPLAY_ONLY, f"`{code(base)}` is not a name or attribute that can be rebound",
                              fact.site.statement, fact.site.statement)
        self.report(node, in_path_message(code(target) + " = ...", code(base)), fix, reason, target=base)
