"""IPF009 through helpers and methods, and its advice (golden/pending/helpers/ and the GAN cases).

What torch does with each golden program is checked by tests/test_pending_golden.py; here: where
the finding goes (the call line), what it names (the helper's line, the op that saved, the
backward), the bound on how deep helpers are followed, and the fix text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from inplace_fixer import Config, check_source
from inplace_fixer.pending_helpers import MAX_HELPER_DEPTH

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "pending"
HELPERS = sorted(p for p in (GOLDEN / "helpers").glob("*.py") if ".expected" not in p.name)


def ipf009(source: str, path: str = "case.py") -> list:
    return [f for f in check_source(source, path, Config(), fix=False).findings if f.code == "IPF009"]


def _line_of(source: str, text: str) -> int:
    return next(number for number, line in enumerate(source.splitlines(), 1) if text in line)


@pytest.mark.parametrize("case", [c for c in HELPERS if "(line " in c.read_text()], ids=lambda p: p.name)
def test_the_finding_is_on_the_call_and_names_the_helpers_line(case: Path) -> None:
    source = case.read_text()
    helper_line = re.search(r"\(line (\d+)\)", source).group(1)  # the header says where the change is
    (finding,) = ipf009(source, str(case))
    call_line = source.splitlines()[finding.start.line - 1]
    assert "calls `" in finding.message and f"(line {helper_line})" in finding.message
    # The call is a line of the caller, not the helper's line, and it is the call the message names.
    assert finding.start.line != int(helper_line)
    assert finding.message.split("`")[1].split("(")[0] in call_line
    assert "saved on line" in finding.message and ".backward()` runs that backward later" in finding.message


def test_gan_step_inside_train_discriminator_names_d_and_the_generator_loss() -> None:
    case = GOLDEN / "helpers" / "gan_step_inside_train_discriminator.py"
    source = case.read_text()
    (finding,) = ipf009(source, str(case))
    assert finding.start.line == _line_of(source, "train_discriminator(real, fake.detach())")
    assert "`d_opt.step()` changes the parameters of `D`" in finding.message
    assert "which `D(fake)` saved on line 25 for `g_loss`" in finding.message
    assert finding.category == "breaks-backward"
    # Moving a helper call is not provably local: advice only.
    assert finding.fix is not None and finding.fix.applicability.value == "display-only"


def test_a_helper_forward_counts_as_the_callers_forward() -> None:
    case = GOLDEN / "helpers" / "generator_loss_helper_forward.py"
    (finding,) = ipf009(case.read_text(), str(case))
    assert "which `generator_loss(D, fake)` saved on line 17" in finding.message


def _chain(depth: int) -> str:
    """A step made `depth` helper calls below the call between the forward and the backward."""
    helpers = "".join(
        f"def level{n}(opt):\n    {'opt.step()' if n == depth else f'level{n + 1}(opt)'}\n\n\n" for n in range(1, depth + 1)
    )
    return (
        "import torch\nimport torch.nn as nn\n\n\n" + helpers
        + "D = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))\n"
        "opt = torch.optim.SGD(D.parameters(), lr=0.1)\n"
        "loss = D(torch.randn(2, 3)).sum()\nlevel1(opt)\nloss.backward()\n"
    )


def test_helpers_are_followed_transitively_up_to_the_bound_and_no_further() -> None:
    (finding,) = ipf009(_chain(MAX_HELPER_DEPTH))
    assert finding.message.count("calls `level") == MAX_HELPER_DEPTH
    assert ipf009(_chain(MAX_HELPER_DEPTH + 1)) == []


def test_a_recursive_helper_ends() -> None:
    source = (
        "import torch\nimport torch.nn as nn\n\n\ndef again(opt, n):\n    if n:\n        again(opt, n - 1)\n"
        "    opt.step()\n\n\nD = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))\n"
        "opt = torch.optim.SGD(D.parameters(), lr=0.1)\nloss = D(torch.randn(2, 3)).sum()\nagain(opt, 2)\nloss.backward()\n"
    )
    (finding,) = ipf009(source)
    assert finding.start.line == _line_of(source, "again(opt, 2)")


def test_a_helper_local_with_a_callers_name_is_not_the_callers() -> None:
    # `D` inside the helper is its own fresh module: stepping it changes nothing the caller saved.
    source = (
        "import torch\nimport torch.nn as nn\n\n\ndef pretrain():\n    D = nn.Linear(3, 1)\n"
        "    opt = torch.optim.SGD(D.parameters(), lr=0.1)\n    D(torch.randn(2, 3)).sum().backward()\n    opt.step()\n\n\n"
        "D = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))\nloss = D(torch.randn(2, 3)).sum()\n"
        "pretrain()\nloss.backward()\n"
    )
    assert ipf009(source) == []


def test_gan_without_detach_gets_the_detach_advice() -> None:
    case = GOLDEN / "gan_discriminator_loss_on_undetached_fake.py"
    (finding,) = ipf009(case.read_text(), str(case))
    assert "`g_opt.step()` changes the parameters of `G`" in finding.message
    assert "Fix: (by hand) detach `fake` for the discriminator: `D(fake.detach())` in `d_loss`" in finding.message
    assert finding.fix.applicability.value == "display-only"


def test_one_optimizer_over_shared_and_heads_gets_no_detach_advice() -> None:
    # Multi-task: detaching the shared features would stop the encoder learning from task b.
    case = GOLDEN / "multi_task_step_between_backwards.py"
    (finding,) = ipf009(case.read_text(), str(case))
    assert "detach" not in finding.message and finding.fix.applicability.value == "unsafe"


def test_a_bias_no_op_saves_is_not_reported_for_an_indexed_layer() -> None:
    case = GOLDEN / "negative" / "model_apply_after_backward.py"
    source = case.read_text()
    assert ipf009(source, str(case)) == []
    weight = source.replace("nn.init.zeros_(model[2].bias)", "nn.init.zeros_(model[2].weight)")
    (finding,) = ipf009(weight, str(case))
    assert "`model[2].weight`" in finding.message


def test_an_object_method_knows_its_attribute_by_the_callers_name_only_for_one_construction() -> None:
    case = GOLDEN / "helpers" / "ema_object_method_from_script.py"
    source = case.read_text()
    (finding,) = ipf009(source, str(case))
    assert "(a parameter of `teacher`)" in finding.message and "which `teacher(x)` saved" in finding.message
    # Built twice (with other arguments the second time): which teacher it holds is not known.
    twice = source.replace("ema = EMA(student, teacher)\n", "ema = EMA(student, teacher)\nema = EMA(student, student)\n")
    assert ipf009(twice, str(case)) == []
