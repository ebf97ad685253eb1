"""Whole-program inference (inference/user_calls.py, containers.py, definitions.py): calls followed
into the checked code, per call site, with bounded cost; containers; joins; what cannot require
grad. Each test is a small program and the findings the tool must (or must not) give on it."""

from __future__ import annotations

import textwrap

from inplace_fixer import Config, check_source
from inplace_fixer.inference import program
from inplace_fixer.model import BREAKS_BACKWARD


def findings(source: str):
    result = check_source(textwrap.dedent(source), "case.py", Config())
    assert result.error is None
    return result.findings


def lines(source: str) -> list[tuple[int, str]]:
    return [(f.start.line, f.code) for f in findings(source)]


def test_helper_is_judged_per_call_site_and_names_the_call() -> None:
    (finding,) = findings(
        """
        import torch
        def bump(buf):
            buf.add_(1)
        w = torch.randn(3, requires_grad=True)
        bump(torch.zeros(3))
        bump(torch.exp(w))
        """
    )
    assert finding.start.line == 4 and finding.category == BREAKS_BACKWARD
    assert "the call on line 7 passes `torch.exp(w)` as `buf`" in finding.message


def test_helper_called_only_under_no_grad_is_silent() -> None:
    assert lines(
        """
        import torch
        def bump(buf):
            buf.mul_(2)
            return buf
        w = torch.randn(3, requires_grad=True)
        with torch.no_grad():
            bump(w * 2)
        """
    ) == []


def test_recursion_and_mutual_recursion_end() -> None:
    assert lines(
        """
        import torch
        def even(t, n):
            return t if n == 0 else odd(t, n - 1)
        def odd(t, n):
            return even(t, n - 1) if n else t
        x = torch.randn(3, requires_grad=True)
        y = even(torch.exp(x), 5)
        y.add_(1)
        """
    ) == [(9, "IPF002")]


def test_call_budget_gives_a_result_for_every_file(monkeypatch) -> None:
    chain = "\n".join(f"def f{i}(t):\n    return f{i + 1}(t)" for i in range(2))
    source = "import torch\n" + chain + "\ndef f2(t):\n    return t\nx = torch.randn(3, requires_grad=True)\ny = f0(torch.exp(x))\ny.add_(1)\n"
    within = check_source(source, "case.py", Config())
    assert [(f.start.line, f.code) for f in within.findings] == [(10, "IPF002")]
    # Past the budget the call is unknown: no finding, and no crash or hang.
    monkeypatch.setattr("inplace_fixer.inference.user_calls.MAX_CALL_ANALYSES", 1)
    past = check_source(source, "case.py", Config())
    assert past.error is None and past.findings == ()
    deep = "\n".join(f"def g{i}(t):\n    return g{i + 1}(t)" for i in range(program.MAX_CALL_DEPTH + 2))
    deep_source = "import torch\n" + deep + f"\ndef g{program.MAX_CALL_DEPTH + 2}(t):\n    return t\n"
    deep_source += "x = torch.randn(3, requires_grad=True)\ny = g0(torch.exp(x))\ny.add_(1)\n"
    monkeypatch.undo()
    assert check_source(deep_source, "case.py", Config()).findings == ()  # deeper than the bound


def test_static_and_class_methods_and_callables_in_a_list() -> None:
    assert lines(
        """
        import torch
        class Ops:
            @staticmethod
            def same(t):
                return t
            @classmethod
            def make(cls, t):
                return torch.sigmoid(t)
        def ident(t):
            return t
        table = [ident, ident]
        x = torch.randn(3, requires_grad=True)
        a = Ops.same(torch.exp(x))
        a.mul_(2)
        b = Ops.make(x)
        b.mul_(2)
        c = table[0](torch.tanh(x))
        c.mul_(2)
        """
    ) == [(15, "IPF002"), (17, "IPF002"), (19, "IPF002")]


def test_inherited_method_through_self() -> None:
    assert lines(
        """
        import torch
        import torch.nn as nn
        class Base(nn.Module):
            def squash(self, h):
                h.mul_(0.5)
                return h
        class Net(Base):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(3, 3)
            def forward(self, x):
                return self.squash(torch.sigmoid(self.fc(x)))
        Net()(torch.randn(2, 3)).sum().backward()
        """
    ) == [(6, "IPF002")]


