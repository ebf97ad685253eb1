"""Statements: blocks, branches and loops (with their joins), `with` grad modes, small statements and
imports."""

from __future__ import annotations

from typing import Sequence

import libcst as cst

from inplace_fixer.cst_fields import called_names
from inplace_fixer.inference import torch_api
from inplace_fixer.inference.grad_modes import (
    annotation_kind,
    grad_mode_of,
    is_inference_mode,
)
from inplace_fixer.inference.sites import Site
from inplace_fixer.inference.state import Env, State, describe, join_qualname, module_name
from inplace_fixer.inference.value_ops import binary, join_envs
from inplace_fixer.inference.values import (
    FALSE,
    NONE,
    TRUE,
    UNKNOWN,
    Kind,
    Reason,
    Value,
    join,
    tensor,
)

# Node types are tested with `type(node) is cst.X`: libcst's concrete node classes have no
# subclasses, and an isinstance that fails on one costs an ABC check (millions per tree).


class StatementsMixin:
    # ------------------------------------------------------------------ statements
    def _statements(self, body: Sequence[cst.CSTNode], state: State, line) -> None:
        for index, statement in enumerate(body):
            state.block, state.index = body, index
            self._statement(statement, state)

    def _visit(self, node: cst.CSTNode) -> None:
        if id(node) not in self._ordered:
            self._ordered.add(id(node))
            self.order.append(node)

    def _statement(self, statement: cst.CSTNode, state: State) -> None:
        if not state.foreign:
            self._visit(statement)
        if type(statement) in (cst.SimpleStatementLine, cst.SimpleStatementSuite):
            for small in statement.body:
                if not state.foreign:
                    self._visit(small)
                    self.line_of_small[small] = statement
                state.site = Site(
                    small, statement, state.grad_enabled, state.function, state.in_loop, state.block, state.index,
                    state.loop_block, state.inference,
                )
                self._small(small, state)
        elif type(statement) is cst.If:
            self._site(statement, state)
            test = self._expr(statement.test, state)
            then_env = dict(state.env)
            self._narrow(statement.test, then_env)
            # A branch on a constant (`if inplace_safe:` where every call leaves the default
            # False) runs one side only: code on the other side is not reached from here.
            if test == FALSE:
                self._not_reached(statement.body)
            else:
                self._block(statement.body, state, then_env)
            else_env = dict(state.env)
            if test == TRUE and statement.orelse is not None:
                self._not_reached(statement.orelse)
            elif statement.orelse is not None:
                orelse = statement.orelse
                if type(orelse) is cst.If:
                    self._statement_in(orelse, state, else_env)
                else:
                    self._block(orelse.body, state, else_env)
            state.env.clear()
            state.env.update(join_envs(then_env, else_env))
        elif type(statement) is cst.For:
            self._for(statement, state)
        elif type(statement) is cst.While:
            self._site(statement, state)
            before = dict(state.env)
            self._loop_body(statement.body, state, lambda: self._expr(statement.test, state))
            state.env.update(join_envs(before, state.env))
            if statement.orelse is not None:
                self._block(statement.orelse.body, state, state.env)
        elif type(statement) in (cst.Try, cst.TryStar):
            before = dict(state.env)
            self._block(statement.body, state, state.env)
            merged = join_envs(before, state.env)
            for handler in statement.handlers:
                handler_env = dict(merged)
                self._block(handler.body, state, handler_env)
                merged = join_envs(merged, handler_env)
            if statement.orelse is not None:
                self._block(statement.orelse.body, state, merged)
            if statement.finalbody is not None:
                self._block(statement.finalbody.body, state, merged)
            state.env.clear()
            state.env.update(merged)
        elif type(statement) is cst.With:
            self._with(statement, state)
        elif type(statement) is cst.FunctionDef:
            self._function_def(statement, state, class_name=None, is_module=False)
        elif type(statement) is cst.ClassDef:
            self._class_def(statement, state)
        elif type(statement) is cst.Match:
            self._site(statement, state)
            self._expr(statement.subject, state)
            merged = dict(state.env)
            for case in statement.cases:
                case_env = dict(state.env)
                self._block(case.body, state, case_env)
                merged = join_envs(merged, case_env)
            state.env.clear()
            state.env.update(merged)

    def _set_requires_grad(self, target: cst.Attribute, value: cst.BaseExpression, state: State) -> None:
        """``w.requires_grad = True`` makes ``w`` a leaf that requires grad, as requires_grad_() does."""
        tensor_value = self._expr(target.value, state)
        if tensor_value.kind is not Kind.TENSOR or not (type(value) is cst.Name and value.value in ("True", "False")):
            return
        source = describe(target.value)
        site = state.site.statement if state.site else None
        if value.value == "True":
            marked = tensor_value.with_(
                grad=Reason(f"`{source}` ({source}.requires_grad = True, line {{line}})", site),
                leaf=Reason(f"`{source}` is a leaf: `{source}.requires_grad = True` was set on it"),
            )
        else:
            marked = tensor_value.with_(grad=None, leaf=None)
        self._rebind_mutated(target.value, marked, state)

    def _not_reached(self, node: cst.CSTNode) -> None:
        """Note the functions a branch that cannot run would call (see Interpreter.run)."""
        self.unreached_calls |= _names_called_in(node)

    def _narrow(self, test: cst.BaseExpression, env: Env) -> None:
        """``if isinstance(m, nn.Linear):`` makes ``m`` an nn.Linear inside the branch."""
        if not (type(test) is cst.Call and type(test.func) is cst.Name and test.func.value == "isinstance"
                and len(test.args) == 2 and type(test.args[0].value) is cst.Name):
            return
        fact = self.facts.get(test.args[1].value) or self.context_facts.get(test.args[1].value)
        if fact is None:
            return
        name = test.args[0].value.value
        classes = fact.value
        if classes.kind is Kind.API and classes.qualname is not None and torch_api.is_nn_module_class(classes.qualname):
            env[name] = Value(Kind.MODULE, qualname=classes.qualname)
        elif classes.kind is Kind.API and classes.qualname in torch_api.TENSOR_CLASSES | torch_api.PARAMETER:
            current = env.get(name)
            if current is None or current.kind is not Kind.TENSOR:
                env[name] = tensor(obj=next(self._ids))
        elif classes.kind is Kind.MODULE_CLASS and classes.qualname in self.classes:
            env[name] = self._instance(self.classes[classes.qualname])

    def _statement_in(self, statement: cst.CSTNode, state: State, env: Env) -> None:
        saved = state.env
        state.env = env
        try:
            self._statement(statement, state)
        finally:
            state.env = saved

    def _block(self, body: cst.BaseSuite, state: State, env: Env) -> None:
        saved = state.env
        state.env = env
        try:
            if type(body) is cst.SimpleStatementSuite:
                state.block, state.index = (), -1
                self._statement(body, state)
            else:
                for index, statement in enumerate(body.body):
                    state.block, state.index = body.body, index
                    self._statement(statement, state)
        finally:
            state.env = saved

    def _site(self, statement: cst.CSTNode, state: State) -> None:
        state.site = Site(statement, None, state.grad_enabled, state.function, state.in_loop, inference=state.inference)

    def _loop_body(self, body: cst.BaseSuite, state: State, header) -> None:
        was_in_loop, outer_loop_block = state.in_loop, state.loop_block
        state.in_loop = True
        state.loop_block = body.body if type(body) is cst.IndentedBlock else ()
        try:
            # Twice, so that what one iteration leaves behind is seen by the next.
            for _ in range(2):
                header()
                env = dict(state.env)
                self._block(body, state, env)
                state.env.update(join_envs(state.env, env))
        finally:
            state.in_loop, state.loop_block = was_in_loop, outer_loop_block

    def _for(self, statement: cst.For, state: State) -> None:
        self._site(statement, state)
        iterable = self._expr(statement.iter, state)
        element = self._element_of(iterable, statement.iter)
        before = dict(state.env)

        def header() -> None:
            self._site(statement, state)
            self._bind(statement.target, element, state)

        self._loop_body(statement.body, state, header)
        state.env.update(join_envs(before, state.env))
        if statement.orelse is not None:
            self._block(statement.orelse.body, state, state.env)

    def _with(self, statement: cst.With, state: State) -> None:
        self._site(statement, state)
        grad_enabled, inference = state.grad_enabled, state.inference
        for item in statement.items:
            value = self._expr(item.item, state)
            mode = grad_mode_of(value)
            if mode is not None:
                grad_enabled = mode
                inference = is_inference_mode(value)
            if item.asname is not None:
                self._bind(item.asname.name, value, state)
        saved = state.grad_enabled, state.inference
        state.grad_enabled, state.inference = grad_enabled, inference
        try:
            self._block(statement.body, state, state.env)
        finally:
            state.grad_enabled, state.inference = saved

    # ------------------------------------------------------------------ small statements
    def _small(self, small: cst.BaseSmallStatement, state: State) -> None:
        if type(small) is cst.Assign:
            value = self._expr(small.value, state)
            for target in small.targets:
                if type(target.target) is cst.Attribute and target.target.attr.value == "requires_grad":
                    self._set_requires_grad(target.target, small.value, state)
                    continue
                self._bind(target.target, value, state)
        elif type(small) is cst.AnnAssign:
            value = self._expr(small.value, state) if small.value is not None else None
            annotated = self._expr(small.annotation.annotation, state)
            if value is None:
                is_tensor = annotation_kind(annotated, small.annotation.annotation, self, state)
                value = tensor(obj=next(self._ids)) if is_tensor is True else UNKNOWN
            self._bind(small.target, value, state)
        elif type(small) is cst.AugAssign:
            self._aug_assign(small, state)
        elif type(small) is cst.Expr:
            self._expr(small.value, state)
        elif type(small) is cst.Return:
            value = self._expr(small.value, state) if small.value is not None else NONE
            if state.returns is not None:
                state.returns.append(value)
        elif type(small) in (cst.Import, cst.ImportFrom):
            self._import(small, state)
        elif type(small) is cst.Assert:
            self._expr(small.test, state)
        elif type(small) is cst.Raise and small.exc is not None:
            self._expr(small.exc, state)
        elif type(small) is cst.Del:
            self._expr(small.target, state)

    def _aug_assign(self, node: cst.AugAssign, state: State) -> None:
        target = self._expr(node.target, state)
        operand = self._expr(node.value, state)
        if type(node.operator) is cst.MatrixMultiplyAssign:
            # No __imatmul__ on tensors: `x @= y` rebinds x to a new tensor.
            result = binary(target, operand, state)
            self._bind(node.target, result.with_(obj=None, alias=None, leaf=None, is_parameter=False), state)
            return
        if target.kind is Kind.TENSOR:
            self._note_change(target, node, state)
            grad = target.grad or (operand.grad if state.grad_enabled else None)
            self._rebind_mutated(node.target, target.with_(grad=grad), state)
        elif target.kind is Kind.OTHER and target.qualname == "number" and operand.kind is Kind.TENSOR:
            # `f = 1.0; f += t` makes f a tensor.
            self._bind(node.target, binary(target, operand, state).with_(obj=None), state)
        elif target.kind is Kind.CONTAINER and type(node.target) is cst.Name:
            element = join(target.element, operand.element) if operand.element else target.element
            state.env[node.target.value] = target.with_(element=element)

    def _import(self, node, state: State) -> None:
        if type(node) is cst.Import:
            for alias in node.names:
                qualname = module_name(alias.name)
                if alias.asname is not None:
                    state.env[alias.asname.name.value] = Value(Kind.API, qualname=qualname)  # type: ignore[union-attr]
                else:
                    top = qualname.split(".")[0]
                    state.env[top] = Value(Kind.API, qualname=top)
            return
        module = "." * len(node.relative) + module_name(node.module) if node.module else "." * len(node.relative)
        if type(node.names) is cst.ImportStar:
            return
        for alias in node.names:
            name = alias.name.value  # type: ignore[union-attr]
            bound = alias.asname.name.value if alias.asname is not None else name  # type: ignore[union-attr]
            # Resolved on use (a call, a base class), not here: most imported names are never
            # called with a tensor, and reading their module costs a parse.
            # `from . import name` is ".name": a name of the package, or its module name.py.
            state.env[bound] = Value(Kind.API, qualname=join_qualname(module, name))


# Branch node -> (the node, the names it calls). The same branch is met by every analysis of
# its function (each call site, each root the language server runs again), and its calls do
# not change: a node's code is never changed in place but for comments and whitespace
# (reparse_body.update_in_place), and a function body replaced in place is one of a top-level
# function or method, never inside a branch. The node is kept, so that its id is not reused.
_CALLED_IN: dict[int, tuple[cst.CSTNode, frozenset[str]]] = {}
_CALLED_IN_ENTRIES = 4096


def _names_called_in(node: cst.CSTNode) -> frozenset[str]:
    cached = _CALLED_IN.get(id(node))
    if cached is not None and cached[0] is node:
        return cached[1]
    if len(_CALLED_IN) >= _CALLED_IN_ENTRIES:
        _CALLED_IN.clear()
    names = called_names(node)
    _CALLED_IN[id(node)] = (node, names)
    return names
