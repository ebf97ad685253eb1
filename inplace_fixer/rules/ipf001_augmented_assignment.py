from __future__ import annotations

import libcst as cst

from inplace_fixer import fixes
from inplace_fixer.inference import Kind
from inplace_fixer.rules.base import Invalid, Rule, code, in_path_message
from inplace_fixer.rules.leaf_edit import leaf_edit_fix
from inplace_fixer.rules.index_forms import augmented_index_fix


class AugmentedAssignment(Rule):
    """
    ## What it does
    Flags augmented assignments (`+= -= *= /= //= %= **= &= |= ^= <<= >>=`) on a tensor that may
    require grad: on a name (`y *= 3`), an attribute (`self.h += x`) or an element (`x[i] += v`).

    ## Why is this bad?
    On a tensor, `y *= 3` calls `y.mul_(3)`: it changes the tensor in place. If an earlier
    operation saved `y` for its backward pass (sigmoid, exp, tanh, relu save their output), or `y`
    is a leaf that requires grad, `backward()` raises "one of the variables needed for gradient
    computation has been modified by an inplace operation", and torch names the forward op, never
    this line. `@=` is not in place on tensors (there is no `__imatmul__`) and is not flagged.

    ## Example
    ```python
    y = torch.sigmoid(x)
    y *= 3
    ```

    ## Use instead
    ```python
    y = torch.sigmoid(x)
    y = y * 3
    ```
    Elements: `x[i] += v` becomes `x = x.select_scatter(x[i] + v, 0, i)` (an index),
    `x = x.slice_scatter(x[a:b] + v, 0, a, b)` (a slice), or `x = x.clone()` followed by the
    original statement, which then changes a fresh copy that no backward pass saved.

    ## Fix safety
    Safe when the target is a local tensor that nothing else refers to and the right-hand side
    cannot change the dtype (a number, or a tensor of the same known dtype). Unsafe when another
    reference could see the difference: the target is a function argument, an attribute, a view
    or an alias of another tensor, an element of a list; when the right-hand side may promote the
    dtype (`+=` keeps the target's dtype, `+` promotes); or when the target is a leaf that requires
    grad (after the rewrite its `.grad` is no longer filled). A Parameter attribute is never
    rebound: assigning a plain tensor to it raises.
    A deliberate edit of a leaf that requires grad or of a Parameter (`p -= lr * p.grad` after
    `backward()`, `w[0] *= 1.0001` right after `w` is made, `self.weight[:, k] -= v`) is not
    rebound: its unsafe fix wraps the statement in `with torch.no_grad():`, which keeps the very
    tensor, its `.grad` and the optimizer's hold on it (no gradient flows through that line).
    It is offered when no op of a pending graph saved the tensor and nothing written requires grad.
    """

    code = "IPF001"
    name = "augmented-assignment"
    summary = "augmented assignment changes a tensor of the gradient path in place"
    fixable = "sometimes"

    VALID = [
        "import torch\nx = torch.randn(3, requires_grad=True)\ny = x @ x\ny @= x\n",
        "total = 0\nfor i in range(3):\n    total += i\n",
        "import torch\nwith torch.no_grad():\n    w = torch.ones(3, requires_grad=True)\n    w -= 0.1\n",
        "import torch\nbuf = torch.zeros(3)\nbuf += 1\n",
        "import torch\nx = torch.randn(3, requires_grad=True)\nxs = x.tolist()\nxs += [1]\n",
    ]
    INVALID = [
        Invalid(
            "import torch\nx = torch.randn(3, requires_grad=True)\ny = x * 2\ny *= 3\n",
            expected="import torch\nx = torch.randn(3, requires_grad=True)\ny = x * 2\ny = y * 3\n",
        ),
        Invalid(
            "import torch\nx = torch.randn(3, requires_grad=True)\nbias = torch.arange(3)\ny = x.exp()\ny -= bias - 1  # shift\n",
            unsafe_expected=(
                "import torch\nx = torch.randn(3, requires_grad=True)\nbias = torch.arange(3)\ny = x.exp()\n"
                "y = y - (bias - 1)  # shift\n"
            ),
        ),
        Invalid(
            "import torch\nx = torch.randn(3, requires_grad=True)\ny = torch.sigmoid(x)\ny[0] += 1\n",
            expected="import torch\nx = torch.randn(3, requires_grad=True)\ny = torch.sigmoid(x)\ny = y.select_scatter(y[0] + 1, 0, 0)\n",
        ),
    ]

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if isinstance(node.operator, cst.MatrixMultiplyAssign):
            return
        target = node.target
        base = target.value if isinstance(target, cst.Subscript) else target
        fact = self.fact(base)
        if isinstance(target, cst.Subscript) and fact is not None and fact.value.kind in (Kind.CONTAINER, Kind.TENSORS):
            # `parts[0] += t` on a list of tensors changes the element in place: judged on it.
            base, target = target, target
            fact = self.fact(base)
        if fact is None or fact.value.kind is not Kind.TENSOR or fact.value.is_data:
            return
        operand = self.value(node.value)
        reason = self.gradient_reason(fact.site, fact.value, [operand])
        if reason is None or fixes.follows_fresh_clone(fact.site, base):
            return
        message = in_path_message(code(node), code(base))
        fix = leaf_edit_fix(fact.site, self.context.torch_name, base, fact.value, [operand])
        if fix is not None:
            pass
        elif isinstance(target, cst.Subscript):
            fix = augmented_index_fix(self, fact.site, node, target, fact.value)
        else:
            new_value = fixes.binary(target, fixes.AUGMENTED_TO_BINARY[type(node.operator)], node.value)
            doubt = fixes.operand_doubt(code(target), fact.value, [(node.value, operand)])
            fix = fixes.statement_fix(fact.site, node, target, fact.value, new_value, doubt)  # type: ignore[arg-type]
        self.report(node, message, fix, reason, target=base)
