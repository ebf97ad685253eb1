"""Calls into torch: functions, tensor methods, nn.Module calls, and what each saves for backward
(from torch's derivatives.yaml, through inplace_fixer.saved_tensors)."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from inplace_fixer import saved_tensors, torch_data
from inplace_fixer.inference import torch_api
from inplace_fixer.inference.containers import BUILTIN_ITERATORS, MODULE_CONTAINERS
from inplace_fixer.inference.flags import false_flag, true_flag
from inplace_fixer.inference.grad_modes import grad_mode_tag, returns_tensor
from inplace_fixer.inference.state import (
    BUILTIN_CONTAINERS,
    MULTI_OUTPUT_VIEWS,
    NUMBER,
    NUMBER_BUILTINS,
    SPLITTING_METHODS,
    State,
    describe,
    dotted_name,
)
from inplace_fixer.inference.value_ops import (
    NEVER_RAN,
    common_dtype,
    container_grad,
    dtype_of,
    factory_dtype,
    first_grad,
    fresh,
    gradient_arguments,
    has_dim_argument,
    same_dtype_args,
    split_args,
    view_value,
)
from inplace_fixer.inference.values import OTHER, UNKNOWN, Kind, Reason, Value, tensor

# Calls that give back one of their arguments (by position): typing helpers of TorchScript, and
# the old Variable wrapper (a plain tensor since torch 0.4).
VARIABLE = frozenset({"torch.autograd.Variable", "torch.autograd.variable.Variable"})
IDENTITY_FUNCTIONS = {
    "torch.jit._unwrap_optional": 0, "torch.jit.annotate": 1, "torch.jit.Attribute": 0,
    **{name: 0 for name in VARIABLE},
}


class TorchCallsMixin:
    def _module_method(self, receiver: Value, node: cst.Call, args, state: State) -> Optional[Value]:
        func = node.func
        assert isinstance(func, cst.Attribute)
        name = func.attr.value
        source = describe(func.value)
        if name in torch_api.PARAMETER_ITERATORS or name in torch_api.NAMED_PARAMETER_ITERATORS:
            parameter = tensor(
                grad=Reason(f"`{source}.{name}()` (parameters of an nn.Module)"), is_parameter=True,
                leaf=Reason("it is a parameter of the module"), dtype=torch_api.DEFAULT_FLOAT,
                alias=Reason("it is a parameter of the module"),
            )
            if name in torch_api.NAMED_PARAMETER_ITERATORS:
                return Value(Kind.CONTAINER, element=Value(Kind.CONTAINER, element=UNKNOWN))
            return Value(Kind.TENSORS, element=parameter)
        modules = self._module_iteration(name)
        if modules is not None:
            return modules
        if name in ("register_buffer", "register_parameter") and len(args) >= 2:
            self._register(node, args, state, parameter=name == "register_parameter")
            return OTHER
        if name in ("forward", "__call__"):
            return self._module_call(receiver, node, args, state)
        return None  # an ordinary attribute call: self.fc(x)

    def _register(self, node: cst.Call, args, state: State, parameter: bool) -> None:
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

    def _module_call(self, module: Value, node: cst.Call, args, state: State) -> Value:
        positional, keywords = split_args(node, args)
        if module.inplace_constructor is not None and positional:
            # nn.ReLU(inplace=True)(h) changes h and returns it: the constructor's finding needs
            # to know what h was at each call.
            argument_node, argument = positional[0]
            self.inplace_module_calls.setdefault(id(module.inplace_constructor), []).append(argument)
            if argument.kind is Kind.TENSOR:
                return argument
        if module.qualname is not None and not torch_api.is_torch(module.qualname):
            # A module class of the checked code: its forward() is analysed at this call.
            forward = self._method(module.qualname, "forward")
            if forward is not None:
                returned = self._call_user_function(forward.bound(module), node, args, state)
                if returned is not None:
                    return self._as_module_output(returned, module, node.func, state)
        if module.qualname in MODULE_CONTAINERS and module.qualname.endswith("Sequential") and module.items and positional:
            return self._sequential_call(module, node, positional[0], state)
        result = self._module_output(module, node.func, state)
        if torch_api.is_torch(module.qualname):
            label = f"`{dotted_name(node.func) or 'the module'}` ({module.qualname.replace('torch.', '', 1)})"  # type: ignore[union-attr]
            result = self._note_saves("module", module.qualname, label, positional, keywords, result, state)  # type: ignore[arg-type]
        return result

    def _sequential_call(self, module: Value, node: cst.Call, argument, state: State) -> Value:
        """nn.Sequential(a, b)(x) is b(a(x)): the last module decides what is saved of the output."""
        source = dotted_name(node.func) or "the module"
        argument_node, value = argument
        for index, item in enumerate(module.items or ()):
            output = self._module_output(module, node.func, state)
            if item.qualname is not None and torch_api.is_torch(item.qualname):
                label = f"`{source}[{index}]` ({item.qualname.replace('torch.', '', 1)})"
                output = self._note_saves("module", item.qualname, label, [(argument_node, value)], {}, output, state)
            argument_node, value = None, output
        return value

    def _note_saves(
        self, kind: str, name: str, label: str, positional, keywords, result: Value, state: State, inplace: bool = False
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

    def _graph_freed(self, state: State) -> None:
        """After backward() (without retain_graph) the saved tensors are released: changing
        them afterwards no longer breaks anything."""
        for name, bound in list(state.env.items()):
            if bound.kind is Kind.TENSOR and (bound.saved_by is not None or bound.multi_view_base is not None):
                state.env[name] = bound.with_(saved_by=None, multi_view_base=None)

    def _mark_multi_view_base(self, node: cst.BaseExpression, what: str, state: State) -> None:
        key = dotted_name(node)
        bound = state.env.get(key) if key is not None else None
        if bound is not None and bound.kind is Kind.TENSOR and state.grad_enabled:
            site = state.site.statement if state.site else None
            state.env[key] = bound.with_(multi_view_base=Reason(f"`{what}`, line {{line}}", site))  # type: ignore[index]

    def _mark_saved(self, node: Optional[cst.BaseExpression], value: Value, reason: Reason, state: State) -> None:
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

    def _module_output(self, module: Value, node: cst.BaseExpression, state: State) -> Value:
        if not state.grad_enabled:
            return tensor(dtype=torch_api.DEFAULT_FLOAT)
        source = describe(node)
        site = state.site.statement if state.site else None
        return tensor(grad=Reason(f"{{name}} (output of `{source}`, an nn.Module, line {{line}})", site),
                      dtype=torch_api.DEFAULT_FLOAT)

    def _as_module_output(self, returned: Value, module: Value, node: cst.BaseExpression, state: State) -> Value:
        """What the file's own module returned, as its output: a tensor keeps what saved it, and
        says it came out of the module."""
        if returned.kind is not Kind.TENSOR or returned.grad is None:
            return returned
        source = describe(node)
        site = state.site.statement if state.site else None
        return returned.with_(grad=Reason(f"{{name}} (output of `{source}`, an nn.Module, line {{line}})", site))

    def _call_value(self, callee: Value, node: cst.Call, args, state: State) -> Value:
        callee = self._resolve_api(callee)
        if callee.kind is Kind.MODULE:
            return self._module_call(callee, node, args, state)
        if callee.kind in (Kind.MODULE_CLASS, Kind.CLASS):
            cls = self.classes.get(callee.qualname)
            return self._instance(cls) if cls is not None else Value(Kind.MODULE if callee.kind is Kind.MODULE_CLASS else Kind.OBJECT, qualname=callee.qualname)
        if callee.kind is Kind.OBJECT:
            method = self._method(callee.qualname, "__call__")
            callee = Value(Kind.FUNCTION, function=method.bound(callee)) if method is not None else UNKNOWN
        if callee.kind is Kind.FUNCTION:
            returned = self._call_user_function(callee.function, node, args, state)  # type: ignore[arg-type]
            if returned is not None:
                return returned
            if returns_tensor(callee.function.node):  # type: ignore[union-attr]
                return tensor(grad=first_grad(args) if state.grad_enabled else None)
            return UNKNOWN
        if callee.kind is not Kind.API or callee.qualname is None:
            return UNKNOWN
        qualname = callee.qualname
        if qualname.startswith("builtins."):
            name = qualname[len("builtins."):]
            if name == "range":
                return Value(Kind.CONTAINER, element=NUMBER)
            if name in BUILTIN_ITERATORS:
                return self._builtin_iteration(name, node, args)
            if name in BUILTIN_CONTAINERS:
                element = args[0][1] if args else None
                inner = element.element if element is not None and element.kind in (Kind.CONTAINER, Kind.TENSORS) else None
                return Value(Kind.CONTAINER, element=inner)
            return NUMBER if name in NUMBER_BUILTINS else OTHER
        if not torch_api.is_torch(qualname):
            return OTHER if qualname.split(".")[0] in ("numpy", "math", "random", "os", "sys", "json") else UNKNOWN
        return self._torch_call(qualname, node, args, state)

    def _torch_call(self, qualname: str, node: cst.Call, args, state: State) -> Value:
        site = state.site.statement if state.site else None
        keywords = {name: value for name, value in args if name not in (None, "*", "**")}
        requires_grad = true_flag(node, "requires_grad", None) is not None
        if qualname in ("torch.autograd.backward", "torch.autograd.grad") and true_flag(node, "retain_graph", None) is None:
            self._graph_freed(state)
            return OTHER if qualname.endswith("backward") else Value(Kind.TENSORS, element=tensor())
        if qualname in torch_api.GRAD_OFF or qualname in torch_api.GRAD_ON or qualname in torch_api.GRAD_SET:
            return Value(Kind.OTHER, qualname=grad_mode_tag(qualname, node))
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
        if qualname in IDENTITY_FUNCTIONS:
            return self._identity_call(qualname, node, args, state)
        if qualname in MODULE_CONTAINERS:
            return self._container_module(qualname, node, args)
        if torch_api.is_nn_module_class(qualname) or qualname in torch_api.MODULE_BASES:
            param = torch_data.module_inplace_param(qualname)
            if param is not None and param.honours_inplace and true_flag(node, "inplace", param.position) is not None:
                return Value(Kind.MODULE, qualname=qualname, inplace_constructor=node)
            return Value(Kind.MODULE, qualname=qualname)
        if qualname in torch_api.TENSOR_CLASSES:
            return tensor(dtype=torch_api.DEFAULT_FLOAT if qualname != "torch.LongTensor" else "int64")
        dtype = dtype_of(keywords.get("dtype"))
        if qualname.startswith("torch.") and qualname[len("torch."):] in SPLITTING_METHODS:
            source = dotted_name(node.args[0].value) if node.args else None
            base = args[0][1] if args else UNKNOWN
            element = fresh(base).with_(
                alias=Reason(
                    f"it is one of several views returned by `{qualname.split('.')[-1]}` of `{source or 'a tensor'}`"
                    + NEVER_RAN.format(base=source or "the tensor"),
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
            grad = first_grad(args)
        if requires_grad:
            grad = Reason("{name} (created with requires_grad=True, line {line})", site)
            leaf = Reason("{name} is a leaf created with requires_grad=True")
        if dtype is None:
            dtype = factory_dtype(qualname, node, args)
        if kind == "tensors" or (kind == "mixed" and has_dim_argument(node)):
            result = values_and_indices(qualname, Value(Kind.TENSORS, element=tensor(grad=grad, dtype=dtype)))
        elif torch_api.is_factory(qualname):
            # A new tensor never inherits requires_grad from its arguments (empty_like(mu)).
            return tensor(grad=grad if requires_grad else None, leaf=leaf, dtype=dtype)
        elif torch_data.function_view_kind(qualname) in ("view", "may_alias") and args and args[0][1].kind is Kind.TENSOR:
            source = describe(node.args[0].value)
            result = view_value(args[0][1].with_(grad=grad), source, f"`{qualname}`", state)
        else:
            result = tensor(grad=grad or container_grad(args, state), dtype=dtype or common_dtype(args), leaf=leaf)
        positional, keywords = split_args(node, args)
        function_param = torch_data.functional_inplace_param(qualname)
        inplace = qualname.endswith("_") or (
            function_param is not None and true_flag(node, "inplace", function_param.position) is not None
        )
        if inplace and positional and positional[0][1].kind is Kind.TENSOR:
            result = positional[0][1].with_(grad=result.grad)  # it returns its argument, changed
        return self._note_saves("function", qualname, qualname, positional, keywords, result, state, inplace)

    def _identity_call(self, qualname: str, node: cst.Call, args, state: State) -> Value:
        """Calls that return their argument itself: torch.jit.annotate(T, x), Variable(x)."""
        positional = [value for keyword, value in args if keyword is None]
        index = IDENTITY_FUNCTIONS[qualname]
        if len(positional) <= index:
            return UNKNOWN
        value = positional[index]
        if qualname in VARIABLE and value.kind is Kind.TENSOR and true_flag(node, "requires_grad", 1) is not None:
            site = state.site.statement if state.site else None
            return value.with_(
                grad=Reason("{name} (a Variable created with requires_grad=True, line {line})", site),
                leaf=Reason("{name} is a leaf created with requires_grad=True"), obj=None,
            )
        return value

    def _tensor_method(self, receiver: Value, func: cst.Attribute, node: cst.Call, args, state: State) -> Value:
        name = func.attr.value
        source = describe(func.value)
        grad = (receiver.grad or first_grad(gradient_arguments(name, args))) if state.grad_enabled else receiver.grad
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
            self._note_change(receiver, node, state)
            mutated = receiver.with_(grad=grad)
            positional, keywords = split_args(node, args)
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
                dtype = dtype_of(args[0][1]) or dtype_of(dict(args).get("dtype"))
            may_alias = Reason(f"`{source}.{name}()` may return `{source}` itself")
            return receiver.with_(grad=grad, dtype=dtype, obj=None, alias=may_alias, view_of=source,
                                  leaf=None, is_parameter=False)
        if name in torch_api.MAY_RETURN_SELF:
            return receiver.with_(grad=grad, obj=None, alias=Reason(f"`{source}.{name}()` may return `{source}` itself"),
                                  view_of=source, leaf=None, is_parameter=False)
        kind = torch_api.method_return_kind(name)
        if kind is None or kind == "other":
            return OTHER if kind == "other" else UNKNOWN
        if kind == "tensors" or (kind == "mixed" and has_dim_argument(node)):
            if name in SPLITTING_METHODS:
                element = fresh(receiver).with_(
                    grad=grad, view_of=source, multi_view=name in MULTI_OUTPUT_VIEWS, saved_by=receiver.saved_by,
                    leaf_view=receiver.leaf or receiver.leaf_view,
                    alias=Reason(f"it is one of several views returned by `{source}.{name}()`" + NEVER_RAN.format(base=source)),
                )
                if name in MULTI_OUTPUT_VIEWS:
                    self._mark_multi_view_base(func.value, f"{source}.{name}()", state)
            else:
                element = tensor(grad=grad if state.grad_enabled else None, dtype=receiver.dtype)
            positional, keywords = split_args(node, args)
            return self._note_saves(
                "method", name, f"`{source}.{name}()`", [(func.value, receiver), *positional], keywords,
                values_and_indices(name, Value(Kind.TENSORS, element=element)), state,
            )
        view = torch_api.view_kind(name)
        if view in ("view", "may_alias", "multi_view"):
            return view_value(receiver.with_(grad=grad), source, f"`{source}.{name}()`", state)
        dtype = receiver.dtype if name in torch_api.KEEPS_RECEIVER_DTYPE or same_dtype_args(receiver, args) else None
        if name in ("eq", "ne", "lt", "le", "gt", "ge", "isnan", "isinf", "isfinite", "logical_not",
                    "logical_and", "logical_or", "logical_xor", "bool"):
            dtype = "bool"
        elif name in torch_api.INTEGER_RESULT_NAMES:
            dtype = "int64"
        # A new tensor computed under no_grad does not require grad.
        result = tensor(grad=grad if state.grad_enabled else None, dtype=dtype)
        positional, keywords = split_args(node, args)
        return self._note_saves(
            "method", name, f"`{source}.{name}()`", [(func.value, receiver), *positional], keywords, result, state
        )


def values_and_indices(name: str, result: Value) -> Value:
    """``values, indices = x.topk(k)``: the second is an int64 tensor that never requires grad."""
    if name.rpartition(".")[2] not in torch_api.VALUES_AND_INDICES or result.element is None:
        return result
    return result.with_(items=(result.element, tensor(dtype="int64")))
