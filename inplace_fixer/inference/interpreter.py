"""One pass of abstract interpretation over a module: what each expression may be at run time.

The pass resolves imports to qualified names as it goes (no separate scope analysis: libcst's
stock Scope and QualifiedName providers cost about 8x the parse, see bench/bench_check.py), walks
each function's statements in order with an environment of name -> Value, joins the environments
of branches, and runs loop bodies twice so that facts carried around a loop are seen. Every
expression it evaluates gets a NodeFact (value + site) that the rules read.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Iterable, Optional, Sequence

import libcst as cst

from inplace_fixer import saved_tensors, torch_data
from inplace_fixer.inference import torch_api
from inplace_fixer.inference.sites import FunctionInfo, NodeFact, Site
from inplace_fixer.inference.values import OTHER, UNKNOWN, Kind, Reason, Value, join, tensor
from inplace_fixer.source import code

NUMBER = Value(Kind.OTHER, qualname="number")
# Calls that return several views of their input. torch forbids changing in place the outputs of
# the multi-output view ops (saved_tensors.multi_output_view_ops); the others' views are ordinary.
MULTI_OUTPUT_VIEWS = frozenset({"chunk", "split", "unbind", "split_with_sizes"})
SPLITTING_METHODS = MULTI_OUTPUT_VIEWS | {"tensor_split", "hsplit", "vsplit", "dsplit"}
Env = dict[str, Value]
BUILTIN_NON_TENSORS = frozenset(
    {"len", "int", "float", "str", "bool", "repr", "print", "isinstance", "range", "sum", "min", "max",
     "abs", "round", "hash", "id", "sorted", "any", "all", "format", "open", "type", "callable"}
)
BUILTIN_CONTAINERS = frozenset({"list", "dict", "set", "tuple", "frozenset"})
NUMBER_BUILTINS = frozenset({"len", "int", "float", "round", "abs", "hash", "id"})


def dotted_name(node: cst.BaseExpression) -> Optional[str]:
    """``self.fc.weight`` -> "self.fc.weight"; None for anything but names and attributes."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted_name(node.value)
        return None if base is None else f"{base}.{node.attr.value}"
    return None


def _describe(node: cst.BaseExpression) -> str:
    """How a message names an expression: its dotted name, else its (shortened) source text."""
    name = dotted_name(node)
    return name if name is not None else code(node, limit=40)


def _module_name(node: cst.BaseExpression) -> str:
    return dotted_name(node) or ""


@dataclass
class _Function:
    info: FunctionInfo
    closure: Env


@dataclass
class _State:
    env: Env
    globals: Env
    function: Optional[FunctionInfo]
    grad_enabled: bool = True
    in_loop: bool = False
    inference: bool = False  # inside torch.inference_mode(): tensors made here are inference tensors
    site: Optional[Site] = None
    block: Sequence[cst.CSTNode] = ()
    index: int = -1
    loop_block: Sequence[cst.CSTNode] = ()  # the body of the innermost enclosing loop


