"""The library entry point: categories, selection, suppression, failures as values."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from inplace_fixer import Applicability, Config, check_source
from inplace_fixer.model import BREAKS_BACKWARD, IN_GRADIENT_PATH, SILENT_WRONG_GRADIENT
from inplace_fixer.suppression import ALL, suppressions


def check(source: str, **config):
    return check_source(textwrap.dedent(source), "case.py", Config(**config))


SAVED = """\
import torch
x = torch.randn(3, requires_grad=True)
y = torch.sigmoid(x)
y.mul_(2)
z = x * 2
z *= 3
"""


def test_category_names_the_op_that_saved_the_tensor_and_its_line():
    saved, merely = check(SAVED).findings
    assert saved.category == BREAKS_BACKWARD
    assert saved.message == (
        "`y.mul_(2)` modifies `y`, which torch.sigmoid (line 3) saved for its backward; "
        "backward will raise. Fix: `y = y * 2`"
    )
    assert merely.category == IN_GRADIENT_PATH
    assert "no earlier op saved `z`" in merely.reason


@pytest.mark.parametrize(
    "body, expected",
    [
        ("x.add_(1)", "leaf tensor that requires grad"),
        ("x[0:2].add_(1)", "view of a leaf"),
        ("a, b = x.chunk(2)\na.mul_(2)", "unbind/split/chunk"),
        ("h = x * 1\nfor row in h.view(3, 1):\n    row.add_(1)", "unbind/split/chunk"),
        ("h = x.exp()\ntorch.relu_(h)", "saved for its backward"),
        ("h = x * 1\nw = torch.ones(3)\ntorch.mul(h, w, out=w)", "torch raises at this line"),
        ("h = x * 2\nwith torch.no_grad():\n    v = h[:2]\nv.mul_(3)", "made under no_grad"),
        ("with torch.inference_mode():\n    s = torch.ones(3)\ns.mul_(2)", "an inference tensor"),
    ],
)
def test_what_breaks_backward(body, expected):
    result = check(f"import torch\nx = torch.randn(3, requires_grad=True)\n{body}\n")
    assert result.findings, "expected a finding"
    finding = result.findings[-1]
    assert finding.category == BREAKS_BACKWARD
    assert expected in finding.message + " " + (finding.reason or "")


def test_data_and_logical_mutations_are_silent_wrong_gradients():
    result = check(
        "import torch\nx = torch.randn(3, requires_grad=True)\ny = x.exp()\ny.data.add_(1)\nz = x * 3\nz.logical_not_()\n"
    )
    assert [(f.code, f.category, f.fix) for f in result.findings] == [
        ("IPF007", SILENT_WRONG_GRADIENT, None),
        ("IPF008", SILENT_WRONG_GRADIENT, None),
    ]


def test_selecting_a_category_reports_and_fixes_only_that():
    result = check(SAVED, select=("breaks-backward",))
    assert [f.code for f in result.findings] == ["IPF002"]
    assert "y = y * 2" in result.fixed_source and "z *= 3" in result.fixed_source
    ignored = check(SAVED, ignore=("breaks-backward",))
    assert [f.category for f in ignored.findings] == [IN_GRADIENT_PATH]


def test_module_with_inplace_after_a_layer_that_saves_its_output():
    result = check(
        """\
        import torch
        from torch import nn
        gate = nn.Sequential(nn.Sigmoid(), nn.ReLU(inplace=True))
        plain = nn.Sequential(nn.Linear(3, 3), nn.ReLU(inplace=True))
        """
    )
    categories = [f.category for f in result.findings]
    assert categories == [BREAKS_BACKWARD, IN_GRADIENT_PATH]


@pytest.mark.parametrize(
    "comment, suppressed",
    [
        ("# noqa: IPF002", True),
        ("# noqa: IPF001", False),
        ("# noqa", True),
        ("# inplace-fixer: ignore[IPF002]", True),
        ("# inplace-fixer: ignore", True),
        ("# inplace-fixer: ignore[IPF001, IPF003]", False),
    ],
)
def test_suppression_comments_also_stop_the_fix(comment, suppressed):
    source = f"import torch\nx = torch.randn(3, requires_grad=True)\ny = x.exp()\ny.mul_(2)  {comment}\n"
    result = check(source)
    assert (not result.findings) is suppressed
    assert (result.fixed_source == source) is suppressed


def test_suppression_reads_comments_not_strings():
    table = suppressions("x = '# noqa'\ny = 1  # noqa: IPF001,IPF002\n")
    assert 1 not in table
    assert table[2] == frozenset({"IPF001", "IPF002"})
    assert suppressions("z = 2  # noqa\n")[1] == frozenset({ALL})


@pytest.mark.parametrize("source", ["def f(:\n    pass\n", "def f(:\n    x += 1\n", "x = [\n"])
def test_a_file_that_does_not_parse_is_a_value_not_an_exception(source):
    result = check_source(source, "bad.py")
    assert result.error is not None and result.error.startswith("cannot parse: ")
    assert "line" in result.error
    assert result.findings == () and result.fixed_source is None


def test_a_file_without_findings_is_returned_untouched():
    source = "import torch\r\nx = torch.zeros(3)\r\nx += 1\r\n"
    result = check_source(source)
    assert result.findings == () and result.fixed_source == source


def test_unsafe_fixes_carry_their_reason_and_apply_only_when_asked():
    source = "import torch\nfrom torch import nn\nclass M(nn.Module):\n    def forward(self, x):\n        x.mul_(2)\n        return x\n"
    safe = check_source(source)
    (finding,) = safe.findings
    assert finding.fix.applicability is Applicability.UNSAFE
    assert "argument of forward()" in finding.fix.reason
    assert safe.fixed_source == source
    unsafe = check_source(source, config=Config(unsafe_fixes=True))
    assert "x = x * 2" in unsafe.fixed_source


def test_each_fix_is_one_minimal_edit_that_reproduces_the_fixed_source():
    result = check(SAVED)
    assert all(len(f.fix.edits) == 1 for f in result.findings)
    text = textwrap.dedent(SAVED)
    starts = [0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    for finding in reversed(result.findings):
        edit = finding.fix.edits[0]
        # Only the flagged statement's own line is replaced, never more of the file.
        assert edit.start.line == finding.start.line and edit.end.line <= finding.end.line + 1
        start = starts[edit.start.line - 1] + edit.start.col - 1
        end = starts[edit.end.line - 1] + edit.end.col - 1
        text = text[:start] + edit.content + text[end:]
    assert text == result.fixed_source
    cst.parse_module(result.fixed_source)


def test_a_leaf_passed_to_a_module_of_the_file_makes_forward_in_place_break():
    result = check(
        """\
        import torch
        from torch import nn
        class Layer(nn.Module):
            def forward(self, x):
                x.mul_(2)
                return x
        leaf = torch.tensor([2.0], requires_grad=True)
        Layer()(leaf).sum().backward()
        """
    )
    (finding,) = result.findings
    assert finding.category == BREAKS_BACKWARD
    assert "the call on line 8 passes a leaf tensor that requires grad" in finding.message


def test_a_loop_that_saves_a_view_of_a_buffer_breaks_the_next_write_into_it():
    result = check(
        """\
        import torch
        from torch import nn
        class RNN(nn.Module):
            def __init__(self):
                super().__init__()
                self.cell = nn.Linear(4, 4)
            def forward(self, x):
                outputs = torch.zeros(5, 4)
                for t in range(5):
                    previous = outputs[t - 1] if t > 0 else x
                    h = torch.tanh(self.cell(previous))
                    outputs[t] = h
                return outputs
        """
    )
    (finding,) = result.findings
    assert finding.category == BREAKS_BACKWARD
    assert "`self.cell` (nn.Linear) (line 11) saved" in finding.message
    # `previous` is reassigned before it is read again, so the clone fix is safe.
    assert finding.fix.applicability is Applicability.SAFE


def test_findings_only_mode_gives_the_same_findings_without_the_fixed_source():
    full = check(SAVED)
    findings_only = check_source(textwrap.dedent(SAVED), "case.py", Config(), fix=False)
    assert findings_only.findings == full.findings
    assert findings_only.fixed_source is None and not findings_only.changed
