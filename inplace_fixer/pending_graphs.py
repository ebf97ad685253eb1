"""Changes made between a forward and the backward that needs what it saved (IPF009's analysis).

One scope at a time (the module's top level, or one function), statements are walked in
execution order: source order, both branches of an `if`, loop bodies twice (a graph kept from one
iteration meets the next iteration's step). Three kinds of event matter:

- a forward statement: an assignment made with grad mode on whose value requires grad. It
  becomes a graph node; the names it reads carry their own nodes into it (`.detach()` and
  `.item()` cut that), and the modules it calls are what it may have saved;
- a change of saved state: `opt.step()` (or `scaler.step(opt)`) on an optimizer built over a
  module's parameters, `load_state_dict`, `reset_running_stats`, `reset_parameters`, `apply`,
  `nn.init.*_`, and any in-place method, augmented or element assignment on a module's parameter
  or buffer (`p` in `for p in model.parameters()` too), under no_grad or not, through
  `.detach()` or not (a detached tensor shares the version counter). `.data` is IPF007's;
- a backward: `loss.backward()`, `scaler.scale(loss).backward()`, `torch.autograd.backward` or
  `torch.autograd.grad`. It runs the nodes its loss was made from and (without retain_graph)
  frees them.

A change is reported when a node it may have invalidated is still pending and a later backward
runs it. Which module state a call saves comes from torch's derivative formulas through
inplace_fixer.saved_tensors (a Linear saves its weight only when its input requires grad; Linear,
Conv and BatchNorm biases are never saved); a module of unknown make-up is taken to save its
parameters. Nothing inside `torch.autograd.graph.allow_mutation_on_saved_tensors()` counts:
torch clones a saved tensor there before it is changed. A call into a function of the file is
read through ``pending_helpers``: what the callee steps or edits counts at the call, and the
modules it runs count as the caller's forward.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterator, Mapping, Optional, Sequence

import libcst as cst

from inplace_fixer.inference import Kind, NodeFact, Site
from inplace_fixer.inference.flags import true_flag
from inplace_fixer.inference.state import dotted_name
from inplace_fixer.pending_helpers import changes_through_helpers, module_calls_through_helpers
from inplace_fixer.pending_saved import never_saved, saves_changed_state
from inplace_fixer.rules.method_forms import inplace_method_of
from inplace_fixer.pending_events import (
    CUTS, backward_of, body_of, calls, code_of, flatten, mutation_allowed_statements, parameter_owners, plain_name,
    read_names, target_names, walk,
)

# Calls on a module that change its parameters or buffers in place.
_STATE_CHANGING_METHODS = frozenset({"load_state_dict", "reset_running_stats", "reset_parameters", "apply"})
PARAMETER_ITERATORS = frozenset({"parameters", "named_parameters", "buffers", "named_buffers"})


@dataclass(frozen=True)
class ModuleCall:
    name: str  # dotted name of the module called (`D`, `self.encoder`)
    qualname: Optional[str]  # torch.nn.Linear, or None when not a torch module of known make-up
    input_requires_grad: bool


@dataclass
class _Node:
    """A forward statement: what it called, and whether a backward already freed it."""

    statement: cst.BaseSmallStatement
    calls: tuple[ModuleCall, ...]
    released: bool = False


@dataclass(frozen=True)
class Change:
    statement: cst.BaseSmallStatement
    line: Optional[cst.CSTNode]  # the line holding the statement
    what: str  # "`d_opt.step()` changes the parameters of `D`"
    owner: str  # dotted name of the module or tensor changed
    attribute: Optional[str]  # the parameter changed (`weight`), None for all of them
    kind: str  # "step", "fused-step", "edit", "module", "tensor"
    # For a change made inside a helper called by the statement: the helper's own statement
    # that makes it (the innermost one, for a helper calling a helper), and the helpers' names.
    inside: Optional[cst.CSTNode] = None
    helpers: tuple[str, ...] = ()
    updates: tuple[str, ...] = ()  # for a step: every module the optimizer updates


@dataclass(frozen=True)
class Breakage:
    """A change that makes a later backward raise."""

    change: Change
    saved_by: cst.BaseSmallStatement  # the forward statement whose saved state it changed
    saver: str  # "`D(fake)`" or the op that saved the tensor
    backward: cst.BaseSmallStatement
    loss: str  # the name whose backward raises
    change_block: Optional[Sequence[cst.CSTNode]] = None  # the statements around the change's line


FUSED = "fused:"  # key prefix in _Scope.optimizers for the optimizers built with fused=True


@dataclass
class _Scope:
    module: cst.Module
    facts: Mapping[cst.CSTNode, NodeFact]
    sites: Mapping[int, Site]
    allowed: frozenset[int]
    optimizers: dict[str, tuple[str, ...]] = field(default_factory=dict)  # opt -> modules it updates
    nodes: dict[int, _Node] = field(default_factory=dict)
    depends: dict[str, set[int]] = field(default_factory=dict)  # name -> ids of the nodes it was made from
    armed: list[tuple[Change, _Node, str]] = field(default_factory=list)
    found: dict[int, Breakage] = field(default_factory=dict)
    # Inside a helper (pending_helpers): its names -> the caller's, how deep, and the helpers
    # on the way (no recursion).
    rename: Optional[Callable[[str], Optional[str]]] = None
    depth: int = 0
    stack: frozenset[int] = frozenset()


def find_breakages(module: cst.Module, facts: Mapping[cst.CSTNode, NodeFact]) -> list[Breakage]:
    # Only scopes that run a backward can break one (most files, model code, have none: they
    # cost one pass over the facts; the language server makes it after every edit).
    attribute = cst.Attribute  # libcst has no subclass of it: the type test is exact
    with_backward = {
        fact.site.function.node if fact.site.function is not None else None
        for node, fact in facts.items()
        if type(node) is attribute and node.attr.value in ("backward", "grad") and fact.site is not None
    }
    if not with_backward:
        return []
    sites: dict[int, Site] = {}
    for fact in facts.values():
        if fact.site is not None:  # decorators and annotations have no statement of their own
            sites.setdefault(id(fact.site.statement), fact.site)
    allowed = frozenset(mutation_allowed_statements(module, facts))
    found: list[Breakage] = []
    scopes = [(function, _function_body(function, module)) for function in _functions(facts)]
    # Optimizers are often made in __init__ and stepped in a method: known file-wide by name.
    optimizers: dict[str, tuple[str, ...]] = {}
    for _, body in scopes:
        for small, _ in flatten(body):
            _note_optimizer(_Scope(module, facts, sites, allowed, optimizers), small)
    for function, body in scopes:
        if function not in with_backward:
            continue
        scope = _Scope(module, facts, sites, allowed, dict(optimizers))
        for small, line in flatten(body):
            _step(scope, small, line)
        found.extend(scope.found.values())
    return found


# ---------------------------------------------------------------------- walking


def _functions(facts: Mapping[cst.CSTNode, NodeFact]) -> list[Optional[cst.FunctionDef]]:
    """The module's top level (None) and every function the inference went through."""
    functions: dict[int, Optional[cst.FunctionDef]] = {0: None}
    for fact in facts.values():
        if fact.site is not None and fact.site.function is not None:
            functions.setdefault(id(fact.site.function.node), fact.site.function.node)
    return list(functions.values())