@dataclass
class Interpreter:
    module: cst.Module
    facts: dict[cst.CSTNode, NodeFact] = field(default_factory=dict)
    _ids: Iterable[int] = field(default_factory=itertools.count)
    _pending: list[_Function] = field(default_factory=list)
    # Every expression and statement reached, in source pre-order (parents before children):
    # rules are driven over this list instead of a second walk of the whole tree.
    order: list[cst.CSTNode] = field(default_factory=list)
    _ordered: set[int] = field(default_factory=set)
    # id(constructor call of an nn module with inplace=True) -> the arguments it was called with
    inplace_module_calls: dict[int, list[Value]] = field(default_factory=dict)
    # class name of a module defined in this file -> (positional argument values, call site)
    forward_calls: dict[str, list] = field(default_factory=dict)
    # What each module-level name holds once the module body has run (imports included).
    module_names: Env = field(default_factory=dict)

    def torch_name(self) -> Optional[str]:
        """The module-level name bound to the ``torch`` package itself, if any."""
        names = [n for n, v in self.module_names.items() if v.kind is Kind.API and v.qualname == "torch"]
        return "torch" if "torch" in names else (names[0] if names else None)

    # ------------------------------------------------------------------ driver
    def run(self) -> dict[cst.CSTNode, NodeFact]:
        state = _State(env=self.module_names, globals={}, function=None)
        state.globals = state.env
        self._statements(self.module.body, state, line=None)
        while self._pending:
            pending, self._pending = self._pending, []
            for function in pending:
                self._run_function(function)
        return self.facts

    # ------------------------------------------------------------------ statements
    def _statements(self, body: Sequence[cst.CSTNode], state: _State, line) -> None:
        for index, statement in enumerate(body):
            state.block, state.index = body, index
            self._statement(statement, state)

    def _visit(self, node: cst.CSTNode) -> None:
        if id(node) not in self._ordered:
            self._ordered.add(id(node))
            self.order.append(node)

    def _statement(self, statement: cst.CSTNode, state: _State) -> None:
        self._visit(statement)
        if isinstance(statement, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            for small in statement.body:
                self._visit(small)
                state.site = Site(
                    small, statement, state.grad_enabled, state.function, state.in_loop, state.block, state.index,
                    state.loop_block, state.inference,
                )
                self._small(small, state)
        elif isinstance(statement, cst.If):
            self._site(statement, state)
            self._expr(statement.test, state)
            then_env = dict(state.env)
            self._block(statement.body, state, then_env)
            else_env = dict(state.env)
            if statement.orelse is not None:
                orelse = statement.orelse
                if isinstance(orelse, cst.If):
                    self._statement_in(orelse, state, else_env)
                else:
                    self._block(orelse.body, state, else_env)
            state.env.clear()
            state.env.update(_join_envs(then_env, else_env))
        elif isinstance(statement, cst.For):
            self._for(statement, state)
        elif isinstance(statement, cst.While):
            self._site(statement, state)
            before = dict(state.env)
            self._loop_body(statement.body, state, lambda: self._expr(statement.test, state))
            state.env.update(_join_envs(before, state.env))
            if statement.orelse is not None:
                self._block(statement.orelse.body, state, state.env)
        elif isinstance(statement, (cst.Try, cst.TryStar)):
            before = dict(state.env)
            self._block(statement.body, state, state.env)
            merged = _join_envs(before, state.env)
            for handler in statement.handlers:
                handler_env = dict(merged)
                self._block(handler.body, state, handler_env)
                merged = _join_envs(merged, handler_env)
            if statement.orelse is not None:
                self._block(statement.orelse.body, state, merged)
            if statement.finalbody is not None:
                self._block(statement.finalbody.body, state, merged)
            state.env.clear()
            state.env.update(merged)
        elif isinstance(statement, cst.With):
            self._with(statement, state)
        elif isinstance(statement, cst.FunctionDef):
            self._function_def(statement, state, class_name=None, is_module=False)
        elif isinstance(statement, cst.ClassDef):
            self._class_def(statement, state)
        elif isinstance(statement, cst.Match):
            self._site(statement, state)
            self._expr(statement.subject, state)
            merged = dict(state.env)
            for case in statement.cases:
                case_env = dict(state.env)
                self._block(case.body, state, case_env)
                merged = _join_envs(merged, case_env)
            state.env.clear()
            state.env.update(merged)

    def _statement_in(self, statement: cst.CSTNode, state: _State, env: Env) -> None:
        saved = state.env
        state.env = env
        try:
            self._statement(statement, state)
        finally:
            state.env = saved

    def _block(self, body: cst.BaseSuite, state: _State, env: Env) -> None:
        saved = state.env
        state.env = env
        try:
            if isinstance(body, cst.SimpleStatementSuite):
                state.block, state.index = (), -1
                self._statement(body, state)
            else:
                for index, statement in enumerate(body.body):
                    state.block, state.index = body.body, index
                    self._statement(statement, state)
        finally:
            state.env = saved

    def _site(self, statement: cst.CSTNode, state: _State) -> None:
        state.site = Site(statement, None, state.grad_enabled, state.function, state.in_loop, inference=state.inference)

    def _loop_body(self, body: cst.BaseSuite, state: _State, header) -> None:
        was_in_loop, outer_loop_block = state.in_loop, state.loop_block
        state.in_loop = True
        state.loop_block = body.body if isinstance(body, cst.IndentedBlock) else ()
        try:
            # Twice, so that what one iteration leaves behind is seen by the next.
            for _ in range(2):
                header()
                env = dict(state.env)
                self._block(body, state, env)
                state.env.update(_join_envs(state.env, env))
        finally:
            state.in_loop, state.loop_block = was_in_loop, outer_loop_block

    def _for(self, statement: cst.For, state: _State) -> None:
        self._site(statement, state)
        iterable = self._expr(statement.iter, state)
        element = self._element_of(iterable, statement.iter)
        before = dict(state.env)

        def header() -> None:
            self._site(statement, state)
            self._bind(statement.target, element, state)

        self._loop_body(statement.body, state, header)
        state.env.update(_join_envs(before, state.env))
        if statement.orelse is not None:
            self._block(statement.orelse.body, state, state.env)

    def _element_of(self, iterable: Value, node: cst.BaseExpression) -> Value:
        source = _describe(node)
        if iterable.kind is Kind.TENSOR:
            # Iterating a tensor unbinds it: each row is one of several views of the same base.
            return iterable.with_(
                obj=None,
                alias=Reason(f"it is a row of `{source}` (iterating a tensor yields views of it)" + _NEVER_RAN.format(base=source)),
                multi_view=True,
                view_of=source, leaf=None, is_parameter=False,
            )
        if iterable.kind in (Kind.TENSORS, Kind.CONTAINER) and iterable.element is not None:
            element = iterable.element
            if element.kind is Kind.TENSOR:
                if element.alias is not None and element.alias.blocks_fix:
                    return element.with_(obj=None)
                return element.with_(obj=None, alias=Reason(f"it is an element of `{source}`", blocks_fix=True))
            return element
        return UNKNOWN

    def _with(self, statement: cst.With, state: _State) -> None:
        self._site(statement, state)
        grad_enabled, inference = state.grad_enabled, state.inference
        for item in statement.items:
            value = self._expr(item.item, state)
            mode = _grad_mode_of(value)
            if mode is not None:
                grad_enabled = mode
                inference = _is_inference_mode(value)
            if item.asname is not None:
                self._bind(item.asname.name, value, state)
        saved = state.grad_enabled, state.inference
        state.grad_enabled, state.inference = grad_enabled, inference
        try:
            self._block(statement.body, state, state.env)
        finally:
            state.grad_enabled, state.inference = saved

    # ------------------------------------------------------------------ functions and classes
    def _function_def(self, node: cst.FunctionDef, state: _State, class_name, is_module, class_node=None) -> None:
        self._site(node, state)
        for decorator in node.decorators:
            self._expr(decorator.decorator, state)
        params = node.params
        names = [p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params)]
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                names.append(star.name.value)
        info = FunctionInfo(node, node.name.value, frozenset(names), class_name, is_module, class_node)
        state.env[node.name.value] = _function_value(node, self)
        self._pending.append(_Function(info, closure=dict(state.env) if state.function else state.globals))

    def _run_function(self, function: _Function) -> None:
        info = function.info
        node = info.node
        grad_enabled, inference = True, False
        for decorator in node.decorators:
            fact = self.facts.get(decorator.decorator)
            mode = _grad_mode_of(fact.value) if fact else None
            if mode is not None:
                grad_enabled, inference = mode, _is_inference_mode(fact.value)  # type: ignore[union-attr]
        env: Env = {}
        state = _State(
            env=env, globals=function.closure, function=info, grad_enabled=grad_enabled, inference=inference
        )
        self._bind_params(info, state)
        self._block(node.body, state, env)

    def _bind_params(self, info: FunctionInfo, state: _State) -> None:
        params = info.node.params
        positional = [*params.posonly_params, *params.params]
        for index, param in enumerate([*positional, *params.kwonly_params]):
            name = param.name.value
            if info.class_name is not None and index == 0 and param in positional:
                state.env[name] = self._self_value(info, state)
                continue
            state.env[name] = self._param_value(info, param, state)
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                state.env[star.name.value] = Value(Kind.CONTAINER)

    def _self_value(self, info: FunctionInfo, state: _State) -> Value:
        cls = state.globals.get(info.class_name) if info.class_name else None
        if cls is not None and cls.kind is Kind.MODULE_CLASS:
            for attr, value in cls.attributes or ():
                if info.name != "__init__":
                    state.env[f"self.{attr}"] = value
            return Value(Kind.MODULE, qualname=cls.qualname, attributes=cls.attributes)
        return UNKNOWN

    def _param_value(self, info: FunctionInfo, param: cst.Param, state: _State) -> Value:
        name = param.name.value
        annotation = None
        if param.annotation is not None:
            annotation = _annotation_kind(self._expr(param.annotation.annotation, state), param.annotation.annotation, self, state)
        alias = Reason(f"`{name}` is an argument of {info.name}(): the caller's tensor would no longer be changed")
        if annotation == "module":
            return Value(Kind.MODULE)
        if annotation is False:
            return OTHER
        default = param.default
        if info.is_forward and annotation is None:
            if default is not None and not (isinstance(default, cst.Name) and default.value == "None"):
                return OTHER if isinstance(default, (cst.Integer, cst.Float, cst.SimpleString, cst.Name)) else UNKNOWN
            annotation = True
        if annotation is True:
            grad = Reason(f"`{name}` (an argument of forward())") if info.is_forward else None
            return tensor(grad=grad, alias=alias, obj=next(self._ids))
        return UNKNOWN

    def _class_def(self, node: cst.ClassDef, state: _State) -> None:
        self._site(node, state)
        is_module = False
        for base in node.bases:
            value = self._expr(base.value, state)
            if value.kind is Kind.MODULE_CLASS or (
                value.kind is Kind.API
                and value.qualname is not None
                and (value.qualname in torch_api.MODULE_BASES or torch_api.is_nn_module_class(value.qualname))
            ):
                is_module = True
        methods = [s for s in node.body.body if isinstance(s, cst.FunctionDef)]
        if not is_module:
            # A class with a forward() and a base we cannot resolve is most likely a module of a
            # library that subclasses nn.Module (PreTrainedModel, LightningModule, ...).
            has_forward = any(m.name.value == "forward" for m in methods)
            is_module = has_forward and any(self.facts[b.value].value.kind is Kind.API for b in node.bases)
        class_name = node.name.value
        attributes: tuple = ()
        if is_module:
            init = next((m for m in methods if m.name.value == "__init__"), None)
            if init is not None:
                attributes = self._init_attributes(init, class_name, state, node)
            state.env[class_name] = Value(Kind.MODULE_CLASS, qualname=class_name, attributes=attributes)
        else:
            state.env[class_name] = OTHER
        for statement in node.body.body:
            if isinstance(statement, cst.FunctionDef):
                self._function_def(statement, state, class_name=class_name, is_module=is_module, class_node=node)
            else:
                self._statement(statement, state)

    def _init_attributes(self, init: cst.FunctionDef, class_name: str, state: _State, class_node) -> tuple:
        # Analyse __init__ now (its facts are recorded again when it runs as a pending function)
        # to learn what the module registers: Parameters, buffers, submodules.
        params = [p.name.value for p in (*init.params.posonly_params, *init.params.params)]
        info = FunctionInfo(init, "__init__", frozenset(params), class_name, True, class_node)
        env: Env = {}
        init_state = _State(env=env, globals=state.globals, function=info)
        for param in (*init.params.posonly_params, *init.params.params, *init.params.kwonly_params):
            env[param.name.value] = UNKNOWN
        if params:
            env[params[0]] = Value(Kind.MODULE, qualname=class_name)
        self._block(init.body, init_state, env)
        prefix = f"{params[0]}." if params else "self."
        return tuple(
            (key[len(prefix):], value)
            for key, value in env.items()
            if key.startswith(prefix) and "." not in key[len(prefix):]
        )

    # ------------------------------------------------------------------ small statements
    def _small(self, small: cst.BaseSmallStatement, state: _State) -> None:
        if isinstance(small, cst.Assign):
            value = self._expr(small.value, state)
            for target in small.targets:
                self._bind(target.target, value, state)
        elif isinstance(small, cst.AnnAssign):
            value = self._expr(small.value, state) if small.value is not None else None
            annotated = self._expr(small.annotation.annotation, state)
            if value is None:
                is_tensor = _annotation_kind(annotated, small.annotation.annotation, self, state)
                value = tensor(obj=next(self._ids)) if is_tensor is True else UNKNOWN
            self._bind(small.target, value, state)
        elif isinstance(small, cst.AugAssign):
            self._aug_assign(small, state)
        elif isinstance(small, cst.Expr):
            self._expr(small.value, state)
        elif isinstance(small, cst.Return) and small.value is not None:
            self._expr(small.value, state)
        elif isinstance(small, (cst.Import, cst.ImportFrom)):
            self._import(small, state)
        elif isinstance(small, cst.Assert):
            self._expr(small.test, state)
        elif isinstance(small, cst.Raise) and small.exc is not None:
            self._expr(small.exc, state)
        elif isinstance(small, cst.Del):
            self._expr(small.target, state)

    def _aug_assign(self, node: cst.AugAssign, state: _State) -> None:
        target = self._expr(node.target, state)
        operand = self._expr(node.value, state)
        if isinstance(node.operator, cst.MatrixMultiplyAssign):
            # No __imatmul__ on tensors: `x @= y` rebinds x to a new tensor.
            result = _binary(target, operand, state)
            self._bind(node.target, result.with_(obj=None, alias=None, leaf=None, is_parameter=False), state)
            return
        if target.kind is Kind.TENSOR:
            grad = target.grad or (operand.grad if state.grad_enabled else None)
            self._rebind_mutated(node.target, target.with_(grad=grad), state)
        elif target.kind is Kind.OTHER and target.qualname == "number" and operand.kind is Kind.TENSOR:
            # `f = 1.0; f += t` makes f a tensor.
            self._bind(node.target, _binary(target, operand, state).with_(obj=None), state)
        elif target.kind is Kind.CONTAINER and isinstance(node.target, cst.Name):
            element = join(target.element, operand.element) if operand.element else target.element
            state.env[node.target.value] = target.with_(element=element)

    def _import(self, node, state: _State) -> None:
        if isinstance(node, cst.Import):
            for alias in node.names:
                qualname = _module_name(alias.name)
                if alias.asname is not None:
                    state.env[alias.asname.name.value] = Value(Kind.API, qualname=qualname)  # type: ignore[union-attr]
                else:
                    top = qualname.split(".")[0]
                    state.env[top] = Value(Kind.API, qualname=top)
            return
        module = "." * len(node.relative) + _module_name(node.module) if node.module else "." * len(node.relative)
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            name = alias.name.value  # type: ignore[union-attr]
            bound = alias.asname.name.value if alias.asname is not None else name  # type: ignore[union-attr]
            state.env[bound] = Value(Kind.API, qualname=f"{module}.{name}")

    # ------------------------------------------------------------------ binding
    def _bind(self, target: cst.BaseExpression, value: Value, state: _State) -> None:
        if isinstance(target, cst.Name):
            state.env[target.value] = self._named(value, target.value, state)
        elif isinstance(target, (cst.Tuple, cst.List)):
            element = self._unpacked(value)
            saved = dict(value.saved_elements or ())
            for index, item in enumerate(target.elements):
                item_value = element
                if index in saved and element.kind is Kind.TENSOR:
                    item_value = element.with_(saved_by=saved[index])
                self._bind(item.value, item_value, state)
        elif isinstance(target, cst.StarredElement):
            self._bind(target.value, Value(Kind.CONTAINER, element=value), state)
        elif isinstance(target, cst.Attribute):
            self._expr(target.value, state)
            key = dotted_name(target)
            if key is not None:
                state.env[key] = self._named(value, key, state)
            if value.kind is Kind.TENSOR:
                self._escape(value, f"it is also stored in `{key or 'an attribute'}`", state)
        elif isinstance(target, cst.Subscript):
            self._bind_subscript(target, value, state)

    def _bind_subscript(self, target: cst.Subscript, value: Value, state: _State) -> None:
        base = self._expr(target.value, state)
        for element in target.slice:
            if isinstance(element.slice, cst.Index):
                self._expr(element.slice.value, state)
        key = dotted_name(target.value)
        if base.kind is Kind.TENSOR and key is not None:
            grad = base.grad or (value.grad if state.grad_enabled else None)
            self._rebind_mutated(target.value, base.with_(grad=grad), state)
        elif base.kind is Kind.CONTAINER and key is not None:
            state.env[key] = base.with_(element=join(base.element, value) if base.element else value)
        if value.kind is Kind.TENSOR:
            self._escape(value, f"it is also stored in `{key or 'a container'}[...]`", state)

    def _named(self, value: Value, name: str, state: _State) -> Value:
        """The value as bound to ``name``: fresh objects get an identity, sources get a name."""
        if value.kind is not Kind.TENSOR:
            return value
        if state.inference and value.inference_tensor is None:
            site = state.site.statement if state.site else None
            value = value.with_(inference_tensor=Reason(f"`{name}` was made under torch.inference_mode() (line {{line}})", site))
        grad = value.grad.named(name) if value.grad is not None else None
        leaf = value.leaf.named(name) if value.leaf is not None else None
        if value.view_of is not None and value.view_of != name:
            self._mark_viewed(value.view_of, name, state)
        if value.obj is None:
            return value.with_(obj=next(self._ids), grad=grad, leaf=leaf)
        others = [key for key, bound in state.env.items() if bound.obj == value.obj and key != name]
        if others:
            reason = Reason(
                f"`{name} = {others[0]}` (line {{line}}) makes `{name}` and `{others[0]}` the same tensor",
                state.site.statement if state.site else None,
            )
            for key in others:
                state.env[key] = state.env[key].with_(alias=state.env[key].alias or reason)
            return value.with_(alias=value.alias or reason, grad=grad, leaf=leaf)
        return value.with_(grad=grad, leaf=leaf)

    def _mark_viewed(self, base: str, view: str, state: _State) -> None:
        """``view`` shares memory with the tensor named ``base``: changing ``base`` in place
        changes ``view`` too, which a rebinding of ``base`` would not."""
        bound = state.env.get(base)
        if bound is not None and bound.kind is Kind.TENSOR and bound.alias is None:
            site = state.site.statement if state.site else None
            reason = Reason(
                f"`{view}` (line {{line}}) shares memory with `{base}` and would keep the old values", site,
                view_name=view,
            )
            state.env[base] = bound.with_(alias=reason)

    def _escape(self, value: Value, reason: str, state: _State) -> None:
        """Another reference to the tensor now exists: a later in-place change is seen there."""
        if value.obj is None:
            return
        for key, bound in list(state.env.items()):
            if bound.obj == value.obj and bound.alias is None:
                state.env[key] = bound.with_(alias=Reason(reason))

    def _rebind_mutated(self, target: cst.BaseExpression, value: Value, state: _State) -> None:
        """An in-place change keeps the object; only what we know about it (grad) changes."""
        key = dotted_name(target)
        if key is not None and key in state.env:
            state.env[key] = value
        elif key is not None and key in state.globals:
            state.globals[key] = value

    def _unpacked(self, value: Value) -> Value:
        if value.kind in (Kind.TENSORS, Kind.CONTAINER):
            return value.element or UNKNOWN
        if value.kind is Kind.TENSOR:
            # Unpacking a tensor (or a module's tuple output) yields tensors.
            return value.with_(obj=None, alias=None, leaf=None, is_parameter=False)
        return UNKNOWN

    # ------------------------------------------------------------------ expressions
    def _record(self, node: cst.CSTNode, value: Value, state: _State) -> Value:
        existing = self.facts.get(node)
        if existing is not None and existing.value != value:
            value = join(existing.value, value)
        self.facts[node] = NodeFact(value, state.site)  # type: ignore[arg-type]
        return value

    def _expr(self, node: cst.BaseExpression, state: _State) -> Value:
        self._visit(node)
        return self._record(node, self._evaluate(node, state), state)

    def _evaluate(self, node: cst.BaseExpression, state: _State) -> Value:
        if isinstance(node, cst.Name):
            return self._lookup(node.value, state)
        if isinstance(node, (cst.Integer, cst.Float, cst.Imaginary)):
            return NUMBER
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
            if isinstance(node, cst.FormattedString):
                for part in node.parts:
                    if isinstance(part, cst.FormattedStringExpression):
                        self._expr(part.expression, state)
            return OTHER
        if isinstance(node, cst.Attribute):
            return self._attribute(node, state)
        if isinstance(node, cst.Call):
            return self._call(node, state)
        if isinstance(node, cst.Subscript):
            return self._subscript(node, state)
        if isinstance(node, cst.BinaryOperation):
            left = self._expr(node.left, state)
            right = self._expr(node.right, state)
            result = _binary(left, right, state, node.operator)
            symbol = _OPERATOR_SYMBOLS.get(type(node.operator))
            if symbol is not None and result.kind is Kind.TENSOR:
                result = self._note_saves(
                    "operator", symbol, f"`{symbol}`", [(node.left, left), (node.right, right)], {}, result, state
                )
            return result
        if isinstance(node, cst.UnaryOperation):
            operand = self._expr(node.expression, state)
            if isinstance(node.operator, cst.Not):
                return OTHER
            return _fresh(operand) if operand.kind is Kind.TENSOR else operand if operand.kind is Kind.OTHER else UNKNOWN
        if isinstance(node, cst.Comparison):
            left = self._expr(node.left, state)
            values = [left] + [self._expr(c.comparator, state) for c in node.comparisons]
            if any(v.kind is Kind.TENSOR for v in values) and not any(
                isinstance(c.operator, (cst.Is, cst.IsNot, cst.In, cst.NotIn)) for c in node.comparisons
            ):
                shape_of = None
                if len(values) == 2 and values[0].kind is Kind.TENSOR and values[1].qualname == "number":
                    shape_of = dotted_name(node.left)
                return tensor(dtype="bool", shape_of=shape_of)
            return OTHER
        if isinstance(node, cst.BooleanOperation):
            return join(self._expr(node.left, state), self._expr(node.right, state))
        if isinstance(node, cst.IfExp):
            self._expr(node.test, state)
            return join(self._expr(node.body, state), self._expr(node.orelse, state))
        if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
            element = None
            for item in node.elements:
                value = self._expr(item.value, state)
                element = join(element, value) if element is not None else value
                if value.kind is Kind.TENSOR:
                    self._escape(value, "it is also stored in a list or tuple", state)
            if element is not None and element.kind is Kind.TENSOR:
                return Value(Kind.CONTAINER, element=element.with_(obj=None, alias=Reason("it is an element of a list or tuple")))
            return Value(Kind.CONTAINER, element=element if element and element.kind is not Kind.UNKNOWN else None)
        if isinstance(node, cst.Dict):
            for item in node.elements:
                if isinstance(item, cst.DictElement):
                    self._expr(item.key, state)
                self._expr(item.value, state)
            return Value(Kind.CONTAINER)
        if isinstance(node, (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)):
            return self._comprehension(node, state)
        if isinstance(node, cst.NamedExpr):
            value = self._expr(node.value, state)
            self._bind(node.target, value, state)
            return value
        if isinstance(node, cst.Lambda):
            return OTHER
        if isinstance(node, cst.Await):
            self._expr(node.expression, state)
            return UNKNOWN
        if isinstance(node, cst.Yield):
            if isinstance(node.value, cst.BaseExpression):
                value = self._expr(node.value, state)
                if value.kind is Kind.TENSOR:
                    self._escape(value, "it is yielded to the caller", state)
            return UNKNOWN
        if isinstance(node, cst.StarredElement):
            self._expr(node.value, state)
            return UNKNOWN
        return UNKNOWN

    def _comprehension(self, node, state: _State) -> Value:
        env = dict(state.env)
        saved = state.env
        state.env = env
        try:
            for_in = node.for_in
            while for_in is not None:
                iterable = self._expr(for_in.iter, state)
                self._bind(for_in.target, self._element_of(iterable, for_in.iter), state)
                for condition in for_in.ifs:
                    self._expr(condition.test, state)
                for_in = for_in.inner_for_in
            if isinstance(node, cst.DictComp):
                self._expr(node.key, state)
                element = self._expr(node.value, state)
            else:
                element = self._expr(node.elt, state)
        finally:
            state.env = saved
        if element.kind is Kind.TENSOR and not isinstance(node, (cst.GeneratorExp, cst.DictComp)):
            return Value(Kind.CONTAINER, element=element.with_(obj=None, alias=Reason("it is an element of a list")))
        return Value(Kind.CONTAINER)

    def _lookup(self, name: str, state: _State) -> Value:
        if name in state.env:
            return state.env[name]
        if name in state.globals:
            value = state.globals[name]
            if value.kind is Kind.TENSOR and state.function is not None:
                return value.with_(alias=value.alias or Reason(f"`{name}` is a global: other code sees the same tensor"))
            return value
        if name in ("True", "False", "None"):
            return OTHER
        if name in BUILTIN_NON_TENSORS or name in BUILTIN_CONTAINERS:
            return Value(Kind.API, qualname=f"builtins.{name}")
        return UNKNOWN

    def _attribute(self, node: cst.Attribute, state: _State) -> Value:
        base = self._expr(node.value, state)
        if base.kind is not Kind.TENSOR:
            return self._attribute_of(base, node, state)
        name = node.attr.value
        source = _describe(node.value)
        if name == "data":
            return base.with_(
                grad=None, is_data=True, data_grad=base.grad, obj=None, leaf=None, is_parameter=False, view_of=source,
                alias=Reason(f"`{source}.data` shares memory with `{source}`"),
            )
        if name == "grad":
            return tensor(dtype=base.dtype)
        if name in torch_api.VIEW_ATTRIBUTES:
            return _view(base, source, f"`{source}.{name}`", state)
        if name in torch_api.NON_TENSOR_ATTRIBUTES:
            return NUMBER if name in ("ndim", "itemsize", "nbytes") else OTHER
        return UNKNOWN

    def _subscript(self, node: cst.Subscript, state: _State) -> Value:
        base = self._expr(node.value, state)
        # Indexing with a tensor or a list copies (advanced indexing); anything else (ints,
        # slices, None, or values we cannot tell) is taken to give a view, the cautious side.
        basic = True
        for element in node.slice:
            if isinstance(element.slice, cst.Index):
                index = self._expr(element.slice.value, state)
                if index.kind is Kind.TENSOR or (index.kind is Kind.CONTAINER and not isinstance(element.slice.value, cst.Tuple)):
                    basic = False
            else:
                for part in (element.slice.lower, element.slice.upper, element.slice.step):
                    if part is not None:
                        self._expr(part, state)
        if base.kind is Kind.TENSOR:
            source = _describe(node.value)
            if basic:
                return _view(base, source, f"`{source}[...]`", state)
            return _fresh(base)
        if base.kind in (Kind.TENSORS, Kind.CONTAINER):
            element = base.element or UNKNOWN
            if element.kind is Kind.TENSOR and base.saved_elements:
                element = element.with_(saved_by=_saved_element(base, node))
            if element.kind is Kind.TENSOR:
                if element.alias is not None and element.alias.blocks_fix:
                    return element.with_(obj=None)
                source = dotted_name(node.value) or "a list"
                return element.with_(obj=None, alias=Reason(f"it is an element of `{source}`", blocks_fix=True))
            return element
        if base.kind is Kind.API:
            return base  # typing subscripts: Optional[Tensor], list[Tensor]
        return UNKNOWN

    # ------------------------------------------------------------------ calls
    def _call(self, node: cst.Call, state: _State) -> Value:
        func = node.func
        if isinstance(func, cst.Attribute):
            receiver = self._expr(func.value, state)
            if receiver.kind is Kind.TENSOR:
                args = self._args(node, state)
                result = self._tensor_method(receiver, func, node, args, state)
                self._record(func, OTHER, state)
                return result
            callee = self._record(func, self._attribute_of(receiver, func, state), state)
            args = self._args(node, state)
            if receiver.kind is Kind.CONTAINER and func.attr.value in ("append", "extend", "insert", "add"):
                self._container_add(func, receiver, args, state)
                return OTHER
            if receiver.kind is Kind.MODULE:
                result = self._module_method(receiver, node, args, state)
                if result is not None:
                    return result
        else:
            callee = self._expr(func, state)
            args = self._args(node, state)
        return self._call_value(callee, node, args, state)

    def _attribute_of(self, receiver: Value, node: cst.Attribute, state: _State) -> Value:
        """``receiver.name`` for anything but a tensor receiver (already evaluated)."""
        name = node.attr.value
        if receiver.kind is Kind.API and receiver.qualname is not None:
            return Value(Kind.API, qualname=f"{receiver.qualname}.{name}")
        key = dotted_name(node)
        if key is not None and key in state.env:
            return state.env[key]
        if receiver.kind is Kind.MODULE:
            known = receiver.attribute(name)
            if known is not None:
                return known
            if torch_api.is_torch(receiver.qualname) and name in torch_api.MODULE_PARAMETERS:
                # nn.Linear(...).weight and the like: Parameters the torch module registers.
                return tensor(
                    grad=Reason(f"`{key or name}` (a Parameter of a torch module)"), is_parameter=True,
                    leaf=Reason(f"`{key or name}` is an nn.Parameter"), dtype=torch_api.DEFAULT_FLOAT,
                )
        return UNKNOWN

    def _args(self, node: cst.Call, state: _State) -> list[tuple[Optional[str], Value]]:
        return [
            (arg.keyword.value if arg.keyword is not None else ("*" if arg.star else None), self._expr(arg.value, state))
            for arg in node.args
        ]

    def _container_add(self, func: cst.Attribute, receiver: Value, args, state: _State) -> None:
        key = dotted_name(func.value)
        added = args[-1][1] if args else UNKNOWN
        if func.attr.value == "extend":
            added = added.element or UNKNOWN if added.kind in (Kind.CONTAINER, Kind.TENSORS) else UNKNOWN
        if added.kind is Kind.TENSOR:
            self._escape(added, f"it is also stored in `{key or 'a list'}`", state)
            added = added.with_(obj=None, alias=Reason(f"it is an element of `{key or 'a list'}`"))
        if key is not None and key in state.env:
            element = join(receiver.element, added) if receiver.element else added
            state.env[key] = receiver.with_(element=element)

    def _module_method(self, receiver: Value, node: cst.Call, args, state: _State) -> Optional[Value]:
        func = node.func
        assert isinstance(func, cst.Attribute)
        name = func.attr.value
        source = _describe(func.value)
        if name in torch_api.PARAMETER_ITERATORS or name in torch_api.NAMED_PARAMETER_ITERATORS:
            parameter = tensor(
                grad=Reason(f"`{source}.{name}()` (parameters of an nn.Module)"), is_parameter=True,
                leaf=Reason("it is a parameter of the module"), dtype=torch_api.DEFAULT_FLOAT,
                alias=Reason("it is a parameter of the module"),
            )
            if name in torch_api.NAMED_PARAMETER_ITERATORS:
                return Value(Kind.CONTAINER, element=Value(Kind.CONTAINER, element=UNKNOWN))
            return Value(Kind.TENSORS, element=parameter)
        if name in ("register_buffer", "register_parameter") and len(args) >= 2:
            self._register(node, args, state, parameter=name == "register_parameter")
            return OTHER
        if name in ("forward", "__call__"):
            return self._module_output(receiver, func.value, state)
        return None  # an ordinary attribute call: self.fc(x)

    def _register(self, node: cst.Call, args, state: _State, parameter: bool) -> None:
        """``self.register_buffer("name", t)`` makes ``self.name`` a tensor of the module."""
        owner = dotted_name(node.func.value)  # type: ignore[attr-defined]
        first = node.args[0].value
        if owner is None or not isinstance(first, cst.SimpleString):
            return
        name = first.evaluated_value
        if isinstance(name, bytes):
            name = name.decode()
        value = args[1][1]
        if value.kind is Kind.TENSOR and not parameter:
            value = value.with_(grad=None, leaf=None)
        state.env[f"{owner}.{name}"] = self._named(value, f"{owner}.{name}", state)

    def _module_call(self, module: Value, node: cst.Call, args, state: _State) -> Value:
        positional, keywords = _split_args(node, args)
        if module.inplace_constructor is not None and positional:
            # nn.ReLU(inplace=True)(h) changes h and returns it: the constructor's finding needs
            # to know what h was at each call.
            argument_node, argument = positional[0]
            self.inplace_module_calls.setdefault(id(module.inplace_constructor), []).append(argument)
            if argument.kind is Kind.TENSOR:
                return argument
        if module.qualname is not None and not torch_api.is_torch(module.qualname):
            # A module class of this file: what its forward() receives, for the categories of
            # in-place changes of forward()'s arguments (a leaf passed in, a saved tensor).
            site = state.site.statement if state.site else None
            self.forward_calls.setdefault(module.qualname, []).append((tuple(v for _, v in positional), site))
        result = self._module_output(module, node.func, state)
        if torch_api.is_torch(module.qualname):
            label = f"`{dotted_name(node.func) or 'the module'}` ({module.qualname.replace('torch.', '', 1)})"  # type: ignore[union-attr]
            result = self._note_saves("module", module.qualname, label, positional, keywords, result, state)  # type: ignore[arg-type]
        return result

    def _note_saves(
        self, kind: str, name: str, label: str, positional, keywords, result: Value, state: _State, inplace: bool = False
    ) -> Value:
        """Record what this call saves for backward (from torch's derivatives.yaml, through
        inplace_fixer.saved_tensors): its saved arguments are marked in the environment, and a
        saved output is marked on the result."""
        if not state.grad_enabled:
            return result
        args = ["number" if value.qualname == "number" else "tensor" for _, value in positional]
        roles = saved_tensors.saves_for_call(kind, name, args=args, keywords=tuple(keywords), inplace=inplace)  # type: ignore[arg-type]
        if roles is None:
            return result
        bound = dict(zip(roles.param_names, positional))
        for keyword, item in keywords.items():
            bound["self" if keyword == "input" and "self" in roles.param_names and "input" not in roles.param_names else keyword] = item
        if kind != "module" and not any(value.grad is not None for _, value in bound.values()):
            return result  # nothing requires grad: no backward node, nothing saved

        def requires_grad(param: str) -> bool:
            if param in bound:
                return bound[param][1].grad is not None
            return kind == "module"  # the module's own weight and bias

        site = state.site.statement if state.site else None
        reason = Reason(f"{label} (line {{line}})", site)
        for param in roles.saved_params:
            if param in bound and roles.is_saved(param, requires_grad):
                self._mark_saved(*bound[param], reason, state)
        if roles.saves_output and result.kind is Kind.TENSOR:
            result = result.with_(saved_by=reason)
            if roles.inplace and positional:
                # torch.relu_(h) saves its result, which is h itself.
                self._mark_saved(*positional[0], reason, state)
        elif result.kind is Kind.TENSORS and roles.saved_outputs:
            result = result.with_(saved_elements=tuple((index, reason) for index in roles.saved_outputs))
        return result

    def _graph_freed(self, state: _State) -> None:
        """After backward() (without retain_graph) the saved tensors are released: changing
        them afterwards no longer breaks anything."""
        for name, bound in list(state.env.items()):
            if bound.kind is Kind.TENSOR and (bound.saved_by is not None or bound.multi_view_base is not None):
                state.env[name] = bound.with_(saved_by=None, multi_view_base=None)

    def _mark_multi_view_base(self, node: cst.BaseExpression, what: str, state: _State) -> None:
        key = dotted_name(node)
        bound = state.env.get(key) if key is not None else None
        if bound is not None and bound.kind is Kind.TENSOR and state.grad_enabled:
            site = state.site.statement if state.site else None
            state.env[key] = bound.with_(multi_view_base=Reason(f"`{what}`, line {{line}}", site))  # type: ignore[index]

    def _mark_saved(self, node: Optional[cst.BaseExpression], value: Value, reason: Reason, state: _State) -> None:
        """Every name bound to the saved tensor, to a view of it, or to the tensor it views."""
        if value.kind is not Kind.TENSOR:
            return
        key = dotted_name(node) if node is not None else None
        related = {key, value.view_of} - {None}
        for name, bound in list(state.env.items()):
            if bound.kind is not Kind.TENSOR or bound.saved_by is not None:
                continue
            if name in related or (value.obj is not None and bound.obj == value.obj) or bound.view_of in related:
                state.env[name] = bound.with_(saved_by=reason)

    def _module_output(self, module: Value, node: cst.BaseExpression, state: _State) -> Value:
        if not state.grad_enabled:
            return tensor(dtype=torch_api.DEFAULT_FLOAT)
        source = _describe(node)
        site = state.site.statement if state.site else None
        return tensor(grad=Reason(f"{{name}} (output of `{source}`, an nn.Module, line {{line}})", site),
                      dtype=torch_api.DEFAULT_FLOAT)

    def _call_value(self, callee: Value, node: cst.Call, args, state: _State) -> Value:
        if callee.kind is Kind.MODULE:
            return self._module_call(callee, node, args, state)
        if callee.kind is Kind.MODULE_CLASS:
            return Value(Kind.MODULE, qualname=callee.qualname, attributes=callee.attributes)
        if callee.kind is Kind.OTHER and callee.qualname == "function->tensor":
            return tensor(grad=_first_grad(args) if state.grad_enabled else None)
        if callee.kind is not Kind.API or callee.qualname is None:
            return UNKNOWN
        qualname = callee.qualname
        if qualname.startswith("builtins."):
            name = qualname[len("builtins."):]
            if name == "range":
                return Value(Kind.CONTAINER, element=NUMBER)
            if name in BUILTIN_CONTAINERS:
                element = args[0][1] if args else None
                inner = element.element if element is not None and element.kind in (Kind.CONTAINER, Kind.TENSORS) else None
                return Value(Kind.CONTAINER, element=inner)
            return NUMBER if name in NUMBER_BUILTINS else OTHER
        if not torch_api.is_torch(qualname):
            return OTHER if qualname.split(".")[0] in ("numpy", "math", "random", "os", "sys", "json") else UNKNOWN
        return self._torch_call(qualname, node, args, state)

    def _torch_call(self, qualname: str, node: cst.Call, args, state: _State) -> Value:
        site = state.site.statement if state.site else None
        keywords = {name: value for name, value in args if name not in (None, "*")}
        requires_grad = true_flag(node, "requires_grad", None) is not None
        if qualname in ("torch.autograd.backward", "torch.autograd.grad") and true_flag(node, "retain_graph", None) is None:
            self._graph_freed(state)
            return OTHER if qualname.endswith("backward") else Value(Kind.TENSORS, element=tensor())
        if qualname in torch_api.GRAD_OFF or qualname in torch_api.GRAD_ON or qualname in torch_api.GRAD_SET:
            return Value(Kind.OTHER, qualname=_grad_mode_tag(qualname, node))
        if qualname in torch_api.PARAMETER:
            data = args[0][1] if args else UNKNOWN
            if false_flag(node, "requires_grad", 1):
                return tensor(is_parameter=True, dtype=data.dtype or torch_api.DEFAULT_FLOAT)
            return tensor(
                grad=Reason("{name} (nn.Parameter, line {line})", site), is_parameter=True,
                leaf=Reason("{name} is an nn.Parameter"), dtype=data.dtype or torch_api.DEFAULT_FLOAT,
            )
        if qualname in torch_api.BUFFER:
            data = args[0][1] if args else UNKNOWN
            return tensor(dtype=data.dtype)
        if torch_api.is_nn_module_class(qualname) or qualname in torch_api.MODULE_BASES:
            param = torch_data.module_inplace_param(qualname)
            if param is not None and param.honours_inplace and true_flag(node, "inplace", param.position) is not None:
                return Value(Kind.MODULE, qualname=qualname, inplace_constructor=node)
            return Value(Kind.MODULE, qualname=qualname)
        if qualname in torch_api.TENSOR_CLASSES:
            return tensor(dtype=torch_api.DEFAULT_FLOAT if qualname != "torch.LongTensor" else "int64")
        dtype = _dtype_of(keywords.get("dtype"))
        if qualname.startswith("torch.") and qualname[len("torch."):] in SPLITTING_METHODS:
            source = dotted_name(node.args[0].value) if node.args else None
            base = args[0][1] if args else UNKNOWN
            element = _fresh(base).with_(
                alias=Reason(
                    f"it is one of several views returned by `{qualname.split('.')[-1]}` of `{source or 'a tensor'}`"
                    + _NEVER_RAN.format(base=source or "the tensor"),
                ),
                view_of=source, multi_view=qualname[len("torch."):] in MULTI_OUTPUT_VIEWS, saved_by=base.saved_by,
                leaf_view=base.leaf or base.leaf_view,
            ) if base.kind is Kind.TENSOR else tensor()
            if qualname[len("torch."):] in MULTI_OUTPUT_VIEWS and node.args:
                self._mark_multi_view_base(node.args[0].value, qualname, state)
            return Value(Kind.TENSORS, element=element)
        kind = torch_api.function_return_kind(qualname)
        if kind is None or kind == "other":
            return OTHER if kind == "other" else UNKNOWN
        grad = None
        leaf = None
        if state.grad_enabled:
            grad = _first_grad(args)
        if requires_grad:
            grad = Reason("{name} (created with requires_grad=True, line {line})", site)
            leaf = Reason("{name} is a leaf created with requires_grad=True")
        if dtype is None:
            dtype = _factory_dtype(qualname, node, args)
        if kind == "tensors" or (kind == "mixed" and _has_dim_argument(node)):
            result = Value(Kind.TENSORS, element=tensor(grad=grad, dtype=dtype))
        elif torch_api.is_factory(qualname):
            # A new tensor never inherits requires_grad from its arguments (empty_like(mu)).
            return tensor(grad=grad if requires_grad else None, leaf=leaf, dtype=dtype)
        elif torch_data.function_view_kind(qualname) in ("view", "may_alias") and args and args[0][1].kind is Kind.TENSOR:
            source = _describe(node.args[0].value)
            result = _view(args[0][1].with_(grad=grad), source, f"`{qualname}`", state)
        else:
            result = tensor(grad=grad or _container_grad(args, state), dtype=dtype or _common_dtype(args), leaf=leaf)
        positional, keywords = _split_args(node, args)
        function_param = torch_data.functional_inplace_param(qualname)
        inplace = qualname.endswith("_") or (
            function_param is not None and true_flag(node, "inplace", function_param.position) is not None
        )
        if inplace and positional and positional[0][1].kind is Kind.TENSOR:
            result = positional[0][1].with_(grad=result.grad)  # it returns its argument, changed
        return self._note_saves("function", qualname, qualname, positional, keywords, result, state, inplace)

    def _tensor_method(self, receiver: Value, func: cst.Attribute, node: cst.Call, args, state: _State) -> Value:
        name = func.attr.value
        source = _describe(func.value)
        grad = (receiver.grad or _first_grad(args)) if state.grad_enabled else receiver.grad
        site = state.site.statement if state.site else None
        if name == "requires_grad_":
            if false_flag(node, "requires_grad", 0):
                return receiver
            marked = receiver.with_(
                grad=Reason(f"`{source}` ({source}.requires_grad_(), line {{line}})", site),
                leaf=Reason(f"`{source}` is a leaf: {source}.requires_grad_() was called on it"),
            )
            self._rebind_mutated(func.value, marked, state)
            return marked
        if name.endswith("_") and not name.startswith("_"):
            mutated = receiver.with_(grad=grad)
            positional, keywords = _split_args(node, args)
            # An in-place op never breaks its own backward, but what it saves of its result
            # (relu_ saves it) is the receiver itself, for the ops that follow.
            mutated = self._note_saves(
                "method", name, f"`{source}.{name}()`", [(func.value, receiver), *positional], keywords, mutated, state
            )
            if mutated.saved_by is not None and mutated.saved_by is not receiver.saved_by:
                self._mark_saved(func.value, mutated, mutated.saved_by, state)
            self._rebind_mutated(func.value, mutated, state)
            return mutated
        if name.startswith("new_") and name != "new_":
            # x.new_zeros(...), x.new_full(...): a new tensor with x's dtype and device, never
            # in x's graph.
            requires = true_flag(node, "requires_grad", None) is not None
            return tensor(
                dtype=receiver.dtype,
                grad=Reason("{name} (created with requires_grad=True, line {line})", site) if requires else None,
            )
        if name == "backward" and true_flag(node, "retain_graph", None) is None:
            self._graph_freed(state)
            return OTHER
        if name in ("detach", "detach_"):
            return receiver.with_(
                grad=None, leaf=None, is_parameter=False, obj=None, view_of=source,
                alias=Reason(f"`{source}.detach()` shares memory with `{source}`"),
            )
        if name in torch_api.NON_TENSOR_METHODS:
            if name == "size" and node.args:
                return NUMBER
            return NUMBER if name in torch_api.NUMBER_METHODS else OTHER
        if name in torch_api.DTYPE_CONVERSIONS or name in ("to", "type", "type_as"):
            dtype = torch_api.DTYPE_CONVERSIONS.get(name)
            if name == "to" and args:
                dtype = _dtype_of(args[0][1]) or _dtype_of(dict(args).get("dtype"))
            may_alias = Reason(f"`{source}.{name}()` may return `{source}` itself")
            return receiver.with_(grad=grad, dtype=dtype, obj=None, alias=may_alias, view_of=source,
                                  leaf=None, is_parameter=False)
        if name in torch_api.MAY_RETURN_SELF:
            return receiver.with_(grad=grad, obj=None, alias=Reason(f"`{source}.{name}()` may return `{source}` itself"),
                                  view_of=source, leaf=None, is_parameter=False)
        kind = torch_api.method_return_kind(name)
        if kind is None or kind == "other":
            return OTHER if kind == "other" else UNKNOWN
        if kind == "tensors" or (kind == "mixed" and _has_dim_argument(node)):
            if name in SPLITTING_METHODS:
                element = _fresh(receiver).with_(
                    grad=grad, view_of=source, multi_view=name in MULTI_OUTPUT_VIEWS, saved_by=receiver.saved_by,
                    leaf_view=receiver.leaf or receiver.leaf_view,
                    alias=Reason(f"it is one of several views returned by `{source}.{name}()`" + _NEVER_RAN.format(base=source)),
                )
                if name in MULTI_OUTPUT_VIEWS:
                    self._mark_multi_view_base(func.value, f"{source}.{name}()", state)
            else:
                element = tensor(grad=grad, dtype=receiver.dtype)
            positional, keywords = _split_args(node, args)
            return self._note_saves(
                "method", name, f"`{source}.{name}()`", [(func.value, receiver), *positional], keywords,
                Value(Kind.TENSORS, element=element), state,
            )
        view = torch_api.view_kind(name)
        if view in ("view", "may_alias", "multi_view"):
            return _view(receiver.with_(grad=grad), source, f"`{source}.{name}()`", state)
        dtype = receiver.dtype if _same_dtype_args(receiver, args) else None
        if name in ("eq", "ne", "lt", "le", "gt", "ge", "isnan", "isinf", "isfinite", "logical_not",
                    "logical_and", "logical_or", "logical_xor", "bool"):
            dtype = "bool"
        result = tensor(grad=grad, dtype=dtype)
        positional, keywords = _split_args(node, args)
        return self._note_saves(
            "method", name, f"`{source}.{name}()`", [(func.value, receiver), *positional], keywords, result, state
        )


