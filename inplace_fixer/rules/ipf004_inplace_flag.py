from __future__ import annotations

from typing import Optional

import libcst as cst

from inplace_fixer import fixes, saved_tensors, torch_data
from inplace_fixer.cst_fields import nodes_under
from inplace_fixer.inference import Kind, Reason
from inplace_fixer.inference.flags import true_flag
from inplace_fixer.model import BREAKS_BACKWARD, IN_GRADIENT_PATH, Applicability
from inplace_fixer.rules.base import Invalid, ProposedFix, Rule, code, in_path_message

SEQUENTIAL = frozenset({"torch.nn.Sequential", "torch.nn.modules.container.Sequential"})
RESIDUAL_RISK = (
    "without inplace=True the module no longer changes its input: code that reads the input after "
    "the call (a residual `act(h) + h`) would see the old values"
)


def self_calls(root: cst.CSTNode) -> list[cst.CSTNode]:
    """The calls ``self.<attr>(...)`` under ``root``, and the assignments whose value is one
    (libcst's ``findall`` with the matching matchers gives the same nodes, at several times the
    cost: on every edit of torchvision's resnet it took 40 ms)."""
    found: list[cst.CSTNode] = []
    for node in nodes_under(root):
        kind = type(node)
        if kind is cst.Call and _on_self(node.func):
            found.append(node)
        elif kind is cst.Assign and type(node.value) is cst.Call and _on_self(node.value.func):
            found.append(node)
    return found


def _on_self(func: cst.BaseExpression) -> bool:
    return type(func) is cst.Attribute and type(func.value) is cst.Name and func.value.value == "self"


