"""Time inside one function: can a graph that used a tensor still be pending at a statement?

A forward op that used a tensor keeps what it saved until a `backward()` through it runs. This
module answers, for one statement of one function (or of the module's top level), whether some
earlier statement used the tensor with grad mode on and no `backward()` ran since, walking back
in execution order: the statements before it in its block, then out through the enclosing
blocks, and around an enclosing loop (what runs after the statement in one iteration runs before
it in the next). Branches are read in source order. Calls into other functions are not followed
(that is the whole-program analysis of issue 8); what a helper does is invisible here.

It reads what the inference already computed (each statement's Site, for the grad mode) and the
libcst tree; it never changes either.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Iterable, Mapping, Optional, Sequence

import libcst as cst

from inplace_fixer.inference import NodeFact, Site
from inplace_fixer.inference.state import dotted_name

# Functions that run while a model is built, before any forward: a `.data` write there cannot
# meet a pending graph. Named by nn.Module's own conventions and transformers' init hooks.
INIT_FUNCTIONS = frozenset({
    "__init__", "reset_parameters", "_reset_parameters", "_init_weights", "init_weights", "_initialize_weights",
    "post_init", "tie_weights", "_tie_or_clone_weights", "_tie_embedding_weights", "resize_token_embeddings",
    "_resize_token_embeddings", "_get_resized_embeddings", "_get_resized_lm_head", "reset_running_stats",
})
# nn.Module methods that run no forward: calling them is not a use of the module's tensors.
_MODULE_API = frozenset({
    "parameters", "named_parameters", "buffers", "named_buffers", "modules", "named_modules", "children",
    "named_children", "zero_grad", "train", "eval", "to", "cuda", "cpu", "double", "float", "half",
    "state_dict", "load_state_dict", "apply", "requires_grad_", "register_buffer", "register_parameter",
})
_PARAMETER_ITERATORS = frozenset({"parameters", "named_parameters", "buffers", "named_buffers"})


@dataclass
class _Block:
    statements: Sequence[cst.CSTNode]
    owner: Optional[cst.CSTNode]  # the compound statement whose body this is; None at the top


@dataclass
class Timeline:
    """Built once per module, on demand, by the rules that need time."""

    module: cst.Module
    facts: Mapping[cst.CSTNode, NodeFact]
    # id(statement) -> (its block, its index), for every statement of the module
    _where: dict[int, tuple[_Block, int]] = field(default_factory=dict)
    _sites: dict[int, Site] = field(default_factory=dict)
    _init_only: Optional[set[str]] = None

    def _index(self) -> None:
        """Blocks and sites, once, on the first question that walks back in time (init code is
        recognised without them)."""
        if self._where:
            return
        _index_blocks(self.module, self._where)
        for fact in self.facts.values():
            if fact.site is not None:  # decorators and annotations have no statement of their own
                self._sites.setdefault(id(fact.site.statement), fact.site)

    # ------------------------------------------------------------------ questions
    def in_init_code(self, site: Site) -> bool:
        """Whether the statement runs while the model is built: in `__init__`, `reset_parameters`
        and the like, or in a function of this file called only from those."""
        function = site.function
        if function is None:
            return False
        return function.name in INIT_FUNCTIONS or function.name in self._init_only_functions()

    def graph_pending(self, site: Site, tensor: cst.BaseExpression) -> bool:
        """Whether a statement before ``site`` used ``tensor`` (or called the module that owns
        it) with grad mode on, with no backward() in between."""
        name = dotted_name(tensor)
        return name is not None and self.graph_pending_for(site, name)

    def graph_pending_for(self, site: Site, name: str) -> bool:
        """The same, for a tensor known by its dotted name (`self.fc.weight`)."""
        self._index()
        owners = _owners(name, self._loop_sources(site, name.split(".")[0]))
        statement = site.line if site.line is not None else site.statement
        return self._pending_before(statement, name, owners, site.function)

    # ------------------------------------------------------------------ walking back
    def _pending_before(self, statement: cst.CSTNode, name: str, owners: frozenset[str], function) -> bool:
        where = self._where.get(id(statement))
        if where is None:
            return False
        block, index = where
        found = self._scan(reversed(block.statements[:index]), name, owners)
        if found is not None:
            return found == "use"
        owner = block.owner
        if owner is None or owner is getattr(function, "node", None) or isinstance(owner, (cst.FunctionDef, cst.ClassDef)):
            return False
        if isinstance(owner, (cst.For, cst.While)) and block.statements is getattr(owner.body, "body", None):
            # The previous iteration ran the rest of the body before this statement.
            if self._scan(reversed(block.statements[index + 1:]), name, owners) == "use":
                return True
        return self._pending_before(owner, name, owners, function)

    def _scan(self, statements: Iterable[cst.CSTNode], name: str, owners: frozenset[str]) -> Optional[str]:
        """"backward" or "use", whichever comes first walking back, or None."""
        for statement in statements:
            for small in reversed(list(_smalls(statement))):
                if _runs_backward(small):
                    return "backward"
                site = self._sites.get(id(small))
                if site is not None and site.grad_enabled and self._uses(small, name, owners):
                    return "use"
        return None

    def _uses(self, small: cst.BaseSmallStatement, name: str, owners: frozenset[str]) -> bool:
        """Whether the statement runs a forward op on the tensor. Binding it counts only when the
        value is made by an op that autograd records (`h = x.sigmoid()`), not for a leaf or a
        Parameter being created (`w = nn.Parameter(...)`)."""
        if isinstance(small, cst.Assign) and any(dotted_name(t.target) == name for t in small.targets):
            if _mentions_use(small.value, name, owners):
                return True
            fact = self.facts.get(small.value)
            value = fact.value if fact is not None else None
            return value is not None and value.grad is not None and value.leaf is None and not value.is_parameter
        return _mentions_use(small, name, owners)

    # ------------------------------------------------------------------ helpers
    def _loop_sources(self, site: Site, variable: str) -> list[str]:
        """For `for p in model.parameters():` around the statement: ["model"]."""
        sources = []
        node = site.line if site.line is not None else site.statement
        while True:
            where = self._where.get(id(node))
            if where is None or where[0].owner is None:
                return sources
            owner = where[0].owner
            if isinstance(owner, cst.For) and isinstance(owner.target, (cst.Name, cst.Tuple)) and variable in _target_names(owner.target):
                it = owner.iter
                if isinstance(it, cst.Call) and isinstance(it.func, cst.Attribute) and it.func.attr.value in _PARAMETER_ITERATORS:
                    source = dotted_name(it.func.value)
                    if source is not None:
                        sources.append(source)
            node = owner

    def _init_only_functions(self) -> set[str]:
        if self._init_only is None:
            self._init_only = _init_only(self.module)
        return self._init_only


def _owners(name: str, loop_sources: Sequence[str]) -> frozenset[str]:
    """The modules whose call is a use of the tensor: `self.fc` for `self.fc.weight`."""
    parts = name.split(".")
    owners = {".".join(parts[:end]) for end in range(1, len(parts))}
    return frozenset(owners | set(loop_sources))


def _target_names(target: cst.BaseExpression) -> set[str]:
    if isinstance(target, cst.Name):
        return {target.value}
    if isinstance(target, (cst.Tuple, cst.List)):
        return {n for element in target.elements for n in _target_names(element.value)}
    return set()


def _smalls(statement: cst.CSTNode) -> Iterable[cst.BaseSmallStatement]:
    """The small statements inside ``statement``, in source order (nested blocks included, but
    not nested function or class bodies, which do not run here)."""
    if isinstance(statement, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
        yield from statement.body
        return
    if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
        return
    for child in statement.children:
        if isinstance(child, (cst.BaseSuite, cst.BaseCompoundStatement, cst.SimpleStatementLine, cst.Else, cst.If,
                              cst.ExceptHandler, cst.Finally)):
            yield from _smalls(child)


def _runs_backward(small: cst.BaseSmallStatement) -> bool:
    """`loss.backward()`, `scaler.scale(loss).backward()`, `torch.autograd.backward(...)`, without
    retain_graph=True (which keeps what the graph saved)."""
    for call in _calls(small):
        func = call.func
        if isinstance(func, cst.Attribute) and func.attr.value in ("backward", "grad"):
            if func.attr.value == "grad" and dotted_name(func.value) not in ("torch.autograd", "autograd"):
                continue
            retain = any(
                arg.keyword is not None and arg.keyword.value == "retain_graph" and not _is_false(arg.value)
                for arg in call.args
            )
            if not retain:
                return True
    return False


def _is_false(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value in ("False", "None")


def _mentions_use(node: cst.CSTNode, name: str, owners: frozenset[str]) -> bool:
    finder = _UseFinder(name, owners)
    node.visit(finder)
    return finder.found


class _UseFinder(cst.CSTVisitor):
    def __init__(self, name: str, owners: frozenset[str]) -> None:
        super().__init__()
        self.name = name
        self.owners = owners
        self.found = False

    def visit_Attribute(self, node: cst.Attribute) -> Optional[bool]:
        if node.attr.value == "data" and dotted_name(node.value) == self.name:
            return False  # `t.data` is invisible to autograd: not a use
        if dotted_name(node) == self.name:
            self.found = True
        return not self.found

    def visit_Name(self, node: cst.Name) -> Optional[bool]:
        if node.value == self.name:
            self.found = True
        return False

    def visit_Call(self, node: cst.Call) -> Optional[bool]:
        called = dotted_name(node.func)
        if called in self.owners:
            self.found = True
        elif called is not None and "." in called:
            owner, _, method = called.rpartition(".")
            if owner in self.owners and method in _MODULE_API:
                # `model.parameters()`, `model.zero_grad()`: no forward; look at the arguments only.
                for arg in node.args:
                    arg.visit(self)
                return False
        return not self.found


def _calls(node: cst.CSTNode) -> list[cst.Call]:
    found: list[cst.Call] = []

    class _Calls(cst.CSTVisitor):
        def visit_Call(self, call: cst.Call) -> None:
            found.append(call)

        def visit_Lambda(self, _: cst.Lambda) -> bool:
            return False

    node.visit(_Calls())
    return found


# The tree is walked through the nodes' fields rather than with a libcst visitor, whose dispatch
# per node cost more than the rest of IPF007 on the modules that needed it (2.4 of 135 CPU-s over
# transformers `models/`). The walks reach the same nodes.
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}
# Where compound statements can be: a statement never holds one inside an expression.
_HOLDS_STATEMENTS = (cst.Module, cst.IndentedBlock, cst.BaseCompoundStatement, cst.Else, cst.Finally,
                     cst.ExceptHandler, cst.ExceptStarHandler, cst.MatchCase)


def _children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """``node.children`` (every child node), read from its fields without rebuilding it."""
    names = _CHILD_FIELDS.get(type(node))
    if names is None:
        names = _CHILD_FIELDS[type(node)] = tuple(field.name for field in fields(node))  # type: ignore[arg-type]
    found: list[cst.CSTNode] = []
    for name in names:
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            found.append(value)
        elif type(value) is tuple or type(value) is list:
            found += [item for item in value if isinstance(item, cst.CSTNode)]
    return found


def _index_blocks(module: cst.Module, where: dict[int, tuple[_Block, int]]) -> None:
    """id(statement) -> (its block, its index) for every statement of the module."""

    def index(statements: Sequence[cst.CSTNode], owner: Optional[cst.CSTNode]) -> None:
        block = _Block(statements, owner)
        for position, statement in enumerate(statements):
            where.setdefault(id(statement), (block, position))

    index(module.body, None)
    pending: list[cst.CSTNode] = [module]
    while pending:
        node = pending.pop()
        children = _children(node)
        if isinstance(node, cst.BaseCompoundStatement):
            for statements in owned_blocks(node, children):
                index(statements, node)
        pending += [child for child in children if isinstance(child, _HOLDS_STATEMENTS)]


def owned_blocks(node: cst.BaseCompoundStatement, children: Sequence[cst.CSTNode]) -> Iterable[Sequence[cst.CSTNode]]:
    """The statement lists whose owner is the compound statement ``node`` (``children``: its child
    nodes): its bodies, `else:` and `finally:`, handlers of a `try`, and an `elif` (an If of its own)."""
    for child in children:
        if isinstance(child, cst.IndentedBlock):
            yield child.body
        elif isinstance(child, cst.SimpleStatementSuite):
            yield [child]
        elif isinstance(child, (cst.Else, cst.Finally)) and isinstance(child.body, cst.IndentedBlock):
            yield child.body.body
        elif isinstance(child, cst.If):  # elif
            yield [child]
    if isinstance(node, cst.Try):
        for handler in node.handlers:
            if isinstance(handler.body, cst.IndentedBlock):
                yield handler.body.body


def _init_only(module: cst.Module) -> set[str]:
    """Names of functions of this file whose every reference is inside init functions (or inside
    functions that are themselves init-only): `self._init(...)`, `self.apply(self._init)`."""
    references: dict[str, set[str]] = {}
    defined: set[str] = set()
    # (node, the innermost function it is in): a def's parameters, decorators and name are its own.
    pending: list[tuple[cst.CSTNode, str]] = [(module, "<module>")]
    while pending:
        node, scope = pending.pop()
        kind = type(node)
        if kind is cst.Name:
            references.setdefault(node.value, set()).add(scope)  # type: ignore[attr-defined]
            continue
        if kind is cst.FunctionDef:
            scope = node.name.value  # type: ignore[attr-defined]
            defined.add(scope)
        elif kind is cst.Attribute:
            references.setdefault(node.attr.value, set()).add(scope)  # type: ignore[attr-defined]
        pending += [(child, scope) for child in _children(node)]
    init = set(INIT_FUNCTIONS)
    changed = True
    while changed:
        changed = False
        for name in defined - init:
            # A def's own name and its recursive calls are its own references: not a use.
            users = references.get(name, set()) - {name}
            if users and users <= init:
                init.add(name)
                changed = True
    return init - INIT_FUNCTIONS


__all__ = ["INIT_FUNCTIONS", "Timeline"]
