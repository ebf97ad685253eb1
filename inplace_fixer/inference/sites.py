"""Where an expression sits: its statement, the grad mode there, and the enclosing function."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Union

import libcst as cst

from inplace_fixer.inference.values import Value


@dataclass(frozen=True, eq=False)
class FunctionInfo:
    node: cst.FunctionDef
    name: str
    params: frozenset[str]
    class_name: Optional[str] = None  # set for methods
    is_module_method: bool = False  # a method of an nn.Module subclass

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


@dataclass(frozen=True)
class NodeFact:
    """The metadata the inference attaches to each expression it evaluated."""

    value: Value
    site: Site