# ---------------------------------------------------------------------- helpers
def _function_value(node: cst.FunctionDef, interpreter: Interpreter) -> Value:
    returns = node.returns
    if returns is not None:
        text = code(returns.annotation, limit=None)
        if text in ("Tensor", "torch.Tensor"):
            return Value(Kind.OTHER, qualname="function->tensor")
    return OTHER


def _join_envs(a: Env, b: Env) -> Env:
    merged: Env = {}
    for key in a.keys() | b.keys():
        merged[key] = join(a.get(key), b.get(key)) if key in a and key in b else UNKNOWN if (
            (a.get(key) or b.get(key)).kind is not Kind.API  # type: ignore[union-attr]
        ) else (a.get(key) or b.get(key))  # type: ignore[assignment]
    return merged


def _fresh(value: Value) -> Value:
    return value.with_(obj=None, alias=None, leaf=None, is_parameter=False, is_data=False, view_of=None,
                       saved_by=None, saved_elements=None, leaf_view=None, multi_view=False, shape_of=None,
                       multi_view_base=None, no_grad_view=None, inference_tensor=None)


def _view(base: Value, source: str, what: str, state: _State) -> Value:
    # A view shares memory with its base: mutating it mutates the base (and vice versa).
    site = state.site.statement if state.site else None
    return base.with_(
        obj=None, leaf=None, is_parameter=False, view_of=source, leaf_view=base.leaf or base.leaf_view,
        alias=Reason(f"it is a view of `{source}` ({what}): the in-place change also changes `{source}`"),
        is_data=base.is_data,
        # torch forbids changing, with grad mode on, a view made under no_grad of a grad tensor.
        no_grad_view=Reason(f"{what} (line {{line}}) was made under no_grad", site)
        if not state.grad_enabled and (base.grad is not None or base.leaf is not None)
        else base.no_grad_view,
    )


