"""The one transformer that applies accepted replacements, by node identity."""

from __future__ import annotations

from typing import Mapping, Union

import libcst as cst

Replacement = Union[cst.CSTNode, cst.FlattenSentinel, cst.RemovalSentinel]


class ApplyReplacements(cst.CSTTransformer):
    """Replaces each original node found in ``replacements``. The children of a replaced node are
    not visited, so a replacement nested inside another is not applied in this pass (the engine
    runs another pass on the result); ``applied`` says which were."""

    def __init__(self, replacements: Mapping[cst.CSTNode, Replacement]) -> None:
        super().__init__()
        self.replacements = replacements
        self.applied: set[int] = set()

    def on_visit(self, node: cst.CSTNode) -> bool:
        return node not in self.replacements

    def on_leave(self, original_node, updated_node):
        replacement = self.replacements.get(original_node)
        if replacement is None:
            return updated_node
        self.applied.add(id(original_node))
        return replacement


def apply(module: cst.Module, replacements: Mapping[cst.CSTNode, Replacement]) -> tuple[cst.Module, set[int]]:
    transformer = ApplyReplacements(replacements)
    return module.visit(transformer), transformer.applied