def _function_body(function: Optional[cst.FunctionDef], module: cst.Module) -> Sequence[cst.CSTNode]:
    if function is None:
        return module.body
    return function.body.body if isinstance(function.body, cst.IndentedBlock) else [function.body]


# ---------------------------------------------------------------------- one statement


def _step(scope: _Scope, small: cst.BaseSmallStatement, line: cst.CSTNode) -> None:
    site = scope.sites.get(id(small))
    grad_on = site is not None and site.grad_enabled
    _note_optimizer(scope, small)
    loss = backward_of(small)
    if loss is not None:
        _run_backward(scope, small, *loss)
        return
    if id(small) not in scope.allowed:
        for change in _changes(scope, small, line):
            _arm(scope, change)
    if isinstance(small, cst.Del):
        for name in target_names(small.target):
            scope.depends.pop(name, None)
        return
    targets, value = _assignment(small)
    if value is None:
        _note_container_add(scope, small)
        return
    made: set[int] = set()
    if grad_on and _requires_grad(scope, value):
        made, builds = _made_from(scope, value)
        if builds:
            old = scope.nodes.get(id(small))
            # A second pass over a loop makes a fresh node; what was armed on the old one goes.
            scope.armed = [item for item in scope.armed if item[1] is not old]
            scope.nodes[id(small)] = _Node(small, tuple(_module_calls(scope, value)))
            made = made | {id(small)}
    for name in targets:
        if isinstance(small, cst.AugAssign):
            scope.depends[name] = scope.depends.get(name, set()) | made
        else:
            scope.depends[name] = set(made)


