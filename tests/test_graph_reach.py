"""graph_reach.py: a change to a saved tensor breaks backward only when something computed from
the saving op can reach a backward. Each test is a small program; the category is what must
come out. The shapes where the graph escapes keep `breaks-backward`."""

from __future__ import annotations

import textwrap

import pytest

from inplace_fixer import Config, check_source
from inplace_fixer.model import BREAKS_BACKWARD, IN_GRADIENT_PATH

TEMPLATE = """
import torch
import torch.nn as nn
def helper(t):
    return t
class Select(nn.Module):
    def __init__(self):
        super().__init__()
        self.q = nn.Linear(8, 8)
    def forward(self, x, local):
        scores = self.q(x)
        best = scores.amax(dim=-1, keepdim=True)
        best.scatter_(-1, local, 1.0)
        values, indices = best.topk(1, dim=-1)
{tail}
"""


def category(tail: str) -> str:
    source = textwrap.dedent(TEMPLATE).format(tail=textwrap.indent(textwrap.dedent(tail), " " * 8))
    result = check_source(source, "case.py", Config())
    assert result.error is None, result.error
    (finding,) = [f for f in result.findings if f.start.line == 13]
    return finding.category


def test_only_integer_indices_leave_the_function() -> None:
    assert category("return indices.masked_fill(values == 0, -1)") == IN_GRADIENT_PATH
    assert category("n = int(indices.sum())\nreturn n") == IN_GRADIENT_PATH


@pytest.mark.parametrize(
    "tail",
    [
        "return values",  # the values carry amax's graph out
        "return indices, values",
        "self.cache = values\nreturn indices",  # stored on an object
        "out = helper(values)\nreturn indices",  # the file's own function: not followed here
        "values.sum().backward()\nreturn indices",  # differentiated right here
        "torch.autograd.grad(values.sum(), [x])\nreturn indices",
        "yield values",
        "local.copy_(values.long())\nreturn indices",  # into the caller's tensor
        "f = lambda: values\nreturn indices",  # a closure keeps it
        "sent = yield values\nreturn indices",
        "buf = torch.zeros(4, 1)\ntorch.mul(values, 2, out=buf)\nreturn buf",
        "setattr(self, 'cache', values)\nreturn indices",
    ],
)
def test_a_graph_that_escapes_still_breaks_backward(tail: str) -> None:
    assert category(tail) == BREAKS_BACKWARD


def test_a_local_buffer_carries_the_slice() -> None:
    assert category("buf = torch.zeros(4, 1)\nbuf.copy_(values)\nreturn buf") == BREAKS_BACKWARD
    assert category("buf = torch.zeros(4, 1)\nbuf[0] = values[0]\nreturn buf") == BREAKS_BACKWARD
    assert category("buf = torch.zeros(4, 1)\nbuf.copy_(values)\nreturn indices") == IN_GRADIENT_PATH


def test_a_loop_carries_the_slice_to_earlier_lines() -> None:
    assert category("acc = None\nfor _ in range(2):\n    out = acc\n    acc = values\nreturn out") == BREAKS_BACKWARD


def test_module_level_code_is_never_judged_dead() -> None:
    source = textwrap.dedent(
        """
        import torch
        x = torch.randn(4, 8, requires_grad=True)
        best = x.amax(dim=-1)
        best.mul_(2)
        idx = best.topk(1)[1]
        """
    )
    (finding,) = check_source(source, "case.py", Config()).findings
    assert finding.category == BREAKS_BACKWARD
