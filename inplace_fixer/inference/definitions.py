"""Function and class definitions: parameters, `self`, what a module registers in `__init__`."""

from __future__ import annotations

import libcst as cst

from inplace_fixer.inference import torch_api
from inplace_fixer.inference.grad_modes import (
    annotation_kind,
    function_value,
    grad_mode_of,
    is_inference_mode,
)
from inplace_fixer.inference.sites import FunctionInfo
from inplace_fixer.inference.state import Env, PendingFunction, State
from inplace_fixer.inference.values import OTHER, UNKNOWN, Kind, Reason, Value, tensor


class DefinitionsMixin:
    # ------------------------------------------------------------------ functions and classes
    def _function_def(self, node: cst.FunctionDef, state: State, class_name, is_module, class_node=None) -> None:
        self._site(node, state)
        for decorator in node.decorators:
            self._expr(decorator.decorator, state)
        params = node.params
        names = [p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params)]
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                names.append(star.name.value)
        info = FunctionInfo(node, node.name.value, frozenset(names), class_name, is_module, class_node)
        state.env[node.name.value] = function_value(node, self)
        self._pending.append(PendingFunction(info, closure=dict(state.env) if state.function else state.globals))

    def _run_function(self, function: PendingFunction) -> None:
        info = function.info
        node = info.node
        grad_enabled, inference = True, False
        for decorator in node.decorators:
            fact = self.facts.get(decorator.decorator)
            mode = grad_mode_of(fact.value) if fact else None
            if mode is not None:
                grad_enabled, inference = mode, is_inference_mode(fact.value)  # type: ignore[union-attr]
        env: Env = {}
        state = State(
            env=env, globals=function.closure, function=info, grad_enabled=grad_enabled, inference=inference
        )
        self._bind_params(info, state)
        self._block(node.body, state, env)

    def _bind_params(self, info: FunctionInfo, state: State) -> None:
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

    def _self_value(self, info: FunctionInfo, state: State) -> Value:
        cls = state.globals.get(info.class_name) if info.class_name else None
        if cls is not None and cls.kind is Kind.MODULE_CLASS:
            for attr, value in cls.attributes or ():
                if info.name != "__init__":
                    state.env[f"self.{attr}"] = value
            return Value(Kind.MODULE, qualname=cls.qualname, attributes=cls.attributes)
        return UNKNOWN

    def _param_value(self, info: FunctionInfo, param: cst.Param, state: State) -> Value:
        name = param.name.value
        annotation = None
        if param.annotation is not None:
            annotation = annotation_kind(self._expr(param.annotation.annotation, state), param.annotation.annotation, self, state)
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

    def _class_def(self, node: cst.ClassDef, state: State) -> None:
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

    def _init_attributes(self, init: cst.FunctionDef, class_name: str, state: State, class_node) -> tuple:
        # Analyse __init__ now (its facts are recorded again when it runs as a pending function)
        # to learn what the module registers: Parameters, buffers, submodules.
        params = [p.name.value for p in (*init.params.posonly_params, *init.params.params)]
        info = FunctionInfo(init, "__init__", frozenset(params), class_name, True, class_node)
        env: Env = {}
        init_state = State(env=env, globals=state.globals, function=info)
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