def _assignment(small) -> tuple[list[str], Optional[cst.BaseExpression]]:
    if isinstance(small, cst.Assign):
        return [n for t in small.targets for n in target_names(t.target)], small.value
    if isinstance(small, (cst.AugAssign, cst.AnnAssign)) and small.value is not None:
        return target_names(small.target), small.value
    return [], None


def _requires_grad(scope: _Scope, value: cst.BaseExpression) -> bool:
    fact = scope.facts.get(value)
    if fact is None:
        return True  # unknown: let the names it reads decide
    value_fact = fact.value
    if value_fact.kind in (Kind.TENSOR, Kind.TENSORS):
        return value_fact.grad is not None or value_fact.element is not None and value_fact.element.grad is not None
    return value_fact.kind in (Kind.UNKNOWN, Kind.CONTAINER)


def _made_from(scope: _Scope, value: cst.BaseExpression) -> tuple[set[int], bool]:
    """The pending nodes ``value`` is made from (those of the names it reads, not through a cut
    such as `.detach()`), and whether evaluating it builds a graph node itself."""
    inherited: set[int] = set()
    for name in read_names(value):
        inherited |= {node for node in scope.depends.get(name, set()) if not scope.nodes[node].released}
    builds = bool(inherited) or any(True for _ in _module_calls(scope, value)) or _reads_grad_tensor(scope, value)
    return inherited, builds


def _reads_grad_tensor(scope: _Scope, value: cst.BaseExpression) -> bool:
    fact = scope.facts.get(value)
    return fact is not None and fact.value.kind is Kind.TENSOR and fact.value.grad is not None


def _module_calls(scope: _Scope, node: cst.CSTNode) -> Iterator[ModuleCall]:
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value in CUTS:
        return
    if isinstance(node, cst.Call):
        fact = scope.facts.get(node.func)
        raw = dotted_name(node.func)
        name = _caller(scope, raw)
        is_module = fact is not None and fact.value.kind is Kind.MODULE
        if fact is not None and fact.value.kind is Kind.FUNCTION:
            yield from module_calls_through_helpers(scope, node, _module_calls)
        # A name an optimizer was built over (`self.D` of a plain trainer class) is a module too.
        elif name is not None and (is_module or any(raw in owners or name in owners for owners in scope.optimizers.values())):
            qualname = fact.value.qualname if is_module and fact.value.qualname and fact.value.qualname.startswith("torch.") else None
            argument = scope.facts.get(node.args[0].value) if node.args else None
            grad = argument is not None and argument.value.grad is not None
            yield ModuleCall(name, qualname, grad)
    if isinstance(node, cst.Lambda):
        return
    for child in node.children:
        yield from _module_calls(scope, child)


def _note_container_add(scope: _Scope, small) -> None:
    """`losses.append(loss)`: the list holds the graph of what it holds."""
    if not (isinstance(small, cst.Expr) and isinstance(small.value, cst.Call)):
        return
    call = small.value
    if isinstance(call.func, cst.Attribute) and call.func.attr.value in ("append", "extend", "insert"):
        owner = dotted_name(call.func.value)
        if owner is not None:
            for arg in call.args:
                for name in read_names(arg.value):
                    scope.depends.setdefault(owner, set()).update(scope.depends.get(name, set()))


def _note_optimizer(scope: _Scope, small) -> None:
    """`opt = torch.optim.Adam(D.parameters(), ...)`: which modules the optimizer updates."""
    if not isinstance(small, cst.Assign) or len(small.targets) != 1 or not isinstance(small.value, cst.Call):
        return
    name = dotted_name(small.targets[0].target)
    fact = scope.facts.get(small.value.func)
    qualname = fact.value.qualname if fact is not None else None
    if name is None or not qualname or not qualname.startswith("torch.optim."):
        return
    modules = tuple(dict.fromkeys(parameter_owners(small.value)))
    if modules:
        scope.optimizers[name] = modules
        if true_flag(small.value, "fused", None) is not None:
            # A fused optimizer's step does not bump the version counter: nothing raises.
            scope.optimizers[FUSED + name] = ()


