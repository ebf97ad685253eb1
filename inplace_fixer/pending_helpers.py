"""What a call into the checked code does to saved state, seen from its call site (IPF009).

`train_discriminator(D, d_opt, real, fake)`, `clip_weights(D)` or `self.update_teacher()` between a
forward and its backward changes what that forward saved when the callee steps an optimizer or
edits a parameter in place. The callee is the one the whole-program inference resolved for the
call (the fact of the call's function is a FUNCTION value holding the definition), so there is
no second resolver here. Its statements are read with the same recognisers as the caller's
(``pending_graphs``), through a renaming that turns the callee's names into the caller's: a
parameter becomes the argument passed for it (`model` -> `D`), `self` the receiver of the call
(`self` -> `trainer`), a global stays itself, and a name the callee binds locally means nothing
to the caller (its changes are dropped, except through `for p in model.parameters()`, which the
recognisers resolve to `model` first).

Helpers calling helpers are followed, at most ``MAX_HELPER_DEPTH`` calls deep, never into a
function already on the way (recursion). Only functions of the checked file are followed: the
finding names a line inside the helper, and that line must be in the same file.

The same renaming carries a helper's forward into the caller: `g_loss = generator_loss(D, fake)`
calls `D` as far as what D saved is concerned.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import Callable, Iterator, Optional

import libcst as cst

from inplace_fixer.inference import Kind
from inplace_fixer.inference.state import dotted_name
from inplace_fixer.pending_events import body_of, code_of, flatten, target_names, walk

# How many helper calls deep a change is looked for (`train_step()` -> `update_d()` -> `d_opt.step()` is 2).
MAX_HELPER_DEPTH = 3

Rename = Callable[[str], Optional[str]]


def callee_of(scope, call: cst.Call) -> Optional[tuple[cst.FunctionDef, Rename, str]]:
    """The definition the inference resolved for ``call``, when it is a `def` of this file, with
    the renaming from its names to the caller's, and its name for messages."""
    fact = scope.facts.get(call.func)
    if fact is None or fact.value.kind is not Kind.FUNCTION or fact.value.function is None:
        return None
    ref = fact.value.function
    node = ref.node
    if not isinstance(node, cst.FunctionDef) or id(node) not in function_ids(scope.module):
        return None
    mapping = _parameter_map(ref.kind, node, call)
    if mapping is None:
        return None
    local = _bound_locally(node) - set(mapping)
    caller = scope.rename
    aliases: dict[str, str] = {}
    this = None
    if ref.kind == "method" and ref.info.class_node is not None and node.params.params:
        this = node.params.params[0].name.value
        receiver = mapping.get(this)
        if receiver is not None and "." not in receiver and receiver != this:
            aliases = _constructor_aliases(fact.site, scope.module, ref.info.class_node, receiver)

    def rename(name: str) -> Optional[str]:
        root, dot, rest = name.partition(".")
        attribute, _, further = rest.partition(".")
        if aliases and root == this and attribute in aliases:
            # `self.teacher` of `ema = EMA(student, teacher)`: the caller's `teacher`.
            renamed = aliases[attribute] + ("." + further if further else "")
            return renamed if caller is None else caller(renamed)
        if root in mapping:
            mapped = mapping[root]
            renamed = None if mapped is None else mapped + dot + rest
        elif root in local:
            return None
        else:
            renamed = name  # a global: the same object in the caller
        if renamed is None or caller is None:
            return renamed
        return caller(renamed)

    return node, rename, node.name.value


def changes_through_helpers(scope, small, line, changes_in: Callable) -> Iterator:
    """The changes the user functions called by ``small`` make, as Changes of ``small``: the
    finding goes on the call (the line the user can move) and names the line inside the helper."""
    for call in _calls_outside_lambdas(small):
        entered = _enter(scope, call)
        if entered is None:
            continue
        node, inner, name = entered
        seen: set[int] = set()
        for callee_small, callee_line in flatten(body_of(node.body)):
            if id(callee_small) in seen or id(callee_small) in scope.allowed:
                continue
            seen.add(id(callee_small))
            for change in changes_in(inner, callee_small, callee_line):
                inside = change.inside if change.inside is not None else change.statement
                what = f"`{code_of(call)}` calls `{name}()`, where {change.what}"
                if change.inside is None:
                    what += " (line {via})"
                yield replace(change, statement=small, line=line, what=what, inside=inside,
                              helpers=(name, *change.helpers))


def module_calls_through_helpers(scope, call: cst.Call, module_calls_in: Callable) -> Iterator:
    """The modules a user function runs when ``call`` calls it, by the caller's names."""
    entered = _enter(scope, call)
    if entered is None:
        return
    node, inner, _ = entered
    for statement, _ in flatten(body_of(node.body)):
        if isinstance(statement, (cst.Assign, cst.AugAssign, cst.AnnAssign, cst.Return, cst.Expr)) and statement.value is not None:
            yield from module_calls_in(inner, statement.value)


def _enter(scope, call: cst.Call):
    """(the callee, the scope its statements are read in, its name), unless the call is not to a
    function of the file, too deep, or recursive."""
    if scope.depth >= MAX_HELPER_DEPTH:
        return None
    resolved = callee_of(scope, call)
    if resolved is None or id(resolved[0]) in scope.stack:
        return None
    node, rename, name = resolved
    return node, replace(scope, rename=rename, depth=scope.depth + 1, stack=scope.stack | {id(node)}), name


