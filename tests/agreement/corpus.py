"""The agreement corpus: small programs that mutate one role of one call, then run backward.

For every spelling in the saved-tensor data that is differentiable and callable with simple
inputs (float64 tensors of shape (3,), (2, 3) or (3, 3) with values in (0.1, 0.9); 0.5, 2 or
-1 for a dim as numbers), each call pattern gets programs of the form

    x = torch.tensor([...], dtype=torch.float64, requires_grad=True)
    w = torch.tensor([...], dtype=torch.float64, requires_grad=True)
    x2 = x * 1                 # only when x's role is the one mutated
    y = torch.OP(x2, w)
    x2.mul_(1.0)               # or y.mul_(1.0), y[k].mul_(1.0), w.mul_(1.0) ...
    loss = y.sum()             # or the sum over the outputs that require grad
    loss.backward()

Whether a call is simple enough is decided by running its forward once (``probe``); the verdict
of each program comes from running it (``runtime.run_program``), never from this module.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import resources

import torch

from tests.agreement.runtime import execute

MUTATION_LINE_MARK = "# <- mutation"
SHAPES = ((3,), (2, 3), (3, 3))
TENSOR_NAMES = ("x", "w", "v", "u", "t")
LOSS_LINE = "loss = y.sum()"
LOSS_LINE_SEVERAL = "loss = sum(t.sum() for t in y if t.requires_grad)"


@dataclass(frozen=True)
class Case:
    """One program and what the reference predictor needs to know about it."""

    case_id: str
    source: str
    kind: str  # spelling kind, as saves_for_call takes it
    name: str
    args: tuple[str, ...]  # "tensor" | "number" per positional argument
    inplace_flag: bool  # the call passes inplace=True
    params: tuple[str, ...]  # the parameter each positional argument binds
    role: str  # a parameter name, or "output<k>"
    requires_grad: frozenset[str]  # parameters whose tensor requires grad
    leaves: frozenset[str]  # parameters passed as leaf tensors


@dataclass
class Corpus:
    cases: list[Case] = field(default_factory=list)
    spellings_considered: int = 0
    spellings_in_corpus: set[tuple[str, str]] = field(default_factory=set)
    ops_in_corpus: set[str] = field(default_factory=set)
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> spellings


def _data() -> dict:
    text = resources.files("inplace_fixer").joinpath("data", "saved_tensors.json").read_text()
    return json.loads(text)


def _values(shape: tuple[int, ...], seed: int) -> str:
    """A nested list literal of distinct values in [0.15, 0.85], fixed per (shape, seed)."""
    count = 1
    for size in shape:
        count *= size
    fractions = ((seed * 0.381966 + k * 0.618034) % 1.0 for k in range(count))
    flat = [round(0.15 + 0.7 * fraction, 4) for fraction in fractions]
    for size in reversed(shape[1:]):
        flat = [flat[i : i + size] for i in range(0, len(flat), size)]
    return repr(flat)


def _tensor_line(name: str, shape: tuple[int, ...], seed: int, requires_grad: bool) -> str:
    grad = ", requires_grad=True" if requires_grad else ""
    return f"{name} = torch.tensor({_values(shape, seed)}, dtype=torch.float64{grad})"


@dataclass(frozen=True)
class CallPattern:
    kind: str
    name: str
    params: tuple[str, ...]
    args: tuple[str, ...]
    inplace: bool  # mutates its first argument
    inplace_flag: bool  # ... because the call passes inplace=True
    op: str  # the aten op of the variant this pattern came from, for counting

    def call(self, names: list[str]) -> str:
        if self.kind == "operator":
            return f"{names[0]} {self.name} {names[1]}"
        arguments = names + (["inplace=True"] if self.inplace_flag else [])
        if self.kind == "method":
            return f"{names[0]}.{self.name}({', '.join(arguments[1:])})"
        return f"{self.name}({', '.join(arguments)})"


def call_patterns(data: dict) -> Iterator[tuple[CallPattern | None, str, str, str]]:
    """(pattern, kind, name, why-skipped) for every differentiable spelling in the data."""
    for kind in ("function", "method", "operator"):
        for name, variants in sorted(data["spellings"].get(kind, {}).items()):
            differentiable = [v for v in variants if v.get("node")]
            if not differentiable:
                continue
            seen = set()
            for variant in differentiable:
                required = variant["required"]
                kinds = tuple(variant["kinds"][:required])
                if required == 0:
                    yield None, kind, name, "takes no arguments"
                    continue
                unsupported = [k for k in kinds if k not in ("tensor", "number")]
                if unsupported:
                    yield None, kind, name, f"needs a {unsupported[0]} argument"
                    continue
                if kinds[0] != "tensor" and kind == "method":
                    continue
                inplace = variant.get("inplace", False)
                # F.relu(x, inplace=True) and the like: the flag selects the in-place variant.
                flag = inplace and "inplace" in variant["params"] + variant.get("kwonly", [])
                if (kinds, flag) in seen:
                    continue
                seen.add((kinds, flag))
                yield (
                    CallPattern(
                        kind,
                        name,
                        tuple(variant["params"][:required]),
                        kinds,
                        inplace,
                        flag,
                        variant["op"],
                    ),
                    kind,
                    name,
                    "",
                )


def _number_literal(param: str, attempt: int) -> str:
    if "dim" in param:
        return "-1"
    return ("0.5", "2")[attempt]


def _prelude() -> list[str]:
    return ["import torch", "torch.manual_seed(0)"]


def _program(
    pattern: CallPattern,
    shape: tuple[int, ...],
    number_attempt: int,
    requires_grad: frozenset[str],
    non_leaf: frozenset[str],
    mutation: str | None,
    several_outputs: bool = False,
) -> tuple[str, list[str]]:
    """Source of one program, and the names bound to the call's arguments."""
    lines = _prelude()
    names: list[str] = []
    tensor_index = 0
    for param, arg in zip(pattern.params, pattern.args):
        if arg == "number":
            names.append(_number_literal(param, number_attempt))
            continue
        name = TENSOR_NAMES[tensor_index]
        lines.append(_tensor_line(name, shape, tensor_index + 1, param in requires_grad))
        tensor_index += 1
        if param in non_leaf:
            lines.append(f"{name}2 = {name} * 1")
            name = f"{name}2"
        names.append(name)
    lines.append(f"y = {pattern.call(names)}")
    if mutation is not None:
        lines.append(f"{mutation}  {MUTATION_LINE_MARK}")
        lines.append(LOSS_LINE_SEVERAL if several_outputs else LOSS_LINE)
        lines.append("loss.backward()")
    return "\n".join(lines) + "\n", names


