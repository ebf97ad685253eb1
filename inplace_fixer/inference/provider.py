"""The libcst metadata provider that exposes the inference to rules."""

from __future__ import annotations

import libcst as cst
from libcst.metadata import VisitorMetadataProvider

from inplace_fixer.inference.interpreter import Interpreter
from inplace_fixer.inference.sites import NodeFact


class TensorFactsProvider(VisitorMetadataProvider[NodeFact]):
    """Attaches a NodeFact to every expression the inference evaluated.

    The whole module is analysed once, when the module node is visited; expressions the
    inference never reached (dead code, unsupported syntax) have no fact, and rules treat
    them as unknown.
    """

    def visit_Module(self, node: cst.Module) -> bool:
        for expression, fact in Interpreter(node).run().items():
            self.set_metadata(expression, fact)
        return False
