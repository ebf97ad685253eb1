"""The saved-tensor data: fresh against the installed torch, and true when torch runs.

Every verdict below comes from running a small program under torch at test time and comparing
whether it raised with what ``inplace_fixer.saved_tensors`` says.
"""

from __future__ import annotations

import difflib
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from inplace_fixer.saved_tensors import (
    multi_output_view_ops,
    saves_for_call,
    torch_version,
    view_ops,
)
from tests.agreement.runtime import execute, run_program

REPO_ROOT = Path(__file__).resolve().parents[1]
GENERATOR = REPO_ROOT / "tools" / "generate_saved_tensors.py"
DATA = REPO_ROOT / "inplace_fixer" / "data" / "saved_tensors.json"
REGENERATE = "python tools/generate_saved_tensors.py"
DIFF_LINES_SHOWN = 60

PRELUDE = (
    "import torch\n"
    "x = torch.tensor([0.2, 0.5, 0.7], dtype=torch.float64, requires_grad=True)\n"
    "w = torch.tensor([0.3, 0.6, 0.8], dtype=torch.float64, requires_grad={w_grad})\n"
    "x2 = x * 1\n"
    "w2 = w * 1 if w.requires_grad else w\n"
)


def _program(call: str, mutation: str, w_grad: bool = True) -> str:
    return (
        PRELUDE.format(w_grad=w_grad) + f"y = {call}\n{mutation}\nloss = y.sum()\nloss.backward()\n"
    )


def test_data_file_matches_the_installed_torch() -> None:
    spec = importlib.util.spec_from_file_location("generate_saved_tensors", GENERATOR)
    generator = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = generator  # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(generator)
    fresh = generator.render(generator.build_data())
    current = DATA.read_text(encoding="utf-8")
    if fresh != current:
        diff = list(
            difflib.unified_diff(
                current.splitlines(), fresh.splitlines(), str(DATA), "regenerated", lineterm="", n=0
            )
        )
        pytest.fail(
            f"{DATA.name} is out of date for torch {generator.torch.__version__}"
            f" (file says {torch_version()}); regenerate with `{REGENERATE}` and review the"
            f" diff:\n"
            + "\n".join(diff[:DIFF_LINES_SHOWN])
            + ("\n..." if len(diff) > DIFF_LINES_SHOWN else ""),
            pytrace=False,
        )


@pytest.mark.parametrize(
    ("kind", "name", "call"),
    [
        ("function", "torch.sigmoid", "torch.sigmoid(x)"),
        ("function", "torch.exp", "torch.exp(x)"),
        ("function", "torch.relu", "torch.relu(x)"),
        ("method", "sigmoid", "x.sigmoid()"),
        ("method", "exp", "x.exp()"),
        ("method", "relu", "x.relu()"),
        ("function", "torch.sin", "torch.sin(x)"),
        ("function", "torch.nn.functional.softmax", "torch.nn.functional.softmax(x, -1)"),
    ],
)
def test_mutating_the_result_raises_iff_the_data_saves_it(kind: str, name: str, call: str) -> None:
    args = ("tensor", "number") if call.endswith("-1)") else ("tensor",)
    roles = saves_for_call(kind, name, args=args)
    assert roles is not None, f"{name} is missing from the data"
    outcome = run_program(_program(call, "y.mul_(1.0)"))
    assert outcome.other_error is None, outcome.other_error
    assert outcome.raised == roles.saves_output


@pytest.mark.parametrize("name", ["torch.sigmoid", "torch.exp", "torch.relu", "torch.sin"])
def test_mutating_the_input_raises_iff_the_data_saves_it(name: str) -> None:
    roles = saves_for_call("function", name, args=("tensor",))
    outcome = run_program(_program(f"{name}(x2)", "x2.mul_(1.0)"))
    assert outcome.other_error is None, outcome.other_error
    assert outcome.raised == roles.is_saved("self", lambda param: True)


@pytest.mark.parametrize("name", ["torch.mul", "torch.add", "torch.div", "torch.atan2"])
@pytest.mark.parametrize("mutated", ["self", "other"])
@pytest.mark.parametrize("w_grad", [True, False], ids=["other-requires-grad", "other-does-not"])
def test_guarded_saves_follow_which_inputs_require_grad(
    name: str, mutated: str, w_grad: bool
) -> None:
    roles = saves_for_call("function", name, args=("tensor", "tensor"))
    requires_grad = {"self": True, "other": w_grad}
    target = "x2" if mutated == "self" else "w2"
    outcome = run_program(_program(f"{name}(x2, w2)", f"{target}.mul_(1.0)", w_grad=w_grad))
    assert outcome.other_error is None, outcome.other_error
    assert outcome.raised == roles.is_saved(mutated, requires_grad.__getitem__)


