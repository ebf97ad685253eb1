"""Where an expression sits: its statement, the grad mode there, and the enclosing function."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence, Union

import libcst as cst

from inplace_fixer.inference.values import Value


@dataclass(frozen=True, eq=False)
class FunctionInfo:
    node: cst.FunctionDef
    name: str
    params: frozenset[str]
    class_name: Optional[str] = None  # set for methods
    is_module_method: bool = False  # a method of an nn.Module subclass
    class_node: Optional[cst.ClassDef] = None

    @property
    def is_forward(self) -> bool:
        return self.is_module_method and self.name == "forward"


@dataclass(frozen=True, eq=False)
class Site:
    """One evaluation context of a statement. Shared by every expression inside it."""

    statement: Union[cst.BaseSmallStatement, cst.BaseCompoundStatement]
    # The line that holds a small statement (SimpleStatementLine or SimpleStatementSuite).
    line: Optional[Union[cst.SimpleStatementLine, cst.SimpleStatementSuite]]
    grad_enabled: bool
    function: Optional[FunctionInfo]
    in_loop: bool
    # The statements of the enclosing block and this statement's index in it, so a rule can
    # look at what came just before (a fresh `x = x.clone()`).
    block: Sequence[cst.CSTNode] = ()
    index: int = -1
    loop_block: Sequence[cst.CSTNode] = ()  # the body of the innermost enclosing loop
    inference: bool = False  # inside torch.inference_mode()

    def next_statements(self):
        """The statements that can run after this one before the block is left: the rest of the
        block and, when the block is a loop's body, the body again from its start."""
        yield from self.block[self.index + 1:]
        if self.block is self.loop_block:
            yield from self.block[: self.index]

    def previous_statements(self):
        """The statements before this one in its block, nearest first."""
        for position in range(self.index - 1, -1, -1):
            yield self.block[position]


@dataclass(frozen=True)
class NodeFact:
    """The metadata the inference attaches to each expression it evaluated."""

    value: Value
    site: Site