@dataclass(frozen=True)
class Probed:
    shape: tuple[int, ...]
    number_attempt: int
    dtypes: list[torch.dtype]  # of each returned tensor
    several_outputs: bool  # returns a tuple or list


def probe(pattern: CallPattern) -> Probed | str:
    """The first shape and number literal the forward accepts, with its outputs; or why not."""
    tensor_params = frozenset(p for p, a in zip(pattern.params, pattern.args) if a == "tensor")
    non_leaf = frozenset(pattern.params[:1]) if pattern.inplace else frozenset()
    failure = "forward raises on simple inputs"
    for shape in SHAPES:
        for attempt in (0, 1):
            source, _ = _program(pattern, shape, attempt, tensor_params, non_leaf, None)
            try:
                result = execute(source, "<probe>")["y"]
            except Exception as error:  # noqa: BLE001 - any failure: not callable this way
                failure = f"forward raises on simple inputs ({type(error).__name__})"
                continue
            several = isinstance(result, (tuple, list))
            outputs = list(result) if several else [result]
            if not outputs or not all(isinstance(o, torch.Tensor) for o in outputs):
                return "does not return tensors"
            if any(o.is_complex() for o in outputs):
                return "returns complex tensors"
            if not any(o.requires_grad for o in outputs):
                return "output does not require grad on these inputs"
            loss = LOSS_LINE_SEVERAL if several else LOSS_LINE
            try:
                execute(f"{source}{loss}\nloss.backward()\n", "<probe>")
            except Exception as error:  # noqa: BLE001 - any failure: no gradient to test
                return f"backward fails without any mutation ({type(error).__name__})"
            return Probed(shape, attempt, [o.dtype for o in outputs], several)
    return failure


