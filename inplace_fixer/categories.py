"""Which findings will break backward, which silently corrupt gradients, which merely sit in a
gradient path: read off the facts the inference recorded from torch's own derivative formulas
(inplace_fixer.saved_tensors), in the user's terms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional, Union

import libcst as cst

from inplace_fixer.graph_reach import reaches_backward
from inplace_fixer.inference import NodeFact
from inplace_fixer.inference.values import Reason
from inplace_fixer.model import BREAKS_BACKWARD, IN_GRADIENT_PATH, SILENT_WRONG_GRADIENT
from inplace_fixer.rules.base import Report, code

SILENT_RULES = frozenset({"IPF007", "IPF008"})


@dataclass(frozen=True)
class Category:
    name: str
    reason: Union[Reason, str, None]
    # The message when the category says more than the rule's own message; None keeps the rule's.
    message: Optional[Union[Reason, str]] = None


ALLOWED_MUTATION = (
    "inside torch.autograd.graph.allow_mutation_on_saved_tensors(), torch clones a saved tensor before "
    "it is changed: backward does not raise"
)


def categorize(
    rule_code: str, report: Report, facts: Mapping[cst.CSTNode, NodeFact],
    mutation_allowed: frozenset[int] = frozenset(),
) -> Category:
    if report.category is not None:
        return Category(report.category, report.category_reason, report.category_message)
    if rule_code in SILENT_RULES:
        return Category(SILENT_WRONG_GRADIENT, "autograd does not see this change: no error, wrong gradients")
    target = report.target
    fact = facts.get(target) if target is not None else None
    if fact is None:
        return Category(IN_GRADIENT_PATH, None)
    value = fact.value
    what, name = code(report.node), code(target)  # type: ignore[arg-type]
    if value.saved_by is not None and id(fact.site.statement) in mutation_allowed:
        return Category(IN_GRADIENT_PATH, ALLOWED_MUTATION)
    passed = value.passed_at
    if value.saved_by is not None and passed is not None:
        saved = value.saved_by
        text = f"the call on line {{via}} passes {passed.template} as `{name}`, which {saved.template} saved for its backward; backward will raise"
        return Category(BREAKS_BACKWARD, Reason(text, saved.node, via=passed.node), Reason(f"`{what}` modifies `{name}`: " + text, saved.node, via=passed.node))
    if value.saved_by is not None and not reaches_backward(
        value.saved_by.node, fact.site.function.node if fact.site.function else None, facts
    ):
        saved = value.saved_by
        function = fact.site.function.name if fact.site.function else "the function"
        return Category(IN_GRADIENT_PATH, Reason(
            f"{saved.template} saved `{name}`, but nothing computed from it leaves {function}() in a form that "
            "can require grad, so no backward runs through it today", saved.node,
        ))
    if value.saved_by is not None:
        saved = value.saved_by
        text = f"{saved.template} saved `{name}` for its backward (or a tensor sharing its memory); backward will raise"
        message = f"`{what}` modifies `{name}`, which {saved.template} saved for its backward; backward will raise"
        return Category(BREAKS_BACKWARD, Reason(text, saved.node), Reason(message, saved.node))
    if value.inference_tensor is not None and not fact.site.inference:
        made = value.inference_tensor
        text = f"{made.template}: changing it in place outside inference mode raises"
        return Category(BREAKS_BACKWARD, Reason(text, made.node), Reason(
            f"`{what}` modifies `{name}`, an inference tensor ({made.template}); torch raises here", made.node
        ))
    if not fact.site.grad_enabled:
        return Category(IN_GRADIENT_PATH, None)
    if value.multi_view:
        text = f"`{name}` is one of several views returned by unbind/split/chunk (or by iterating a tensor): torch forbids changing it in place"
        return Category(BREAKS_BACKWARD, text, f"`{what}` modifies `{name}`, one of several views returned by unbind/split/chunk; torch raises here")
    if (value.leaf is not None or value.leaf_view is not None) and passed is not None:
        what_leaf = "a leaf tensor" if value.leaf is not None else "a view of a leaf tensor"
        text = f"`{name}` is an argument of {fact.site.function.name if fact.site.function else 'a function'}(), and the call on line {{line}} passes {what_leaf} that requires grad: torch raises here"
        return Category(BREAKS_BACKWARD, Reason(text, passed.node), Reason(
            f"`{what}` modifies `{name}`, and the call on line {{line}} passes {what_leaf} that requires grad as `{name}`; torch raises here",
            passed.node,
        ))
    if value.leaf is not None:
        text = f"`{name}` is a leaf tensor that requires grad: torch raises at this line"
        return Category(BREAKS_BACKWARD, text, f"`{what}` modifies `{name}`, a leaf tensor that requires grad; torch raises here")
    if value.leaf_view is not None:
        text = f"`{name}` is a view of a leaf tensor that requires grad: torch raises at this line"
        return Category(BREAKS_BACKWARD, text, f"`{what}` modifies `{name}`, a view of a leaf tensor that requires grad; torch raises here")
    if value.no_grad_view is not None:
        made = value.no_grad_view
        text = f"`{name}` is a view that {made.template}; changing it in place with grad mode on raises"
        return Category(BREAKS_BACKWARD, Reason(text, made.node), Reason(
            f"`{what}` modifies `{name}`, a view that {made.template}; torch raises here", made.node
        ))
    if value.multi_view_base is not None:
        text = f"`{name}` is the base of views returned by unbind/split/chunk ({value.multi_view_base.template}): using them after this change raises"
        return Category(BREAKS_BACKWARD, Reason(text, value.multi_view_base.node),
                        f"`{what}` modifies `{name}`, whose unbind/split/chunk views are still in use; backward will raise")
    return Category(
        IN_GRADIENT_PATH,
        f"no earlier op saved `{name}`: backward works today, and breaks once an op that saves `{name}` runs before this line",
    )