def _binary(left: Value, right: Value, state: _State, operator=None) -> Value:
    if left.kind is Kind.TENSOR or right.kind is Kind.TENSOR:
        grad = (left.grad or right.grad) if state.grad_enabled else None
        if left.kind is Kind.TENSOR and right.kind is Kind.TENSOR:
            dtype = left.dtype if left.dtype == right.dtype else None
        else:
            tensor_side = left if left.kind is Kind.TENSOR else right
            other = right if tensor_side is left else left
            dtype = tensor_side.dtype if other.qualname == "number" else None
        return tensor(grad=grad, dtype=dtype)
    if left.kind is Kind.OTHER and right.kind is Kind.OTHER:
        return NUMBER if left.qualname == "number" and right.qualname == "number" else OTHER
    if left.kind is Kind.CONTAINER or right.kind is Kind.CONTAINER:
        return Value(Kind.CONTAINER)
    return UNKNOWN


def _first_grad(args) -> Optional[str]:
    for _, value in args:
        if value.grad is not None:
            return value.grad
        if value.kind in (Kind.CONTAINER, Kind.TENSORS) and value.element is not None and value.element.grad:
            return value.element.grad
    return None


def _container_grad(args, state: _State) -> Optional[str]:
    return _first_grad(args) if state.grad_enabled else None


