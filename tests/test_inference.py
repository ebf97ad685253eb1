"""The inference on its own, through its libcst metadata provider."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from inplace_fixer.inference import Kind, TensorFactsProvider


def value_at(source: str, name: str, line: int):
    """The value the inference gave the last use of ``name`` on ``line``."""
    source = textwrap.dedent(source)
    wrapper = MetadataWrapper(cst.parse_module(source))
    facts = wrapper.resolve(TensorFactsProvider)
    positions = wrapper.resolve(PositionProvider)
    found = [
        (positions[node].start.column, fact)
        for node, fact in facts.items()
        if isinstance(node, (cst.Name, cst.Attribute))
        and wrapper.module.code_for_node(node) == name
        and positions[node].start.line == line
    ]
    assert found, f"`{name}` is not evaluated on line {line}"
    return max(found, key=lambda item: item[0])[1]


def render(reason) -> str:
    return reason.render(lambda node: "N") if reason is not None else ""


@pytest.mark.parametrize(
    "imports, call",
    [
        ("import torch", "torch.randn(3)"),
        ("import torch as T", "T.zeros(3)"),
        ("from torch import randn", "randn(3)"),
        ("from torch.nn import functional as F\nimport torch", "F.relu(torch.ones(3))"),
        ("import torch.nn.functional as F\nimport torch", "F.gelu(torch.ones(3))"),
        ("from torch import nn\nimport torch", "nn.Linear(3, 3)(torch.ones(3))"),
    ],
)
def test_torch_calls_resolve_through_any_import_alias(imports, call):
    source = f"{imports}\ny = {call}\nprint(y)\n"
    line = source.count("\n")
    assert value_at(source, "y", line).value.kind is Kind.TENSOR


@pytest.mark.parametrize(
    "expression",
    ["x.item()", "x.tolist()", "x.size()", "x.shape", "x.dim()", "x.numel()", "len(x)", "x.numpy()",
     "np.zeros(3)", "3", "[x]", "{'a': x}", "'text'", "unknown_function(x)", "x.size(0)"],
)
def test_non_tensors_are_never_tensors(expression):
    source = f"import torch\nimport numpy as np\nx = torch.randn(3, requires_grad=True)\ny = {expression}\nprint(y)\n"
    assert value_at(source, "y", 5).value.kind is not Kind.TENSOR


def test_user_class_with_an_add__method_is_not_a_tensor():
    source = "class Box:\n    def add_(self, n):\n        pass\nb = Box()\nb.add_(1)\n"
    assert value_at(source, "b", 5).value.kind is not Kind.TENSOR


def test_flow_sensitive_within_a_function():
    source = """\
    import torch
    def f(x: torch.Tensor):
        y = x * 2
        print(y)
        y = y.tolist()
        print(y)
    """
    assert value_at(source, "y", 4).value.kind is Kind.TENSOR
    assert value_at(source, "y", 6).value.kind is not Kind.TENSOR


def test_branches_join_to_unknown_when_they_disagree_and_keep_agreement():
    source = """\
    import torch
    x = torch.randn(3, requires_grad=True)
    if x.sum() > 0:
        a = x * 2
        b = x * 3
    else:
        a = [1, 2]
        b = x + 1
    print(a, b)
    """
    assert value_at(source, "a", 9).value.kind is Kind.UNKNOWN
    assert value_at(source, "b", 9).value.kind is Kind.TENSOR


def test_loops_carry_facts_into_the_next_iteration():
    source = """\
    import torch
    w = torch.randn(3, requires_grad=True)
    h = torch.zeros(3)
    for _ in range(3):
        print(h)
        h = h + w
    """
    assert value_at(source, "h", 5).value.grad is not None


@pytest.mark.parametrize(
    "setup, expected",
    [
        ("x = torch.randn(3, requires_grad=True)", "created with requires_grad=True"),
        ("x = torch.randn(3)\nx.requires_grad_()", "requires_grad_()"),
        ("x = nn.Parameter(torch.randn(3))", "nn.Parameter"),
        ("m = nn.Linear(3, 3)\nx = m(torch.randn(3))", "output of `m`, an nn.Module"),
    ],
)
def test_gradient_sources_carry_their_reason(setup, expected):
    source = f"import torch\nfrom torch import nn\n{setup}\ny = x * 2\nprint(y)\n"
    line = source.count("\n")
    fact = value_at(source, "y", line)
    assert expected in render(fact.value.grad)
    assert "line N" in render(fact.value.grad) or "requires_grad_" in render(fact.value.grad) or "module" in render(fact.value.grad)


@pytest.mark.parametrize(
    "block",
    [
        "with torch.no_grad():\n    y = x * 2\n    print(y)",
        "with torch.inference_mode():\n    y = x * 2\n    print(y)",
        "with torch.set_grad_enabled(False):\n    y = x * 2\n    print(y)",
        "y = x.detach() * 2\nprint(y)",
        "y = torch.zeros(3) * 2\nprint(y)",
    ],
)
def test_no_gradient_path(block):
    source = f"import torch\nx = torch.randn(3, requires_grad=True)\n{block}\n"
    line = source.count("\n")
    fact = value_at(source, "y", line)
    assert fact.value.kind is Kind.TENSOR
    assert fact.value.grad is None or not fact.site.grad_enabled


def test_enable_grad_inside_no_grad_switches_it_back_on():
    source = """\
    import torch
    x = torch.randn(3, requires_grad=True)
    with torch.no_grad():
        with torch.enable_grad():
            y = x * 2
            print(y)
    """
    fact = value_at(source, "y", 6)
    assert fact.site.grad_enabled and fact.value.grad is not None


@pytest.mark.parametrize("decorator", ["@torch.no_grad()", "@torch.no_grad", "@torch.inference_mode()"])
def test_decorated_functions_run_without_grad(decorator):
    source = f"import torch\n{decorator}\ndef step(p: torch.Tensor):\n    p.add_(1)\n"
    assert not value_at(source, "p", 4).site.grad_enabled


def test_mixing_a_grad_tensor_into_a_buffer_puts_the_buffer_in_the_path():
    source = """\
    import torch
    h = torch.randn(3, requires_grad=True)
    buf = torch.zeros(4, 3)
    print(buf)
    buf[0] = h
    print(buf)
    """
    assert value_at(source, "buf", 4).value.grad is None
    assert "requires_grad=True" in render(value_at(source, "buf", 6).value.grad)


def test_module_attributes_and_forward_arguments():
    source = """\
    import torch
    from torch import nn
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.weight = nn.Parameter(torch.ones(3))
            self.fc = nn.Linear(3, 3)
            self.register_buffer("scale", torch.ones(3))
        def forward(self, x, mask=None, flag: bool = False):
            print(self.weight, self.scale, self.fc(x), x, flag)
    """
    weight = value_at(source, "self.weight", 10).value
    assert weight.is_parameter and "`self.weight` (nn.Parameter" in render(weight.grad)
    scale = value_at(source, "self.scale", 10).value
    assert scale.kind is Kind.TENSOR and scale.grad is None
    assert value_at(source, "self.fc", 10).value.kind is Kind.MODULE
    x = value_at(source, "x", 10).value
    assert x.kind is Kind.TENSOR and "argument of forward()" in render(x.grad)
    assert value_at(source, "flag", 10).value.kind is not Kind.TENSOR


@pytest.mark.parametrize("annotation", ["Tensor", "torch.Tensor", "Optional[Tensor]", "Tensor | None"])
def test_tensor_annotations(annotation):
    source = f"import torch\nfrom torch import Tensor\nfrom typing import Optional\ndef f(x: {annotation}):\n    print(x)\n"
    assert value_at(source, "x", 5).value.kind is Kind.TENSOR


@pytest.mark.parametrize("call", ["torch.chunk(x, 2)", "x.split(1)", "x.unbind(0)", "torch.max(x, dim=0)"])
def test_tuple_unpacking_of_tensor_returning_calls(call):
    source = f"import torch\nx = torch.randn(2, 3, requires_grad=True)\na, b = {call}\nprint(a)\n"
    fact = value_at(source, "a", 4)
    assert fact.value.kind is Kind.TENSOR and fact.value.grad is not None


def test_views_and_aliases_are_remembered_for_fix_safety():
    source = """\
    import torch
    x = torch.randn(3, requires_grad=True)
    h = x * 2
    v = h[:2]
    a = h
    print(v, a, h)
    """
    assert "view of `h`" in render(value_at(source, "v", 6).value.alias)
    assert "`v` (line N) shares memory with `h`" in render(value_at(source, "h", 6).value.alias)
    aliased = "import torch\nx = torch.randn(3, requires_grad=True)\nh = x * 2\na = h\nprint(a, h)\n"
    assert "`a = h` (line N) makes `a` and `h` the same tensor" == render(value_at(aliased, "a", 5).value.alias)
    assert value_at(aliased, "h", 5).value.alias is not None


def test_saved_tensors_come_from_torch_derivative_formulas():
    source = """\
    import torch
    x = torch.randn(3, requires_grad=True)
    w = torch.randn(3)
    s = torch.sigmoid(x)
    p = x * 2
    q = x * w
    print(s, p, q, w)
    """
    assert "torch.sigmoid" in render(value_at(source, "s", 7).value.saved_by)  # saves its result
    assert value_at(source, "p", 7).value.saved_by is None  # add/mul results are not saved
    assert "`*`" in render(value_at(source, "w", 7).value.saved_by)  # mul saves the other input


def test_backward_releases_saved_tensors():
    source = """\
    import torch
    x = torch.randn(3, requires_grad=True)
    s = torch.sigmoid(x)
    s.sum().backward()
    print(s)
    """
    assert value_at(source, "s", 5).value.saved_by is None


@pytest.mark.parametrize("factory", ["x.new_zeros(3)", "x.new_full((3,), 1.0)", "x.new_tensor([1.0])", "torch.empty_like(x)"])
def test_new_tensors_made_from_a_grad_tensor_do_not_require_grad(factory):
    source = f"import torch\nx = torch.randn(3, requires_grad=True)\ny = {factory}\nprint(y)\n"
    fact = value_at(source, "y", 4)
    assert fact.value.kind is Kind.TENSOR and fact.value.grad is None