class InplaceFlag(Rule):
    """
    ## What it does
    Flags `inplace=True` in `torch.nn.functional` calls (`F.relu(x, inplace=True)`,
    `F.dropout(x, p, training, True)`) on a tensor that may require grad, and in nn module
    constructors (`nn.ReLU(inplace=True)`, `nn.Dropout(p, True)`), keyword or positional. The
    functions and modules come from the installed torch; modules that store the flag but never
    use it (`nn.AlphaDropout`, `nn.FeatureAlphaDropout`) are not flagged.

    ## Why is this bad?
    With `inplace=True` the activation overwrites its input. After an op that saved that input
    or its own output (a sigmoid, a batch norm's input, a residual branch), backward raises "one
    of the variables needed for gradient computation has been modified by an inplace operation",
    and `act(h) + h` silently adds the rectified `h`.

    ## Example
    ```python
    h = torch.sigmoid(x)
    h = F.relu(h, inplace=True)
    self.act = nn.ReLU(inplace=True)
    ```

    ## Use instead
    ```python
    h = torch.sigmoid(x)
    h = F.relu(h)
    self.act = nn.ReLU()
    ```

    ## Fix safety
    For functions: safe when the input is a temporary or a local tensor nothing else refers to
    (the call's result is bound back to it); unsafe when the input could be seen elsewhere. For
    modules: safe inside `nn.Sequential` after the first layer (the input is the previous layer's
    output, which nobody else holds) and when every call of the module in its class is
    `h = self.act(h)`; unsafe otherwise, because code that reads the input after the call would
    see different values.
    """

    code = "IPF004"
    name = "inplace-flag"
    summary = "inplace=True in a torch.nn.functional call or an nn module"
    fixable = "sometimes"

    VALID = [
        "import torch.nn as nn\ndrop = nn.AlphaDropout(0.1, inplace=True)\n",
        "import torch.nn as nn\nact = nn.ReLU(inplace=False)\n",
        "import torch\nimport torch.nn.functional as F\nx = torch.randn(3)\ny = F.relu(x, inplace=True)\n",
    ]
    INVALID = [
        Invalid(
            "import torch\nimport torch.nn.functional as F\nx = torch.randn(3, requires_grad=True)\nh = torch.sigmoid(x)\nh = F.relu(h, inplace=True)\n",
            expected="import torch\nimport torch.nn.functional as F\nx = torch.randn(3, requires_grad=True)\nh = torch.sigmoid(x)\nh = F.relu(h)\n",
        ),
        Invalid(
            "import torch.nn as nn\nnet = nn.Sequential(nn.Linear(3, 3), nn.ReLU(inplace=True))\n",
            expected="import torch.nn as nn\nnet = nn.Sequential(nn.Linear(3, 3), nn.ReLU())\n",
        ),
        Invalid(
            "from torch import nn\nnet = nn.Sequential(nn.Linear(3, 3), nn.Dropout(0.5, True))\n",
            expected="from torch import nn\nnet = nn.Sequential(nn.Linear(3, 3), nn.Dropout(0.5))\n",
        ),
    ]

    def __init__(self, context) -> None:
        super().__init__(context)
        self._sequential_inner: set[int] = set()
        self._previous_layer: dict[int, str] = {}  # id(layer in nn.Sequential) -> the layer before
        self._rebinding_by_class: dict[int, dict[str, bool]] = {}

    def _rebinding_calls(self, class_node: cst.ClassDef) -> dict[str, bool]:
        """self.<attr> -> whether every call of it in the class is ``h = self.attr(h)``."""
        cached = self._rebinding_by_class.get(id(class_node))
        if cached is not None:
            return cached
        rebinding: dict[str, bool] = {}
        calls = self_calls(class_node)
        rebound_calls = set()
        for node in calls:
            if isinstance(node, cst.Assign):
                call = node.value
                args = call.args  # type: ignore[attr-defined]
                ok = (
                    len(node.targets) == 1 and len(args) == 1 and args[0].keyword is None
                    and isinstance(args[0].value, cst.Name) and node.targets[0].target.deep_equals(args[0].value)
                )
                attr = call.func.attr.value  # type: ignore[attr-defined]
                rebinding[attr] = rebinding.get(attr, True) and ok
                rebound_calls.add(id(call))
        for node in calls:
            if isinstance(node, cst.Call) and id(node) not in rebound_calls:
                rebinding[node.func.attr.value] = False  # type: ignore[attr-defined]
        self._rebinding_by_class[id(class_node)] = rebinding
        return rebinding

    def visit_Call(self, node: cst.Call) -> None:
        callee = self.value(node.func)
        if callee is None or callee.kind is not Kind.API or callee.qualname is None:
            return
        qualname = callee.qualname
        if qualname in SEQUENTIAL:
            for previous, arg in zip(node.args, node.args[1:]):
                self._sequential_inner.add(id(arg.value))
                layer = self.value(previous.value.func) if isinstance(previous.value, cst.Call) else None
                if layer is not None and layer.kind is Kind.API and layer.qualname is not None:
                    self._previous_layer[id(arg.value)] = layer.qualname
            return
        function_param = torch_data.functional_inplace_param(qualname)
        if function_param is not None:
            flag = true_flag(node, "inplace", function_param.position)
            if flag is not None:
                self._functional(node, flag)
            return
        module_param = torch_data.module_inplace_param(qualname)
        if module_param is not None and module_param.honours_inplace:
            flag = true_flag(node, "inplace", module_param.position)
            if flag is not None:
                self._module(node, flag)

    def _functional(self, node: cst.Call, flag: cst.Arg) -> None:
        if not node.args or node.args[0].keyword not in (None,) or node.args[0] is flag:
            return
        argument = node.args[0].value
        fact = self.fact(argument)
        if fact is None or fact.value.kind is not Kind.TENSOR:
            return
        reason = self.gradient_reason(fact.site, fact.value)
        if reason is None:
            return
        new_call = fixes.without_arg(node, flag)
        site = fact.site
        if isinstance(argument, (cst.Name, cst.Attribute)):
            fix = fixes.statement_fix(site, node, argument, fact.value, new_call) or ProposedFix(
                Applicability.DISPLAY_ONLY, f"the statement reads `{code(argument)}` before the call changes it",
                site.statement, site.statement,
            )
        elif fact.value.alias is not None:
            fix = ProposedFix(Applicability.UNSAFE, fact.value.alias, node, new_call)
        else:
            fix = ProposedFix(Applicability.SAFE, None, node, new_call)
        self.report(node, in_path_message(code(node), code(argument)), fix, reason, target=argument)

    def _module(self, node: cst.Call, flag: cst.Arg) -> None:
        fact = self.fact(node)
        if fact is None or not fact.site.grad_enabled:
            return
        new_call = fixes.without_arg(node, flag)
        if id(node) in self._sequential_inner:
            fix = ProposedFix(Applicability.SAFE, None, node, new_call)
        elif self._rebinding_attribute(fact) is True:
            fix = ProposedFix(Applicability.SAFE, None, node, new_call)
        else:
            fix = ProposedFix(Applicability.UNSAFE, RESIDUAL_RISK, node, new_call)
        message = (
            f"`{code(node)}` makes the module overwrite its input during forward(); "
            "after an op that saved that input or its own output, backward raises"
        )
        category, category_reason = self._module_category(node)
        self.report(node, message, fix, Reason("modules run in the forward pass"), None, category, category_reason)

    def _module_category(self, node: cst.Call):
        """What the module's calls seen in this file do to backward."""
        for argument in self.context.inplace_module_calls.get(id(node), ()):
            if argument.saved_by is not None:
                return BREAKS_BACKWARD, Reason(
                    f"it is called on a tensor that {argument.saved_by.template} saved for its backward; backward will raise",
                    argument.saved_by.node,
                )
            if argument.leaf is not None or argument.leaf_view is not None:
                return BREAKS_BACKWARD, "it is called on a leaf tensor that requires grad (or a view of one); torch raises"
        previous = self._previous_layer.get(id(node))
        if previous is not None:
            roles = saved_tensors.saves_for_call("module", previous)
            if roles is not None and roles.saves_output:
                short = previous.replace("torch.", "", 1)
                return BREAKS_BACKWARD, f"the layer before it in nn.Sequential ({short}) saves its output for backward; backward will raise"
        return IN_GRADIENT_PATH, "no call of this module in this file gets a tensor that an earlier op saved"

    def _rebinding_attribute(self, fact) -> Optional[bool]:
        statement = fact.site.statement
        function = fact.site.function
        if function is None or function.class_node is None:
            return None
        if isinstance(statement, cst.Assign) and len(statement.targets) == 1:
            target = statement.targets[0].target
            if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) and target.value.value == "self":
                return self._rebinding_calls(function.class_node).get(target.attr.value)
        return None