# ---------------------------------------------------------------------- changes


def _changes(scope: _Scope, small, line) -> Iterator[Change]:
    for call in calls(small):
        func = call.func
        if not isinstance(func, cst.Attribute):
            continue
        method = func.attr.value
        receiver = dotted_name(func.value)
        if method == "step":
            found = _optimizer(scope, receiver)
            if found is None and call.args:  # scaler.step(opt)
                found = _optimizer(scope, dotted_name(call.args[0].value))
            if found is not None:
                optimizer, owners = found
                kind = "fused-step" if FUSED + optimizer in scope.optimizers else "step"
                for owner in owners:
                    text = f"`{code_of(call)}` changes the parameters of `{owner}`"
                    yield Change(small, line, text, owner, None, kind, updates=owners)
            continue
        if method in _STATE_CHANGING_METHODS and _caller(scope, receiver) is not None and _is_module(scope, func.value):
            owner = _caller(scope, receiver)
            yield Change(small, line, f"`{code_of(call)}` changes the state of `{owner}` in place", owner, None, "module")
            continue
        qualname = dotted_name(func)
        if qualname is not None and ".init." in f".{qualname}" and method.endswith("_") and call.args:
            yield from _tensor_change(scope, small, line, call.args[0].value, call)
            continue
        if inplace_method_of(call) is not None:
            yield from _tensor_change(scope, small, line, func.value, call)
    if isinstance(small, cst.AugAssign):
        yield from _tensor_change(scope, small, line, small.target, small)
    if isinstance(small, cst.Assign):
        for target in small.targets:
            if isinstance(target.target, cst.Subscript):
                yield from _tensor_change(scope, small, line, target.target, small)
    yield from changes_through_helpers(scope, small, line, _changes)


def _caller(scope: _Scope, name: Optional[str]) -> Optional[str]:
    """A name of the scope's code by the analysed caller's names (itself outside helpers)."""
    if name is None or scope.rename is None:
        return name
    return scope.rename(name)


def _optimizer(scope: _Scope, name: Optional[str]) -> Optional[tuple[str, tuple[str, ...]]]:
    """The optimizer called ``name`` and the modules it updates, by the caller's names. Inside
    a method, `self.d_opt` is known by that name from `__init__`; its modules are renamed."""
    renamed = _caller(scope, name)
    if renamed is not None and renamed in scope.optimizers:
        return renamed, scope.optimizers[renamed]
    if scope.rename is not None and name in scope.optimizers:
        owners = tuple(owner for owner in map(scope.rename, scope.optimizers[name]) if owner is not None)
        return name, owners
    return None


def _tensor_change(scope: _Scope, small, line, tensor: cst.BaseExpression, node) -> Iterator[Change]:
    """A parameter or buffer changed in place: `D.fc.weight`, `p` of `for p in D.parameters()`,
    `w.detach()` (shares the version counter), `w[0]`. Not `.data` (IPF007)."""
    while True:
        if isinstance(tensor, cst.Subscript):
            tensor = tensor.value
        elif isinstance(tensor, cst.Call) and isinstance(tensor.func, cst.Attribute) and tensor.func.attr.value == "detach":
            tensor = tensor.func.value
        else:
            break
    if isinstance(tensor, cst.Attribute) and tensor.attr.value == "data":
        return
    if isinstance(tensor, cst.Attribute) and not isinstance(tensor.value, (cst.Name, cst.Attribute)):
        # `model[2].weight`: a parameter of a submodule reached by index; the owner is `model`.
        root = tensor.value
        while isinstance(root, (cst.Subscript, cst.Call)):
            root = root.value if isinstance(root, cst.Subscript) else root.func
        owner = _caller(scope, dotted_name(root))
        if owner is not None and never_saved(scope.facts, tensor.value, tensor.attr.value):
            return
        if owner is not None and (_is_module(scope, root) or _is_module(scope, tensor.value)):
            yield Change(small, line, f"`{code_of(node)}` changes `{code_of(tensor)}` in place", owner, None, "edit")
        return
    name = dotted_name(tensor)
    if name is None:
        return
    text = f"`{code_of(node)}` changes `{name}` in place"
    site = scope.sites.get(id(small))
    found_owners = (_caller(scope, owner) for owner in _loop_parameter_owners(scope.module, site, name))
    owners = [owner for owner in found_owners if owner is not None]
    for owner in owners:
        yield Change(small, line, text + f" (a parameter of `{owner}`)", owner, None, "edit")
    fact = scope.facts.get(tensor)
    if owners or fact is None or fact.value.kind is not Kind.TENSOR:
        return
    if isinstance(tensor, cst.Attribute) and _is_module(scope, tensor.value):
        owner = _caller(scope, dotted_name(tensor.value) or name)
        if owner is not None:
            yield Change(small, line, text, owner, tensor.attr.value, "edit")
        return
    if fact.value.saved_by is not None and (site is None or not site.grad_enabled) and _caller(scope, name) is not None:
        # With grad mode on, the in-place rules (IPF001/IPF002/IPF006) report this change.
        yield Change(small, line, text, _caller(scope, name), None, "tensor")