@pytest.mark.parametrize(
    ("args", "call"),
    [
        (("tensor", "number"), "x ** 2"),
        (("tensor", "tensor"), "x ** w"),
        (("number", "tensor"), "2 ** x"),
    ],
)
def test_operator_overload_is_chosen_by_argument_kinds(args: tuple[str, ...], call: str) -> None:
    roles = saves_for_call("operator", "**", args=args)
    outcome = run_program(_program(call, "y.mul_(1.0)"))
    assert outcome.other_error is None, outcome.other_error
    assert outcome.raised == roles.saves_output


def test_module_buffers_saved_by_batch_norm_break_backward_when_mutated() -> None:
    roles = saves_for_call("module", "torch.nn.BatchNorm1d")
    source = (
        "import torch\n"
        "bn = torch.nn.BatchNorm1d(3)\n"
        "x = torch.rand(4, 3, requires_grad=True)\n"
        "y = bn(x)\n"
        "with torch.no_grad():\n"
        "    bn.running_mean.mul_(1.0)\n"
        "y.sum().backward()\n"
    )
    outcome = run_program(source)
    assert outcome.other_error is None, outcome.other_error
    assert outcome.raised == ("running_mean" in roles.saved_params)


@pytest.mark.parametrize(
    ("name", "call"),
    [
        ("unbind", "x2.unbind()"),
        ("split", "x2.split(1)"),
        ("chunk", "x2.chunk(3)"),
        ("split_with_sizes", "x2.split_with_sizes([1, 2])"),
        ("tensor_split", "x2.tensor_split(3)"),
        ("unsafe_chunk", "x2.unsafe_chunk(3)"),
        ("unsafe_split", "x2.unsafe_split(1)"),
    ],
)
def test_multi_output_view_ops_refuse_in_place_on_an_output(name: str, call: str) -> None:
    source = PRELUDE.format(w_grad=True) + (
        f"parts = {call}\nparts[0].mul_(1.0)\nsum(p.sum() for p in parts).backward()\n"
    )
    outcome = run_program(source)
    assert outcome.other_error is None, outcome.other_error
    assert outcome.raised == (name in multi_output_view_ops())


@pytest.mark.parametrize(
    ("name", "base", "call"),
    [
        ("t", "x2", "b.t()"),
        ("view", "x2", "b.view(3)"),
        ("reshape", "x2", "b.reshape(-1)"),
        ("unsqueeze", "x2", "b.unsqueeze(0)"),
        ("select", "x2", "b.select(0, 1)"),
        ("narrow", "x2", "b.narrow(0, 0, 2)"),
        ("diagonal", "x2.view(1, 3)", "b.diagonal()"),
        ("permute", "x2.view(1, 3)", "b.permute(1, 0)"),
        ("detach", "x2", "b.detach()"),
        ("contiguous", "x2", "b.contiguous()"),
        ("flatten", "x2", "b.flatten()"),
        ("clone", "x2", "b.clone()"),
        ("exp", "x2", "b.exp()"),
        ("unsafe_chunk", "x2", "b.unsafe_chunk(3)[0]"),
    ],
)
def test_view_ops_share_the_version_counter_of_self(name: str, base: str, call: str) -> None:
    source = PRELUDE.format(w_grad=True) + (
        f"b = {base}\nv = {call}\nbefore = b._version\nv.mul_(1.0)\nshared = b._version != before\n"
    )
    assert execute(source, "<view-probe>")["shared"] == (name in view_ops())


def test_loading_the_data_does_not_import_torch() -> None:
    probe = (
        "import sys\n"
        "from inplace_fixer.saved_tensors import saves_for_call, view_ops\n"
        "assert saves_for_call('function', 'torch.mul') is not None\n"
        "view_ops()\n"
        "print('torch' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False", "importing inplace_fixer.saved_tensors imported torch"


def test_unknown_spellings_are_none_not_empty() -> None:
    assert saves_for_call("function", "torch.no_such_function") is None
    assert saves_for_call("operator", "<<<") is None
