"""Source positions of a few nodes, for the price of one plain code generation.

libcst's PositionProvider records a range for every node of the module, which costs more than
parsing it (about 1.5x on real files); findings need the ranges of a handful of nodes. This runs
the same code generation and records only the nodes asked for, with the same rules as
PositionProvider (syntactic ranges, hoisted from child nodes where libcst says so), so the
results are identical for those nodes (tests/test_positions.py compares them).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Optional

import libcst as cst
from libcst._position import CodePosition, CodeRange
from libcst.metadata.position_provider import WhitespaceInclusivePositionProvidingCodegenState


@dataclass(frozen=False)
class _SelectiveState(WhitespaceInclusivePositionProvidingCodegenState):
    wanted: set = field(default_factory=set)
    ranges: dict = field(default_factory=dict)
    _open: list = field(default_factory=list)

    def before_codegen(self, node: cst.CSTNode) -> None:
        if node in self.wanted:
            self._open.append(CodePosition(self.line, self.column))

    def after_codegen(self, node: cst.CSTNode) -> None:
        if node in self.wanted:
            start = self._open.pop()
            if node not in self.ranges:  # a syntactic range recorded inside wins, as in libcst
                self.ranges[node] = CodeRange(start, CodePosition(self.line, self.column))

    @contextmanager
    def record_syntactic_position(
        self,
        node: cst.CSTNode,
        *,
        start_node: Optional[cst.CSTNode] = None,
        end_node: Optional[cst.CSTNode] = None,
    ) -> Iterator[None]:
        if node not in self.wanted:
            yield
            return
        # The children the range is hoisted from need their own ranges first.
        for child in (start_node, end_node):
            if child is not None:
                self.wanted.add(child)
        start = CodePosition(self.line, self.column)
        try:
            yield
        finally:
            end = CodePosition(self.line, self.column)
            start = self.ranges[start_node].start if start_node is not None else start
            end = self.ranges[end_node].end if end_node is not None else end
            self.ranges[node] = CodeRange(start, end)


def positions_of(module: cst.Module, nodes: Iterable[cst.CSTNode]) -> dict[cst.CSTNode, CodeRange]:
    """The PositionProvider range of each of ``nodes`` (nodes of ``module``)."""
    return positions_and_code(module, nodes)[0]


def positions_and_code(module: cst.Module, nodes: Iterable[cst.CSTNode]) -> tuple[dict[cst.CSTNode, CodeRange], str]:
    """``positions_of``, and ``module.code`` from the same code generation (the fixer needs both)."""
    state = _SelectiveState(
        default_indent=module.default_indent,
        default_newline=module.default_newline,
        provider=None,  # type: ignore[arg-type]
        wanted=set(nodes),
    )
    module._codegen(state)
    return state.ranges, "".join(state.tokens)
