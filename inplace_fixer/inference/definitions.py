"""Function and class definitions: parameters, `self`, what a class registers in `__init__`
(its own and its bases'), and the program index (inference.program) the calls resolve through."""

from __future__ import annotations

import re
from typing import Optional

import libcst as cst

from inplace_fixer.inference import torch_api
from inplace_fixer.inference.grad_modes import (
    annotation_dtype,
    annotation_kind,
    grad_mode_of,
    is_inference_mode,
)
from inplace_fixer.inference.program import (
    AUTOGRAD_FUNCTION_BASES,
    GRAD_OFF_METHODS,
    LIBRARY_NO_GRAD_METHODS,
    ClassInfo,
    FunctionRef,
    method_kind,
)
from inplace_fixer.inference.sites import FunctionInfo
from inplace_fixer.inference.state import Env, PendingFunction, State
from inplace_fixer.inference.values import (
    NONE,
    OTHER,
    UNKNOWN,
    Kind,
    Reason,
    Value,
    tensor,
)


# forward() arguments that by every convention hold data from the loader, never a tensor that
# requires grad: token ids, labels and targets, masks, indices, positions, lengths.
DATA_ARGUMENT = re.compile(
    r"(^|_)(ids|labels?|targets?|masks?|indices|index|idx|lengths?|lens|positions?|ids_restore)$"
)