@functools.lru_cache(maxsize=4)  # computed on the first call that resolves to a function, once per file
def function_ids(module: cst.Module) -> frozenset[int]:
    """The ids of the module's `def`s (the functions a call may be followed into). Only
    statements can hold a `def`, so expressions are not descended into."""
    found: set[int] = set()
    stack: list[cst.CSTNode] = [module]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.FunctionDef):
            found.add(id(node))
        if isinstance(node, (cst.Module, cst.BaseCompoundStatement, cst.BaseSuite, cst.Else, cst.ExceptHandler,
                             cst.ExceptStarHandler, cst.Finally, cst.MatchCase)):
            stack.extend(node.children)
    return frozenset(found)


def _constructor_aliases(site, module: cst.Module, class_node: cst.ClassDef, receiver: str) -> dict[str, str]:
    """For `receiver = Cls(a, b)` in the caller's scope, and `self.x = first` in `Cls.__init__`:
    {"x": "a"}, so that a method's `self.x` is known as the caller's `a`. Only attributes set
    straight from a parameter, from a constructor call whose argument is a plain name."""
    scope_body = module.body if site is None or site.function is None else body_of(site.function.node.body)
    init = next((s for s in body_of(class_node.body) if isinstance(s, cst.FunctionDef) and s.name.value == "__init__"), None)
    if init is None or not init.params.params:
        return {}
    constructions = [
        small.value for small, _ in flatten(scope_body)
        if isinstance(small, cst.Assign) and isinstance(small.value, cst.Call)
        and any(dotted_name(t.target) == receiver for t in small.targets)
        and (dotted_name(small.value.func) or "").split(".")[-1] == class_node.name.value
    ]
    if len(constructions) != 1:
        return {}  # built more than once, or not here: which arguments it got is not known
    passed = _parameter_map("method", init, constructions[0])
    if passed is None:
        return {}
    self_name = init.params.params[0].name.value
    aliases: dict[str, str] = {}
    for small, _ in flatten(body_of(init.body)):
        if isinstance(small, cst.Assign) and isinstance(small.value, cst.Name) and passed.get(small.value.value):
            for target in small.targets:
                name = dotted_name(target.target)
                if name is not None and name.count(".") == 1 and name.startswith(self_name + "."):
                    aliases[name.split(".")[1]] = passed[small.value.value]
    return aliases


def _parameter_map(kind: str, node: cst.FunctionDef, call: cst.Call) -> Optional[dict[str, Optional[str]]]:
    """Callee parameter -> the caller's dotted name for what it receives (None: an expression
    the caller cannot name, or nothing passed)."""
    params = node.params
    positional = [p.name.value for p in (*params.posonly_params, *params.params)]
    mapping: dict[str, Optional[str]] = {}
    if kind in ("method", "classmethod"):
        if not positional:
            return None
        receiver = call.func.value if isinstance(call.func, cst.Attribute) else None
        mapping[positional[0]] = _caller_name(receiver) if kind == "method" and receiver is not None else None
        positional = positional[1:]
    elif kind == "lambda":
        return None
    index = 0
    for arg in call.args:
        if arg.star:
            break
        if arg.keyword is not None:
            mapping[arg.keyword.value] = _caller_name(arg.value)
        elif index < len(positional):
            mapping[positional[index]] = _caller_name(arg.value)
            index += 1
    for name in [*positional, *(p.name.value for p in params.kwonly_params)]:
        mapping.setdefault(name, None)
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            mapping[star.name.value] = None
    return mapping


def _caller_name(node: Optional[cst.BaseExpression]) -> Optional[str]:
    """`D`, `self.D`, and `w` for `w.detach()` (a detached tensor shares the version counter)."""
    while isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "detach" and not node.args:
        node = node.func.value
    return dotted_name(node) if node is not None else None


@functools.lru_cache(maxsize=256)  # libcst nodes hash by identity: one walk per function
def _bound_locally(node: cst.FunctionDef) -> frozenset[str]:
    bound: set[str] = set()
    for child in walk(node.body):
        if isinstance(child, cst.Assign):
            for target in child.targets:
                bound.update(name for name in target_names(target.target) if "." not in name)
        elif isinstance(child, (cst.AnnAssign, cst.AugAssign)) and isinstance(child.target, cst.Name):
            bound.add(child.target.value)
        elif isinstance(child, (cst.For, cst.CompFor)):
            bound.update(name for name in target_names(child.target) if "." not in name)
        elif isinstance(child, cst.WithItem) and child.asname is not None:
            bound.update(name for name in target_names(child.asname.name) if "." not in name)
    return frozenset(bound)


def _calls_outside_lambdas(node: cst.CSTNode) -> Iterator[cst.Call]:
    if isinstance(node, cst.Lambda):
        return
    if isinstance(node, cst.Call):
        yield node
    for child in node.children:
        yield from _calls_outside_lambdas(child)


__all__ = ["MAX_HELPER_DEPTH", "callee_of", "changes_through_helpers", "function_ids", "module_calls_through_helpers"]
