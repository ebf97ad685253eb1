"""``inplace_fixer.watch()`` in this process: what is an event, what is not, and what torch
would have done without it."""

from __future__ import annotations

import gc
import sys

import pytest

torch = pytest.importorskip("torch")

import inplace_fixer  # noqa: E402
from inplace_fixer.blame.locator import Locator  # noqa: E402

HERE = __file__


def _line_of(marker: str) -> int:
    with open(HERE, encoding="utf-8") as handle:
        (line,) = [n for n, text in enumerate(handle, 1) if text.rstrip().endswith(marker)]
    return line


def _scale(t):
    t.mul_(2)  # <- scale


def test_names_the_changing_line_and_raises_torchs_error_text():
    x = torch.randn(3, requires_grad=True)
    with inplace_fixer.watch(quiet=True) as locator:
        h = torch.sigmoid(x)  # <- saved
        _scale(h)
        with pytest.raises(RuntimeError) as raised:
            h.sum().backward()  # <- backward
    message = str(raised.value)
    assert message.startswith(
        "one of the variables needed for gradient computation has been modified by an inplace "
        "operation: [torch.FloatTensor [3]], which is output 0 of Sigmoid, is at version 1; "
        "expected version 0 instead."
    )
    assert f"test_blame_watch.py:{_line_of('# <- scale')}" in message
    (event,) = locator.events
    assert (event.location.line, event.category, event.op) == (_line_of("# <- scale"), "breaks-backward", "torch.Tensor.mul_")
    assert event.saved_by.line == _line_of("# <- saved") and event.saved_by.op == "torch.sigmoid"
    assert event.backward_at.line == _line_of("# <- backward")
    assert event.source_line == "t.mul_(2)"
    assert (event.location.col, event.location.end_col) == (5, 14)


def test_harmless_changes_are_not_events():
    x = torch.randn(3, requires_grad=True)
    with inplace_fixer.watch(quiet=True) as locator:
        h = x * 2
        y = h.sigmoid()
        h.mul_(2)  # nothing saved h: sigmoid saves its output
        y.sum().backward()
        y.add_(1)  # after backward
        with torch.no_grad():
            t = torch.zeros(3)
            t.add_(1)  # nobody saved it
        z = torch.exp(x)
        z.mul_(2)  # saved, changed, but no backward ever reads it
    assert locator.events == []


def test_the_plain_failure_and_the_watched_one_agree_without_the_locator_changing_values():
    def program():
        x = torch.arange(3.0, requires_grad=True)
        y = x.exp()
        loss = (y * y).sum()
        loss.backward()
        return x.grad

    plain = program()
    with inplace_fixer.watch(quiet=True) as locator:
        watched = program()
    assert torch.equal(plain, watched) and locator.events == []


def test_records_die_with_the_graph():
    locator = Locator().start()
    try:
        x = torch.randn(3, requires_grad=True)
        h = torch.sigmoid(x)
        assert locator.registry.live(h)
        del h
        gc.collect()
        locator.registry.prune()
        assert not locator.registry
    finally:
        locator.stop()


def test_leaf_error_is_named_at_its_line_and_raised_unchanged():
    w = torch.randn(3, requires_grad=True)
    with inplace_fixer.watch(quiet=True) as locator:
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place operation"):
            w.add_(1)  # <- leaf
    (event,) = locator.events
    assert event.location.line == _line_of("# <- leaf") and event.saved_by is None
    assert event.fix is not None and event.fix.edits[0].content.startswith("w = w + 1")


def test_module_built_with_inplace_names_where_it_was_built():
    with inplace_fixer.watch(quiet=True) as locator:
        block = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Sigmoid(), torch.nn.ReLU(inplace=True))  # <- built
        with pytest.raises(RuntimeError):
            block(torch.randn(1, 2)).sum().backward()  # <- called
    (event,) = locator.events
    assert event.location.line == _line_of("# <- called")
    assert event.module_defined_at.line == _line_of("# <- built")
    assert event.fix is not None and [e.content for e in event.fix.edits] == ["torch.nn.ReLU()"]


def test_fused_optimizer_step_on_saved_weights_is_a_silent_wrong_gradient():
    torch.manual_seed(0)
    layer = torch.nn.Linear(2, 2)
    opt = torch.optim.Adam(layer.parameters(), fused=True)
    with inplace_fixer.watch(quiet=True) as locator:
        x = torch.randn(4, 2, requires_grad=True)
        out = layer(x).sum()
        layer(torch.randn(1, 2)).sum().backward()
        opt.step()  # <- step
        out.backward()  # runs, as it does without the locator
    (event,) = locator.events
    assert (event.location.line, event.category) == (_line_of("# <- step"), "silent-wrong-gradient")
    assert event.op == "torch.optim.Adam.step"


def test_events_reach_the_callback_and_stderr_at_once(capsys):
    seen = []
    x = torch.randn(3, requires_grad=True)
    with inplace_fixer.watch(seen.append):
        h = torch.tanh(x)
        h += 1  # <- iadd
        with pytest.raises(RuntimeError):
            h.sum().backward()
        assert len(seen) == 1  # before the error unwound the block
    err = capsys.readouterr().err
    assert f"test_blame_watch.py:{_line_of('# <- iadd')}:9: breaks-backward `h += 1`" in err
    assert "Fix (" in err


def test_compiled_functions_run_eagerly_under_watch():
    def step(x):
        h = torch.sigmoid(x)
        h.mul_(2)  # <- compiled
        return h.sum()

    with inplace_fixer.watch(quiet=True) as locator:
        compiled = torch.compile(step)
        with pytest.raises(RuntimeError):
            compiled(torch.randn(3, requires_grad=True)).backward()
    assert [e.location.line for e in locator.events] == [_line_of("# <- compiled")]
    assert sys.modules["torch._dynamo"].config.disable is False  # restored


def test_watch_leaves_nothing_installed():
    before = torch.nn.Module.__init__
    with inplace_fixer.watch(quiet=True):
        assert torch.nn.Module.__init__ is not before
    assert torch.nn.Module.__init__ is before
    assert not torch._C._is_torch_function_mode_enabled()


def test_sampling_still_names_a_bug_that_happens_every_step():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    failures = 0
    with inplace_fixer.watch(quiet=True, sample=3) as locator:
        for _ in range(7):
            opt.zero_grad()
            loss = model(torch.randn(4, 2)).sum()
            first = loss * 1
            first.backward(retain_graph=True)
            opt.step()  # <- sampled step
            try:
                loss.backward()  # the graph saved the weights the step just changed
            except RuntimeError:
                failures += 1
    assert failures == 7  # every step fails, traced or not, as without the locator
    assert [e.location.line for e in locator.events] == [_line_of("# <- sampled step")]
    assert not torch._C._is_torch_function_mode_enabled()