def _mutation(target: str, dtype: torch.dtype) -> str | None:
    if dtype.is_floating_point:
        return f"{target}.mul_(1.0)"
    if dtype == torch.bool:
        return None  # no value-preserving in-place op accepts a bool tensor and a number
    return f"{target}.add_(0)"


def cases_for(pattern: CallPattern, probed: Probed) -> Iterator[Case]:
    tensor_params = [p for p, a in zip(pattern.params, pattern.args) if a == "tensor"]
    all_params = frozenset(tensor_params)
    forced_non_leaf = frozenset(tensor_params[:1]) if pattern.inplace else frozenset()

    def make(
        role: str,
        requires_grad: frozenset[str],
        non_leaf: frozenset[str],
        target_of: Callable[[list[str]], str],
        dtype: torch.dtype,
        tag: str,
    ) -> Case | None:
        _, names = _program(
            pattern, probed.shape, probed.number_attempt, requires_grad, non_leaf, None
        )
        mutation = _mutation(target_of(names), dtype)
        if mutation is None:
            return None
        source, _ = _program(
            pattern,
            probed.shape,
            probed.number_attempt,
            requires_grad,
            non_leaf,
            mutation,
            probed.several_outputs,
        )
        leaves = frozenset(p for p in tensor_params if p not in non_leaf)
        flag = ",inplace=True" if pattern.inplace_flag else ""
        return Case(
            case_id=f"{pattern.kind}:{pattern.name}({','.join(pattern.args)}{flag}):{role}:{tag}",
            source=source,
            kind=pattern.kind,
            name=pattern.name,
            args=pattern.args,
            inplace_flag=pattern.inplace_flag,
            params=pattern.params,
            role=role,
            requires_grad=requires_grad,
            leaves=leaves,
        )

    candidates = []
    for index, dtype in enumerate(probed.dtypes):
        target = f"y[{index}]" if probed.several_outputs else "y"
        candidates.append(
            make(
                f"output{index}",
                all_params,
                forced_non_leaf,
                lambda names, target=target: target,
                dtype,
                "all-grad",
            )
        )
    for param in tensor_params:
        position = pattern.params.index(param)
        target_of = lambda names, position=position: names[position]
        candidates.append(
            make(param, all_params, forced_non_leaf | {param}, target_of, torch.float64, "all-grad")
        )
        if len(tensor_params) > 1:
            candidates.append(
                make(
                    param,
                    frozenset({param}),
                    forced_non_leaf | {param},
                    target_of,
                    torch.float64,
                    "only-it-grad",
                )
            )
            if param not in forced_non_leaf:
                candidates.append(
                    make(
                        param,
                        all_params - {param},
                        forced_non_leaf,
                        target_of,
                        torch.float64,
                        "it-no-grad",
                    )
                )
    yield from (case for case in candidates if case is not None)


def build_corpus() -> Corpus:
    corpus = Corpus()
    counted: set[tuple[str, str]] = set()
    skipped_reasons: dict[tuple[str, str], str] = {}
    for pattern, kind, name, why in call_patterns(_data()):
        counted.add((kind, name))
        if pattern is None:
            skipped_reasons.setdefault((kind, name), why)
            continue
        probed = probe(pattern)
        if isinstance(probed, str):
            skipped_reasons.setdefault((kind, name), probed)
            continue
        new_cases = list(cases_for(pattern, probed))
        if new_cases:
            corpus.cases.extend(new_cases)
            corpus.spellings_in_corpus.add((kind, name))
            corpus.ops_in_corpus.add(pattern.op)
    corpus.spellings_considered = len(counted)
    for key, reason in skipped_reasons.items():
        if key not in corpus.spellings_in_corpus:
            corpus.skipped[reason] += 1
    return corpus