def _common_dtype(args) -> Optional[str]:
    dtypes = {value.dtype for _, value in args if value.kind is Kind.TENSOR}
    return dtypes.pop() if len(dtypes) == 1 else None


def _same_dtype_args(receiver: Value, args) -> bool:
    return all(
        value.kind is not Kind.TENSOR or (value.dtype is not None and value.dtype == receiver.dtype)
        for _, value in args
    )


def _dtype_of(value: Optional[Value]) -> Optional[str]:
    if value is not None and value.kind is Kind.API and value.qualname in torch_api.DTYPES:
        return torch_api.DTYPES[value.qualname]
    return None


def _factory_dtype(qualname: str, node: cst.Call, args) -> Optional[str]:
    short = qualname.rsplit(".", 1)[-1]
    if short in torch_api.FLOAT_FACTORY_NAMES:
        return torch_api.DEFAULT_FLOAT
    if short.endswith("_like") and args and args[0][1].kind is Kind.TENSOR:
        return args[0][1].dtype
    if short in ("tensor", "as_tensor") and node.args:
        text = code(node.args[0].value, limit=None)
        if "." in text and not any(c.isalpha() for c in text):
            return torch_api.DEFAULT_FLOAT
    return None


def _has_dim_argument(node: cst.Call) -> bool:
    positional = [a for a in node.args if a.keyword is None and not a.star]
    return len(positional) >= 2 or any(a.keyword is not None and a.keyword.value == "dim" for a in node.args) or (
        isinstance(node.func, cst.Attribute) and len(positional) >= 1 and not isinstance(node.func.value, cst.Name)
        and False
    )