class DefinitionsMixin:
    # ------------------------------------------------------------------ functions and classes
    def _function_def(self, node: cst.FunctionDef, state: State, class_name, is_module, class_node=None) -> Optional[FunctionRef]:
        self._site(node, state)
        for decorator in node.decorators:
            self._expr(decorator.decorator, state)
        params = node.params
        names = [p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params)]
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                names.append(star.name.value)
        info = FunctionInfo(node, node.name.value, frozenset(names), class_name, is_module, class_node)
        closure = self._closure(state)
        ref = FunctionRef(info, closure, kind=method_kind(node) if class_name is not None else "function", facts=self.facts)
        if class_name is None:
            state.env[node.name.value] = Value(Kind.FUNCTION, function=ref)
        self._pending.append(PendingFunction(info, closure=closure))
        return ref

    def _lambda(self, node: cst.Lambda, state: State) -> Value:
        names = [p.name.value for p in (*node.params.posonly_params, *node.params.params, *node.params.kwonly_params)]
        info = FunctionInfo(node, "<lambda>", frozenset(names))  # type: ignore[arg-type]
        closure = self._closure(state)
        return Value(Kind.FUNCTION, function=FunctionRef(info, closure, kind="lambda"))

    @staticmethod
    def _closure(state: State) -> Env:
        """What a function defined here sees besides its own names: at module level the module's
        names; inside a function, the enclosing function's names as they are now, over the
        module's (a nested function still reads `torch` and the file's own functions)."""
        return {**state.globals, **state.env} if state.function else state.globals

    def _function_grad_mode(
        self, info: FunctionInfo, facts: Optional[dict] = None, standalone: bool = False
    ) -> tuple[bool, bool]:
        """(grad enabled, inference mode) at the start of a function, from its decorators and
        from what torch does with its class (autograd.Function.forward runs with grad off)."""
        grad_enabled, inference = True, False
        if info.class_name is not None and info.name in GRAD_OFF_METHODS:
            cls = self.classes.get(info.class_name)
            if cls is not None and cls.is_autograd_function:
                grad_enabled = False
        if standalone and info.class_name is not None and info.name in LIBRARY_NO_GRAD_METHODS:
            cls = self.classes.get(info.class_name)
            if cls is not None and cls.library_base:
                grad_enabled = False
        for decorator in getattr(info.node, "decorators", ()):
            fact = (facts if facts is not None else self.facts).get(decorator.decorator)
            mode = grad_mode_of(fact.value) if fact else None
            if mode is not None:
                grad_enabled, inference = mode, is_inference_mode(fact.value)  # type: ignore[union-attr]
        return grad_enabled, inference

    def _run_function(self, function: PendingFunction) -> None:
        info = function.info
        grad_enabled, inference = self._function_grad_mode(info, standalone=True)
        env: Env = {}
        state = State(
            env=env, globals=function.closure, function=info, grad_enabled=grad_enabled, inference=inference
        )
        self._bind_params(info, state)
        self._block(info.node.body, state, env)

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
        cls = self.classes.get(info.class_name) if info.class_name else None
        if cls is None or method_kind(info.node) == "staticmethod":
            return UNKNOWN
        if method_kind(info.node) == "classmethod":
            return Value(Kind.MODULE_CLASS if cls.is_module else Kind.CLASS, qualname=cls.name)
        instance = self._instance(cls)
        if info.name != "__init__":
            for attr, value in instance.attributes or ():
                state.env[f"self.{attr}"] = value
        return instance

    def _instance(self, cls: ClassInfo) -> Value:
        attributes = self._class_attributes(cls)
        return Value(Kind.MODULE if cls.is_module else Kind.OBJECT, qualname=cls.name, attributes=attributes)

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
                return OTHER if isinstance(default, (cst.Integer, cst.Float, cst.SimpleString, cst.Name, cst.Tuple)) else UNKNOWN
            annotation = True
        if annotation is True:
            dtype = annotation_dtype(param.annotation.annotation) if param.annotation is not None else None
            data = info.is_forward and DATA_ARGUMENT.search(name) is not None
            grad = Reason(f"`{name}` (an argument of forward())") if info.is_forward and dtype is None and not data else None
            return tensor(grad=grad, alias=alias, obj=next(self._ids), dtype=dtype)
        return UNKNOWN

    def _class_def(self, node: cst.ClassDef, state: State) -> None:
        self._site(node, state)
        is_module = is_autograd_function = library_base = False
        bases: list[str] = []
        base_values: list[Value] = []
        for base in node.bases:
            value = self._resolve_api(self._expr(base.value, state))
            base_values.append(value)
            if value.kind in (Kind.MODULE_CLASS, Kind.CLASS) and value.qualname in self.classes:
                bases.append(value.qualname)  # type: ignore[arg-type]
                parent = self.classes[value.qualname]  # type: ignore[index]
                is_module = is_module or parent.is_module
                is_autograd_function = is_autograd_function or parent.is_autograd_function
                library_base = library_base or parent.library_base
            elif value.kind is Kind.API and value.qualname is not None:
                library_base = library_base or not torch_api.is_torch(value.qualname)
                if value.qualname in torch_api.MODULE_BASES or torch_api.is_nn_module_class(value.qualname):
                    is_module = True
                if value.qualname in AUTOGRAD_FUNCTION_BASES:
                    is_autograd_function = True
        methods = [s for s in node.body.body if isinstance(s, cst.FunctionDef)]
        if not is_module and not is_autograd_function:
            # A class with a forward() and a base we cannot resolve is most likely a module of a
            # library that subclasses nn.Module (PreTrainedModel, LightningModule, ...).
            has_forward = any(m.name.value == "forward" for m in methods)
            # (The values as evaluated here: a class defined in a function analysed at a call site
            # has its facts among that call's, not the module's.)
            is_module = has_forward and any(
                value.kind is Kind.API and not str(value.qualname).startswith("builtins.") for value in base_values
            )
        class_name = node.name.value
        cls = ClassInfo(class_name, node, tuple(bases), is_module, is_autograd_function, state.globals, library_base=library_base)
        self.classes[class_name] = cls
        state.env[class_name] = Value(Kind.MODULE_CLASS if is_module else Kind.CLASS, qualname=class_name)
        for statement in node.body.body:
            if isinstance(statement, cst.FunctionDef):
                ref = self._function_def(statement, state, class_name=class_name, is_module=is_module, class_node=node)
                if ref is not None:
                    cls.methods[statement.name.value] = ref
            else:
                self._statement(statement, state)

    def _method(self, class_name: Optional[str], name: str) -> Optional[FunctionRef]:
        """``name`` looked up on the class and then its bases in the checked code (depth first,
        as Python's MRO does for single inheritance)."""
        seen: set[str] = set()
        pending = [class_name] if class_name else []
        while pending:
            current = pending.pop(0)
            if current in seen or current not in self.classes:
                continue
            seen.add(current)
            cls = self.classes[current]
            if name in cls.methods:
                return cls.methods[name]
            pending.extend(cls.bases)
        return None

    def _class_attributes(self, cls: ClassInfo) -> tuple:
        """What instances of ``cls`` hold after ``__init__``: the bases' attributes, then its own.
        Computed on first use, when every class of the module is defined (a class may use one
        defined further down)."""
        if cls.attributes is not None:
            return cls.attributes
        if cls.computing:
            return ()
        cls.computing = True
        try:
            merged: dict = {}
            for base in cls.bases:
                if base in self.classes:
                    merged.update(self._class_attributes(self.classes[base]))
            init = cls.methods.get("__init__")
            if init is not None:
                merged.update(self._init_attributes(init.node, cls, dict(merged)))
            cls.attributes = tuple(merged.items())
        finally:
            cls.computing = False
        return cls.attributes

    def _init_attributes(self, init: cst.FunctionDef, cls: ClassInfo, inherited: dict) -> tuple:
        # Analyse __init__ now (its facts are recorded again when it runs as a pending function)
        # to learn what the class registers: Parameters, buffers, submodules.
        params = [p.name.value for p in (*init.params.posonly_params, *init.params.params)]
        info = FunctionInfo(init, "__init__", frozenset(params), cls.name, cls.is_module, cls.node)
        env: Env = {}
        init_state = State(env=env, globals=cls.globals, function=info, foreign=cls.foreign)
        for param in (*init.params.posonly_params, *init.params.params, *init.params.kwonly_params):
            env[param.name.value] = NONE if isinstance(param.default, cst.Name) and param.default.value == "None" else UNKNOWN
        prefix = f"{params[0]}." if params else "self."
        if params:
            env[params[0]] = Value(Kind.MODULE if cls.is_module else Kind.OBJECT, qualname=cls.name, attributes=tuple(inherited.items()))
            for attr, value in inherited.items():
                env[prefix + attr] = value
        self._block(init.body, init_state, env)
        return tuple(
            (key[len(prefix):], value)
            for key, value in env.items()
            if key.startswith(prefix) and "." not in key[len(prefix):]
        )
