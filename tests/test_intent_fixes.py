"""Fixes that keep what the code meant: no_grad around deliberate leaf edits, value-first element
writes, the list-and-stack loop fix, and Fix texts that show each finding's own edit."""

from __future__ import annotations

import ast
import textwrap

from inplace_fixer import Config, check_source
from inplace_fixer.model import Applicability

UNSAFE = Config(unsafe_fixes=True)


def _source(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def test_no_grad_fix_is_indented_inside_nested_blocks() -> None:
    source = _source("""
        import torch

        def train(steps):
            s = torch.randn(3, requires_grad=True)
            for _ in range(steps):
                if True:
                    (s * s).sum().backward()
                    s -= 0.1 * s.grad  # the step
                    s.grad.zero_()
            return s
    """)
    result = check_source(source, "t.py", UNSAFE)
    (finding,) = result.findings
    assert finding.fix is not None and finding.fix.applicability is Applicability.UNSAFE
    assert "no_grad" in finding.fix.reason
    assert (
        "            with torch.no_grad():\n"
        "                s -= 0.1 * s.grad  # the step\n"
        "            s.grad.zero_()\n"
    ) in result.fixed_source
    ast.parse(result.fixed_source)
    assert check_source(result.fixed_source, "t.py", UNSAFE).findings == ()


def test_no_grad_fix_uses_the_modules_name_for_torch() -> None:
    source = "import torch as T\nw = T.ones(3, requires_grad=True)\nw[0] = 2.0\n"
    result = check_source(source, "t.py", UNSAFE)
    assert result.fixed_source == "import torch as T\nw = T.ones(3, requires_grad=True)\nwith T.no_grad():\n    w[0] = 2.0\n"


def test_a_leaf_edit_with_a_value_that_requires_grad_keeps_the_rebinding() -> None:
    source = "import torch\nx = torch.randn(3, requires_grad=True)\nacc = torch.zeros(3, requires_grad=True)\nacc += x * 2\n"
    (finding,) = check_source(source, "t.py", UNSAFE).findings
    assert "no_grad" not in finding.message and finding.fix.edits[0].content == "acc = acc + x * 2\n"


def test_a_leaf_used_in_an_expression_statement_is_not_wrapped() -> None:
    # Wrapping `y = w.add_(1) * x` in no_grad would also stop tracking `y`.
    source = "import torch\nx = torch.randn(3, requires_grad=True)\nw = torch.ones(3, requires_grad=True)\ny = w.add_(1) * x\n"
    (finding,) = check_source(source, "t.py", UNSAFE).findings
    assert "no_grad" not in (finding.fix.reason or "") and "no_grad" not in finding.message


def test_each_write_of_a_run_names_its_own_edit() -> None:
    source = _source("""
        import torch
        x = torch.randn(3, 4, requires_grad=True)
        y = torch.sigmoid(x)
        y[0, 1] = 0.5
        y[1, 2] = 0.25
    """)
    first, second = check_source(source, "t.py").findings
    assert first.message.endswith("Fix: `y = y.clone(); y[0, 1] = 0.5`")
    assert second.message.endswith("Fix: `y = y.clone()` before line 4, one copy for the writes from there to here")
    assert first.fix.edits == second.fix.edits  # one edit, applied once


def test_value_first_fix_picks_a_name_the_module_does_not_use() -> None:
    source = _source("""
        import torch
        x = torch.randn(4, requires_grad=True)
        a = x * 2
        a_value = 3
        a[0] = a[1].sin() * a_value
    """)
    result = check_source(source, "t.py")
    assert "a_value_2 = a[1].sin() * a_value\na = a.clone()\na[0] = a_value_2\n" in result.fixed_source


def test_loop_fill_fix_changes_the_allocation_and_the_loop_together() -> None:
    source = _source("""
        import torch
        from torch import nn
        cell = nn.RNNCell(3, 4)
        x = torch.randn(5, 2, 3)
        outputs = torch.empty(5, 2, 4)
        h = torch.zeros(2, 4)
        for t in range(0, 5):
            h = cell(x[t], h)
            h *= 2
            outputs[t] = h
        loss = outputs.sum()
    """)
    result = check_source(source, "t.py")
    findings = {f.code: f for f in result.findings}
    loop_fix = findings["IPF006"].fix
    assert loop_fix.applicability is Applicability.SAFE and len(loop_fix.edits) == 2
    # `h *= 2` has its own fix inside the loop the list fix rewrites: both end up applied.
    assert "outputs = []\n" in result.fixed_source
    assert "    h = h * 2\n    outputs.append(h)\noutputs = torch.stack(outputs)\nloss" in result.fixed_source
    assert len(result.fixed) == 2
    assert check_source(result.fixed_source, "t.py").findings == ()


def test_loop_fill_fix_is_unsafe_when_the_loop_misses_rows() -> None:
    source = _source("""
        import torch
        from torch import nn
        cell = nn.RNNCell(3, 4)
        outputs = torch.zeros(6, 2, 4)
        h = torch.zeros(2, 4)
        for t in range(5):
            h = cell(torch.randn(2, 3), h)
            outputs[t] = h
    """)
    (finding,) = check_source(source, "t.py").findings
    assert finding.fix.applicability is Applicability.UNSAFE
    assert "rows the loop does not write" in finding.fix.reason