def _grad_mode_tag(qualname: str, node: cst.Call) -> str:
    if qualname in torch_api.GRAD_SET:
        return "gradmode:off" if false_flag(node, "mode", 0) else "gradmode:on"
    if qualname in torch_api.INFERENCE_MODE:
        return "gradmode:on" if false_flag(node, "mode", 0) else "gradmode:inference"
    return "gradmode:off" if qualname in torch_api.GRAD_OFF else "gradmode:on"


def _is_inference_mode(value: Value) -> bool:
    """``torch.inference_mode()`` (or the bare decorator), as opposed to no_grad."""
    if value.kind is Kind.OTHER:
        return value.qualname == "gradmode:inference"
    return value.kind is Kind.API and value.qualname in torch_api.INFERENCE_MODE


def _grad_mode_of(value: Value) -> Optional[bool]:
    if value.kind is Kind.OTHER and value.qualname in ("gradmode:off", "gradmode:on", "gradmode:inference"):
        return value.qualname == "gradmode:on"
    if value.kind is Kind.API and value.qualname is not None:
        # Used bare as a decorator: @torch.no_grad
        if value.qualname in torch_api.GRAD_OFF:
            return False
        if value.qualname in torch_api.GRAD_ON:
            return True
    return None


def _annotation_kind(value: Value, node: cst.BaseExpression, interpreter: Interpreter, state: _State) -> Optional[bool]:
    """True for Tensor annotations (also Optional[Tensor], Tensor | None), False for other known
    annotations, None when nothing can be said."""
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
        sides = [_annotation_kind(interpreter.facts[s].value if s in interpreter.facts else UNKNOWN, s, interpreter, state)
                 for s in (node.left, node.right)]
        return True if True in sides else (False if all(s is False or s is None for s in sides) and False in sides else None)
    if isinstance(node, cst.Subscript):
        outer = dotted_name(node.value) or ""
        if outer.split(".")[-1] == "Optional":
            inner = node.slice[0].slice
            if isinstance(inner, cst.Index):
                inner_fact = interpreter.facts.get(inner.value)
                return _annotation_kind(inner_fact.value if inner_fact else UNKNOWN, inner.value, interpreter, state)
        return False
    if isinstance(node, cst.SimpleString):
        text = node.evaluated_value
        return True if text in ("Tensor", "torch.Tensor") else None
    if value.kind is Kind.API and value.qualname in torch_api.TENSOR_CLASSES:
        return True
    if value.kind is Kind.MODULE_CLASS or (
        value.kind is Kind.API and value.qualname is not None
        and (value.qualname in torch_api.MODULE_BASES or torch_api.is_nn_module_class(value.qualname))
    ):
        return "module"  # type: ignore[return-value]
    if value.kind is Kind.API and value.qualname and value.qualname.startswith("builtins."):
        return False
    if isinstance(node, cst.Name) and node.value == "None":
        return None
    return None