def test_parameters_and_modules_loops() -> None:
    assert lines(
        """
        import torch
        import torch.nn as nn
        net = nn.Sequential(nn.Linear(3, 3), nn.ReLU())
        for p in net.parameters():
            p.mul_(0.5)
        for name, m in net.named_modules():
            if isinstance(m, nn.Linear):
                m.bias[0] = 0.0
        """
    ) == [(6, "IPF002"), (9, "IPF006")]


def test_integer_tensors_never_require_grad() -> None:
    assert lines(
        """
        import torch
        x = torch.randn(4, 5, requires_grad=True)
        idx = x.argmax(-1)
        idx += 1
        pos = torch.arange(x.shape[0])
        pos *= 2
        counts = torch.full((4,), 0)
        counts[0] = 3
        """
    ) == []


def test_constant_only_buffer_with_a_grad_index_is_silent() -> None:
    assert lines(
        """
        import torch
        x = torch.randn(4, 5, requires_grad=True)
        top = x.topk(2, dim=-1)
        mask = torch.zeros_like(x)
        mask.scatter_(1, top[1], 1.0)
        """
    ) == []


def test_string_keyed_argument_is_a_dict() -> None:
    assert lines(
        """
        import torch.nn as nn
        class Head(nn.Module):
            def forward(self, batch):
                batch["x"] = batch["x"] * 2
                return batch
        """
    ) == []


def test_union_annotation_may_be_a_tensor() -> None:
    assert lines(
        """
        import torch
        from typing import Union
        def f(x: Union[torch.Tensor, float]):
            y = torch.exp(x)
            y.add_(1)
            return y
        f(torch.randn(3, requires_grad=True))
        """
    ) == [(6, "IPF002")]


def test_name_bound_on_one_branch_and_none_join_keep_the_tensor() -> None:
    assert lines(
        """
        import torch
        x = torch.randn(3, requires_grad=True)
        best = None
        for k in range(3):
            y = torch.sigmoid(x * k)
            if best is None:
                best = y
            else:
                best.add_(y)
        """
    ) == [(10, "IPF002")]


def test_autograd_function_forward_runs_with_grad_off() -> None:
    assert lines(
        """
        import torch
        class Clamp(torch.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                y = torch.exp(x)
                y.clamp_(max=5)
                return y
            @staticmethod
            def backward(ctx, g):
                return g
        Clamp.apply(torch.randn(3, requires_grad=True)).sum().backward()
        """
    ) == []


def test_tuple_passed_at_every_call_site_is_not_a_tensor() -> None:
    assert lines(
        """
        import torch
        import torch.nn as nn
        class Scale(nn.Module):
            def forward(self, x, size):
                size += (1,)
                return x
        class Outer(nn.Module):
            def __init__(self):
                super().__init__()
                self.s = Scale()
            def forward(self, x):
                return self.s(x, (2, 3))
        """
    ) == []


INFERENCE_ONLY = """
import torch
import torch.nn as nn
class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(4, 4)
    def _inference_forward(self, x):
        y = torch.sigmoid(self.lin(x))
        y.mul_(2)
        return y
    def forward(self, x, inplace_safe=False):
        if inplace_safe:
            return self._inference_forward(x)
        return self.lin(x)
class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.block = Block()
    def forward(self, x):
        return self.block(x{flag})
"""


def test_private_helper_behind_a_flag_no_call_sets_is_not_reached() -> None:
    # Every call leaves inplace_safe=False: the branch cannot run, so its helper is not judged.
    assert lines(INFERENCE_ONLY.format(flag="")) == []
    assert lines(INFERENCE_ONLY.format(flag=", inplace_safe=False")) == []


def test_the_same_helper_is_judged_where_a_call_sets_the_flag() -> None:
    assert lines(INFERENCE_ONLY.format(flag=", inplace_safe=True")) == [(10, "IPF002")]
    # A flag the analysis cannot tell is either way: both branches run.
    assert lines(INFERENCE_ONLY.format(flag=", inplace_safe=x.shape[0] > 1")) == [(10, "IPF002")]


def test_a_public_helper_behind_a_false_flag_is_still_judged() -> None:
    # Code outside the checked files may call a public method.
    source = INFERENCE_ONLY.replace("_inference_forward", "inference_forward").format(flag="")
    assert lines(source) == [(10, "IPF002")]


