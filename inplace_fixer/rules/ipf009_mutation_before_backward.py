from __future__ import annotations

from typing import Optional

import libcst as cst

from inplace_fixer.any_pattern import AnyPattern
from inplace_fixer.inference import Reason
from inplace_fixer.model import BREAKS_BACKWARD, SILENT_WRONG_GRADIENT, Applicability
from inplace_fixer.pending_advice import detach_advice
from inplace_fixer.pending_graphs import Breakage, find_breakages
from inplace_fixer.rules.base import Invalid, ProposedFix, Rule, code


# Every scope find_breakages walks has a `.backward` or `.grad` attribute (`loss.backward()`,
# `torch.autograd.grad`), whose name is in the text: model files have none, and finding that out
# from the facts cost one pass over all of them.
_NAMES_A_BACKWARD = AnyPattern(r"backward(?<!\wbackward)\b", r"grad(?<!\wgrad)\b")


class MutationBeforeBackward(Rule):
    """
    ## What it does
    Flags a change of a tensor that a forward saved, made after that forward and before the
    `backward()` that needs it: `opt.step()` on the optimizer of a module the pending graph went
    through (the GAN and actor-critic shape: `d_loss.backward(); d_opt.step(); g_loss.backward()`
    where `g_loss` went through D before D's step), weight clipping or max-norm under
    `torch.no_grad()`, an EMA update, `bn.reset_running_stats()`, `load_state_dict`,
    `nn.init.*_`, an edit of a LayerNorm weight, a leaf's `zero_()` after `sin` saved it. Loops
    count: a step at the end of one iteration breaks a graph kept from the previous one.

    ## Why is this bad?
    A forward op keeps what it saved until the backward through it runs. Any in-place write in
    between, even under no_grad, even through `.detach()`, bumps the tensor's version counter,
    and that backward raises "one of the variables needed for gradient computation has been
    modified by an inplace operation: ... is at version 2; expected version 1". The traceback
    points at the backward, never at the step that caused it. Fused optimizers
    (`Adam(fused=True)`, `AdamW(fused=True)`, `SGD(fused=True)` on CPU in torch 2.13) update the
    weights without bumping the version counter: there the same bug runs silently with wrong
    gradients, and this finding is the only warning.

    ## Example
    ```python
    d_loss = bce(D(real), ones) + bce(D(fake.detach()), zeros)
    g_loss = bce(D(fake), ones)
    d_loss.backward()
    d_opt.step()
    g_loss.backward()  # raises: D's weights changed since D(fake) saved them
    ```

    ## Use instead
    ```python
    d_loss = bce(D(real), ones) + bce(D(fake.detach()), zeros)
    d_loss.backward()
    d_opt.step()
    g_loss = bce(D(fake), ones)  # computed after the step
    g_loss.backward()
    ```
    Or run every backward before any step.

    ## Fix safety
    The fix is advice (display-only): move the change after the backward, or compute the loss
    after the change. Where the change and the backward are lines of the same block and nothing
    between them reads the module or the optimizer, an unsafe fix moves the change to just after
    the backward. It is unsafe because it changes the program: a step then also uses the
    gradients that backward added (to D's parameters, in the GAN shape).

    Not reported: all backwards before any step; the forward recomputed after the change;
    `.detach()`ed inputs; a change after the backward; `.data` (IPF007); biases no op saves
    (Linear, Conv and BatchNorm biases); anything inside
    `torch.autograd.graph.allow_mutation_on_saved_tensors()`.

    ## Through helpers and methods
    A call to a function or method of the same file counts with what the callee does (a step, an
    in-place parameter edit, `load_state_dict`, `nn.init.*_`, `model.apply(init_fn)`), through
    helpers calling helpers up to 3 calls deep. The finding is on the call, names the line in
    the helper, and its fix is advice: moving a call is not provably local. A helper that runs a
    forward counts as the caller's forward. A method's `self.teacher` is the caller's `teacher`
    when the caller built the object once (`ema = EMA(student, teacher)`) and `__init__` set the
    attribute from that parameter.

    ## The GAN without `.detach()`
    When the discriminator's loss reads `fake = G(z)` as it is and G's optimizer stepped before
    that loss's backward, the advice is to detach `fake` for the discriminator (`D(fake.detach())`),
    not to move the step: D's loss needs no gradient for G.
    """

    code = "IPF009"
    name = "mutation-before-backward"
    summary = "a tensor a forward saved is changed before the backward that needs it"
    fixable = "sometimes"

    VALID = [
        # every backward before any step
        "import torch\nfrom torch import nn\nD = nn.Sequential(nn.Linear(3, 3), nn.Tanh(), nn.Linear(3, 1))\n"
        "opt = torch.optim.SGD(D.parameters(), lr=0.1)\nx = torch.randn(2, 3)\na = D(x).sum()\nb = D(x * 2).sum()\n"
        "a.backward()\nb.backward()\nopt.step()\n",
        # the bias of a Linear is never saved
        "import torch\nfrom torch import nn\nlin = nn.Linear(3, 1)\nx = torch.randn(2, 3, requires_grad=True)\n"
        "loss = lin(x).sum()\nwith torch.no_grad():\n    lin.bias.zero_()\nloss.backward()\n",
    ]
    INVALID = [
        Invalid(
            "import torch\nfrom torch import nn\nD = nn.Sequential(nn.Linear(3, 3), nn.Tanh(), nn.Linear(3, 1))\n"
            "opt = torch.optim.SGD(D.parameters(), lr=0.1)\nx = torch.randn(2, 3)\na = D(x).sum()\nb = D(x * 2).sum()\n"
            "a.backward()\nopt.step()\nb.backward()\n",
            unsafe_expected=(
                "import torch\nfrom torch import nn\nD = nn.Sequential(nn.Linear(3, 3), nn.Tanh(), nn.Linear(3, 1))\n"
                "opt = torch.optim.SGD(D.parameters(), lr=0.1)\nx = torch.randn(2, 3)\na = D(x).sum()\nb = D(x * 2).sum()\n"
                "a.backward()\nb.backward()\nopt.step()\n"
            ),
        ),
    ]

    def __init__(self, context) -> None:
        super().__init__(context)
        # The analysis walks whole scopes in execution order, once per file; visiting the first
        # module-level node is the engine's signal that the facts are complete.
        self._done = False

    def visit_SimpleStatementLine(self, _: cst.SimpleStatementLine) -> None:
        self._run()

    def visit_FunctionDef(self, _: cst.FunctionDef) -> None:
        self._run()

    def visit_ClassDef(self, _: cst.ClassDef) -> None:
        self._run()

    def _run(self) -> None:
        if self._done:
            return
        self._done = True
        if self.context.source is not None and not _NAMES_A_BACKWARD.search(self.context.source):
            return  # no `.backward` or `.grad` attribute in the text: no backward to break
        for breakage in find_breakages(self.context.module, self.context.facts):
            self._report(breakage)

    def _report(self, breakage: Breakage) -> None:
        change = breakage.change
        backward = code(breakage.backward)
        # The engine fills {grad} from a Reason, which also renders the helper's line ({via}).
        message = f"{{grad}}; `{backward}` runs that backward later and will raise"
        saved_line = Reason(
            f"{change.what}, which {breakage.saver} saved on line {{line}} for `{breakage.loss}`",
            breakage.saved_by, via=change.inside,
        )
        if change.kind == "fused-step":
            # Fused optimizers update the weights without bumping their version counter.
            message = message.replace(
                "will raise", "will not raise: a fused optimizer does not bump the version counter, so its gradients are silently wrong"
            )
            reason = Reason(
                f"`{backward}` (line {{line}}) uses what {breakage.saver} saved, changed by a fused optimizer step: "
                "no error, wrong gradients", breakage.backward,
            )
            category = SILENT_WRONG_GRADIENT
        else:
            reason = Reason(f"`{backward}` (line {{line}}) needs what {breakage.saver} saved; it will raise", breakage.backward)
            category = BREAKS_BACKWARD
        self.report(
            change.statement, message, self._fix(breakage), saved_line,
            category=category, category_reason=reason,
        )

    def _fix(self, breakage: Breakage) -> ProposedFix:
        change, statement = breakage.change, breakage.change.statement
        moved = _moved_after_backward(breakage)
        what = code(statement)
        advice = (
            f"move `{what}` after `{code(breakage.backward)}`, or compute `{breakage.loss}` after it "
            f"(run its forward again after the change)"
        )
        detach = detach_advice(breakage, self.context.module, self.context.facts)
        if detach is not None:
            advice = f"{detach}; or {advice}"
        elif change.kind == "step":
            advice += f"; in a GAN, also detach what the other network's loss reads from `{change.owner}`'s inputs"
        if moved is None or detach is not None:
            # Moving the step would not help where the loss should not reach the stepped network.
            return ProposedFix(Applicability.DISPLAY_ONLY, advice, statement, statement, summary=f"(by hand) {advice}")
        original, replacement, more = moved
        reason = (
            f"moves `{what}` after `{code(breakage.backward)}`: that backward then runs first, so what it adds to "
            f"the gradients of `{change.owner}` is there when `{what}` runs"
        )
        return ProposedFix(Applicability.UNSAFE, reason, original, replacement, more=more,
                           summary=f"move `{what}` after `{code(breakage.backward)}`")