# Multi-output views (unbind, split, chunk, iterating a tensor) may not be changed in place at
# all: the original statement raised, so rebinding the name is the fix, with this caveat.
_NEVER_RAN = (
    ": torch forbids changing such a view in place, so this line never ran as written; "
    "the rewrite changes only this name, not `{base}`"
)

_OPERATOR_SYMBOLS = {
    cst.Add: "+", cst.Subtract: "-", cst.Multiply: "*", cst.Divide: "/", cst.Modulo: "%",
    cst.Power: "**", cst.MatrixMultiply: "@",
}


def _split_args(node: cst.Call, args) -> tuple[list, dict]:
    """(positional (node, value) pairs, keyword -> (node, value)) of a call."""
    positional = []
    keywords = {}
    for arg, (keyword, value) in zip(node.args, args):
        if keyword is None:
            positional.append((arg.value, value))
        elif keyword != "*":
            keywords[keyword] = (arg.value, value)
    return positional, keywords


def _saved_element(base: Value, node: cst.Subscript) -> Optional[Reason]:
    saved = dict(base.saved_elements or ())
    if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        index = node.slice[0].slice.value
        if isinstance(index, cst.Integer):
            return saved.get(int(index.value))
    return next(iter(saved.values()), None)


def true_flag(node: cst.Call, keyword: str, position: Optional[int]) -> Optional[cst.Arg]:
    """The argument of ``node`` that passes ``keyword=True``, by keyword or at ``position``."""
    return _literal_flag(node, keyword, position, "True")


def false_flag(node: cst.Call, keyword: str, position: Optional[int]) -> bool:
    """Whether ``node`` passes ``keyword=False``, by keyword or at ``position``."""
    return _literal_flag(node, keyword, position, "False") is not None


def _literal_flag(node: cst.Call, keyword: str, position: Optional[int], literal: str) -> Optional[cst.Arg]:
    positional = [a for a in node.args if a.keyword is None and not a.star]
    for arg in node.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg if _is_name(arg.value, literal) else None
    if position is not None and len(positional) > position:
        arg = positional[position]
        return arg if _is_name(arg.value, literal) else None
    return None


def _is_name(node: cst.BaseExpression, name: str) -> bool:
    return isinstance(node, cst.Name) and node.value == name