def test_a_chunk_size_left_as_none_does_not_run_the_chunked_branch() -> None:
    source = """
    import torch
    import torch.nn as nn
    class Mix(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(4, 4)
        def _combine(self, a, b, chunk=None):
            if chunk is not None:
                for i in range(0, a.shape[0], chunk):
                    a[i : i + chunk] = torch.matmul(a[i : i + chunk], b)
                return a
            return torch.matmul(a, b)
        def forward(self, x):
            return self._combine(self.a(x), x{chunk})
    """
    assert lines(source.format(chunk="")) == []
    assert [code for _, code in lines(source.format(chunk=", chunk=2"))] == ["IPF006"]


def test_a_key_that_is_a_string_either_way_makes_a_dict() -> None:
    assert lines(
        """
        import torch.nn as nn
        from collections import UserDict as Shared
        class Attention(nn.Module):
            def __init__(self):
                super().__init__()
                self.k = nn.Linear(4, 4)
                self.use_rope = True
            def forward(self, hidden, shared):
                k = self.k(hidden)
                shared["rope" if self.use_rope else "nope"] = (k, k)
                shared["last_" + ("rope" if self.use_rope else "nope")] = k
                return k
        Attention()(None, Shared())
        """
    ) == []


def test_a_nested_function_sees_the_modules_names() -> None:
    # Its closure is the enclosing function's names over the module's: `torch` inside `inner` is
    # torch (it was unknown, so the sigmoid's save was missed; torch/cuda/graphs.py crashed on it).
    assert lines(
        """
        import torch
        def outer(w):
            def inner(x):
                y = torch.sigmoid(x)
                y.mul_(2)
                return y
            return inner(w)
        w = torch.randn(3, requires_grad=True)
        outer(w).sum().backward()
        """
    ) == [(6, "IPF002")]


def test_a_tensor_that_gives_only_a_dtype_brings_no_gradient() -> None:
    # transformers Pegasus-X: sinusoidal positions built with `.type_as(inputs_embeds)`.
    assert lines(
        """
        import torch
        import torch.nn as nn
        class Positions(nn.Module):
            def forward(self, inputs_embeds):
                pe = torch.zeros((4, 8), dtype=inputs_embeds.dtype)
                div = torch.exp(torch.arange(4).type_as(inputs_embeds) * -0.5)
                pe[:, :4] = torch.sin(torch.arange(4)[:, None] * div)
                return pe[None].expand_as(inputs_embeds)
        """
    ) == []


def test_an_annotation_by_a_dict_or_cache_class_is_not_a_tensor() -> None:
    source = """
    import torch.nn as nn
    from transformers.cache_utils import {cls}
    class Layer(nn.Module):
        def forward(self, hidden, shared: {cls}):
            shared[self.layer_type] = hidden
            return hidden
    """
    assert lines(source.format(cls="KVSharingDict")) == []
    assert lines(source.format(cls="DynamicCache")) == []
    assert lines(source.format(cls="Something")) == [(6, "IPF006")]  # unknown: may be a tensor


VIDEO_MODEL = """
import torch
from torch import nn


class Tracker(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(4, 4)
        self.occlusion = nn.Parameter(torch.zeros(4))

    {decorator}
    def forward(self, frames):
        return self._batch_encode(self.proj(frames))

    def _encode(self, features):
        features += self.occlusion
        return features

    def _batch_encode(self, features):
        return self._encode(torch.sigmoid(features))
"""


def test_a_helper_of_a_helper_reached_only_from_an_inference_mode_forward_runs_without_grad() -> None:
    # The helpers come after forward() and call each other: they are reached at their call
    # sites, with forward's mode, not analysed on their own with grad on first.
    assert lines(VIDEO_MODEL.format(decorator="@torch.inference_mode()")) == []
    assert lines(VIDEO_MODEL.format(decorator="@torch.no_grad()")) == []


def test_the_same_helpers_under_a_forward_with_grad_are_reported() -> None:
    (finding,) = findings(VIDEO_MODEL.format(decorator="# (no decorator)"))
    assert (finding.start.line, finding.code, finding.category) == (17, "IPF001", BREAKS_BACKWARD)