def _moved_after_backward(breakage: Breakage) -> Optional[tuple]:
    """The change's line removed and put right after the backward's, when both are lines of the
    same block, the change comes first, and nothing between them mentions what changes."""
    if breakage.change.inside is not None:
        return None  # a helper call: what else the helper does may depend on where it runs
    change_line, backward_line = breakage.change.line, _line_of(breakage)
    if not isinstance(change_line, cst.SimpleStatementLine) or len(change_line.body) != 1:
        return None
    if not isinstance(backward_line, cst.SimpleStatementLine) or len(backward_line.body) != 1:
        return None
    block = _block_holding(breakage, change_line)
    if block is None or backward_line not in block:
        return None
    start, end = block.index(change_line), block.index(backward_line)
    if start >= end:
        return None
    owner = breakage.change.owner.split(".")[0]
    mentioned = {owner} | _names(change_line)
    for between in block[start + 1:end]:
        if _names(between) & mentioned:
            return None
    moved = change_line.with_changes(leading_lines=())
    return (
        change_line, cst.FlattenSentinel([]),
        ((backward_line, cst.FlattenSentinel([backward_line, moved])),),
    )


def _line_of(breakage: Breakage):
    """The backward's own line, when it is in the change's block."""
    for statement in breakage.change_block or ():
        if isinstance(statement, cst.SimpleStatementLine) and any(small is breakage.backward for small in statement.body):
            return statement
    return None


def _block_holding(breakage: Breakage, line) -> Optional[list]:
    block = breakage.change_block
    return list(block) if block is not None and line in block else None


def _names(node: cst.CSTNode) -> set[str]:
    found: set[str] = set()

    class _Names(cst.CSTVisitor):
        def visit_Name(self, name: cst.Name) -> None:
            found.add(name.value)

    node.visit(_Names())
    return found


__all__ = ["MutationBeforeBackward"]