def _loop_parameter_owners(module: cst.Module, site: Optional[Site], name: str) -> Iterator[str]:
    """`model` when ``name`` is the variable of the enclosing `for p in model.parameters():`."""
    if site is None or not site.loop_block or site.block is not site.loop_block:
        return
    root = site.function.node if site.function is not None else module
    for node in walk(root):
        if isinstance(node, cst.For) and body_of(node.body) is site.block and name in target_names(node.target):
            it, target = node.iter, node.target
            if isinstance(it, cst.Call) and plain_name(it.func) == "zip" and isinstance(target, (cst.Tuple, cst.List)):
                # for t, s in zip(teacher.parameters(), student.parameters()): by position
                for element, arg in zip(target.elements, it.args):
                    if name in target_names(element.value):
                        yield from parameter_owners(arg.value)
            else:
                yield from parameter_owners(it)


def _is_module(scope: _Scope, node: cst.BaseExpression) -> bool:
    fact = scope.facts.get(node)
    return fact is not None and fact.value.kind is Kind.MODULE


# ---------------------------------------------------------------------- matching


def _arm(scope: _Scope, change: Change) -> None:
    for node in scope.nodes.values():
        if node.released:
            continue
        if change.kind == "tensor":
            fact_saver = _saved_by(scope, change)
            if fact_saver is node.statement:
                scope.armed.append((change, node, f"`{code_of(node.statement)}`"))
            continue
        for call in node.calls:
            if saves_changed_state(call, change):
                scope.armed.append((change, node, f"`{_code_call(node.statement, call)}`"))
                break


def _saved_by(scope: _Scope, change: Change):
    """The statement of the op that saved the changed tensor, from the inference's facts."""
    name = change.owner
    for node in walk(change.statement):
        if isinstance(node, (cst.Name, cst.Attribute)) and dotted_name(node) == name:
            fact = scope.facts.get(node)
            if fact is not None and fact.value.saved_by is not None:
                return fact.value.saved_by.node
    return None


def _run_backward(scope: _Scope, small, loss: Optional[str], retain: bool) -> None:
    runs = {node for node in scope.depends.get(loss or "", set()) if not scope.nodes[node].released}
    for change, node, saver in scope.armed:
        if id(node.statement) in runs and id(change.statement) not in scope.found:
            site = scope.sites.get(id(change.statement))
            scope.found[id(change.statement)] = Breakage(
                change, node.statement, saver, small, loss or "the loss", site.block if site is not None else None
            )
    if not retain:
        for node in runs:
            scope.nodes[node].released = True
    scope.armed = [item for item in scope.armed if not item[1].released]


def _code_call(statement: cst.CSTNode, call: ModuleCall) -> str:
    for node in walk(statement):
        if isinstance(node, cst.Call) and dotted_name(node.func) == call.name:
            return code_of(node)
    # Run inside a helper: the helper's call, which is given the module or reaches it by `self`.
    for node in walk(statement):
        if isinstance(node, cst.Call) and any(name == call.name.split(".")[0] for name in read_names(node)):
            return code_of(node)
    return call.name


__all__ = ["Breakage", "Change", "find_breakages", "mutation_allowed_statements"]
