"""What every rule shares: the base class, the report a rule makes, and its test examples.

Rules report; they never mutate. A report carries the flagged node, the message and, when a
rewrite exists, a ProposedFix naming the original node to replace and what replaces it. The
engine turns reports into Findings (positions, suppression) and one transformer applies fixes.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import ClassVar, Mapping, Optional, Sequence, Union

import libcst as cst

from inplace_fixer.inference import NodeFact, Value
from inplace_fixer.inference.values import Reason
from inplace_fixer.model import Applicability
from inplace_fixer.source import code

NewNode = Union[cst.CSTNode, cst.FlattenSentinel, cst.RemovalSentinel]


@dataclass(frozen=True)
class ProposedFix:
    applicability: Applicability
    reason: Optional[str]
    original: cst.CSTNode  # replaced by identity in the original tree
    replacement: NewNode
    # Further (original, replacement) pairs of the same fix, applied together or not at all
    # (the list-and-stack fix of a loop changes the allocation and the loop).
    more: tuple[tuple[cst.CSTNode, NewNode], ...] = ()
    # What the message's "Fix:" says, when the edit's own first lines would not show this
    # finding's change (several findings sharing one clone, a fix spanning several places).
    summary: Optional[Union[Reason, str]] = None

    @property
    def replacements(self) -> tuple[tuple[cst.CSTNode, NewNode], ...]:
        return ((self.original, self.replacement), *self.more)


@dataclass(frozen=True)
class Report:
    node: cst.CSTNode
    message: str
    fix: Optional[ProposedFix]
    grad_reason: Optional[Reason] = None
    # The mutated expression: the saved-tensor analysis reads its facts.
    target: Optional[cst.BaseExpression] = None
    # Set by a rule that knows the category better than the target's facts (IPF004's modules).
    category: Optional[str] = None
    category_reason: Optional[Union[Reason, str]] = None
    category_message: Optional[Union[Reason, str]] = None  # with ``category``: replaces the message


@dataclass(frozen=True)
class Invalid:
    """An example the rule must flag; ``expected`` is the source after the rule's fix, when the
    example shows one (None: no fix expected to be applied by default, i.e. not a safe fix)."""

    code: str
    expected: Optional[str] = None
    unsafe_expected: Optional[str] = None  # after the fix when unsafe fixes are allowed


@dataclass
class RuleContext:
    module: cst.Module
    torch_name: Optional[str]  # how the module can refer to ``torch`` (an alias or None)
    facts: Mapping[cst.CSTNode, NodeFact]  # what TensorFactsProvider computes
    # id(nn module constructor with inplace=True) -> the values it was called with
    inplace_module_calls: Mapping[int, list] = field(default_factory=dict)
    source: Optional[str] = None  # the text ``module`` was parsed from, when known


class Rule:
    """A rule defines ``visit_<NodeType>`` methods, as a libcst visitor would. The engine calls
    them for every node the inference reached, parents before children, so that the file is
    walked once (by the inference) rather than once more per rule."""

    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    fixable: ClassVar[str] = "sometimes"  # "always", "sometimes", "never": for the rule table
    VALID: ClassVar[Sequence[str]] = ()
    INVALID: ClassVar[Sequence[Invalid]] = ()
    def __init__(self, context: RuleContext) -> None:
        self.context = context
        self.reports: list[Report] = []

    @classmethod
    def visitors(cls) -> dict[str, str]:
        """Node type name -> method name, for the types this rule visits."""
        return {name[len("visit_"):]: name for name in dir(cls) if name.startswith("visit_")}

    @classmethod
    def documentation(cls) -> str:
        return textwrap.dedent(cls.__doc__ or "").strip()

    def fact(self, node: cst.CSTNode) -> Optional[NodeFact]:
        return self.context.facts.get(node)

    def value(self, node: cst.CSTNode) -> Optional[Value]:
        fact = self.fact(node)
        return None if fact is None else fact.value

    def gradient_reason(self, site, target: Optional[Value], operands=()) -> Optional[Reason]:
        """Why the mutation is in a gradient path (the target or a value written into it may
        require grad, with grad mode on), or None when it is not."""
        if site is not None and not site.inference and target is not None and target.inference_tensor is not None:
            # torch refuses any in-place change of an inference tensor outside inference mode.
            return target.inference_tensor
        if site is None or not site.grad_enabled:
            return None
        if target is not None and target.grad is not None:
            return target.grad
        if target is not None and target.saved_by is not None:
            # A tensor an op saved for backward is part of the graph even if it needs no grad.
            return Reason(f"a tensor that {target.saved_by.template} saved for its backward", target.saved_by.node)
        if target is not None and target.multi_view_base is not None:
            return target.multi_view_base
        for operand in operands:
            if operand is None:
                continue
            if operand.grad is not None:
                return operand.grad
            # torch.cat([a, b], out=buf): the tensors inside a list count too.
            if operand.element is not None and operand.element.grad is not None:
                return operand.element.grad
        return None

    def report(
        self,
        node: cst.CSTNode,
        message: str,
        fix: Optional[ProposedFix] = None,
        grad_reason: Optional[Reason] = None,
        target: Optional[cst.BaseExpression] = None,
        category: Optional[str] = None,
        category_reason: Optional[Union[Reason, str]] = None,
    ) -> None:
        self.reports.append(Report(node, message, fix, grad_reason, target, category, category_reason))


def in_path_message(what: str, target: str) -> str:
    """The common message shape; the engine fills ``{grad}`` with the rendered reason."""
    return f"`{what}` modifies `{target}` in place, in a gradient path: it derives from {{grad}}"


__all__ = ["Invalid", "ProposedFix", "Report", "Rule", "RuleContext", "code", "in_path_message"]
