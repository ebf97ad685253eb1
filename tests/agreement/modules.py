"""Module-level corpus: ``nn.ReLU(inplace=True)`` around common layers, and residual adds.

Patterns, for each layer:
  after          y = layer(h); y = relu(y)            mutates the layer's output
  input          y = layer(h); relu(h)                mutates the layer's input after the call
  before         y = layer(relu(h))                   mutates h (the output of ``x * 1``) before
  residual-iadd  y = layer(h); y += h; y = relu(y)    torchvision's ``out += identity``
  residual-add   y = layer(h); y = y + h; y = relu(y) the out-of-place residual
Each case names the call whose saved tensors decide the verdict, so the reference predictor
reads the same data as for op programs. Inputs are float32, so layers need no dtype.
"""

from __future__ import annotations

from collections.abc import Iterator

from tests.agreement.corpus import MUTATION_LINE_MARK, Case, _values

# layer constructor (source), input shape, whether its output has the input's shape
LAYERS: dict[str, tuple[str, tuple[int, ...], bool]] = {
    "torch.nn.Linear": ("torch.nn.Linear(3, 3)", (2, 3), True),
    "torch.nn.Conv1d": ("torch.nn.Conv1d(2, 2, 3, padding=1)", (1, 2, 5), True),
    "torch.nn.Conv2d": ("torch.nn.Conv2d(2, 2, 3, padding=1)", (1, 2, 4, 4), True),
    "torch.nn.Conv3d": ("torch.nn.Conv3d(2, 2, 3, padding=1)", (1, 2, 3, 3, 3), True),
    "torch.nn.BatchNorm1d": ("torch.nn.BatchNorm1d(3)", (4, 3), True),
    "torch.nn.BatchNorm2d": ("torch.nn.BatchNorm2d(3)", (2, 3, 2, 2), True),
    "torch.nn.BatchNorm3d": ("torch.nn.BatchNorm3d(3)", (2, 3, 2, 2, 2), True),
    "torch.nn.LayerNorm": ("torch.nn.LayerNorm(3)", (2, 3), True),
    "torch.nn.GroupNorm": ("torch.nn.GroupNorm(2, 4)", (2, 4, 3), True),
    "torch.nn.Dropout": ("torch.nn.Dropout(0.5)", (2, 3), True),
    "torch.nn.Sigmoid": ("torch.nn.Sigmoid()", (2, 3), True),
    "torch.nn.Tanh": ("torch.nn.Tanh()", (2, 3), True),
    "torch.nn.GELU": ("torch.nn.GELU()", (2, 3), True),
    "torch.nn.SiLU": ("torch.nn.SiLU()", (2, 3), True),
    "torch.nn.ELU": ("torch.nn.ELU()", (2, 3), True),
    "torch.nn.LeakyReLU": ("torch.nn.LeakyReLU()", (2, 3), True),
    "torch.nn.Hardtanh": ("torch.nn.Hardtanh()", (2, 3), True),
    "torch.nn.ReLU6": ("torch.nn.ReLU6()", (2, 3), True),
    "torch.nn.ReLU": ("torch.nn.ReLU()", (2, 3), True),
    "torch.nn.Softmax": ("torch.nn.Softmax(dim=-1)", (2, 3), True),
    "torch.nn.LogSoftmax": ("torch.nn.LogSoftmax(dim=-1)", (2, 3), True),
    "torch.nn.Softplus": ("torch.nn.Softplus()", (2, 3), True),
    "torch.nn.Mish": ("torch.nn.Mish()", (2, 3), True),
    "torch.nn.Hardswish": ("torch.nn.Hardswish()", (2, 3), True),
    "torch.nn.PReLU": ("torch.nn.PReLU()", (2, 3), True),
    "torch.nn.Identity": ("torch.nn.Identity()", (2, 3), True),
}

# Parameters of the module call that require grad: its input and the module's own parameters.
_MODULE_GRAD = frozenset({"input", "weight", "bias"})


def _program(constructor: str, shape: tuple[int, ...], body: list[str]) -> str:
    lines = [
        "import torch",
        "torch.manual_seed(0)",
        f"layer = {constructor}",
        "relu = torch.nn.ReLU(inplace=True)",
        f"x = torch.tensor({_values(shape, 1)}, requires_grad=True)",
        "h = x * 1",
        *body,
        "loss = y.sum()",
        "loss.backward()",
    ]
    return "\n".join(lines) + "\n"


def _module_case(layer: str, pattern: str, role: str, source: str) -> Case:
    return Case(
        case_id=f"module:{layer}:{pattern}",
        source=source,
        kind="module",
        name=layer,
        args=("tensor",),
        inplace_flag=False,
        params=("input",),
        role=role,
        requires_grad=_MODULE_GRAD,
        leaves=frozenset(),  # h is not a leaf; the module's parameters are never mutated here
    )


def _operator_case(
    layer: str, pattern: str, symbol: str, args: tuple[str, ...], source: str
) -> Case:
    """A case decided by a plain operator's saves (what produced the mutated tensor)."""
    return Case(
        case_id=f"module:{layer}:{pattern}",
        source=source,
        kind="operator",
        name=symbol,
        args=args,
        inplace_flag=False,
        params=("left", "right"),
        role="output0",
        requires_grad=frozenset({"left", "right"}),
        leaves=frozenset(),
    )


def module_cases() -> Iterator[Case]:
    mark = f"  {MUTATION_LINE_MARK}"
    for layer, (constructor, shape, same_shape) in LAYERS.items():
        yield _module_case(
            layer,
            "after",
            "output0",
            _program(constructor, shape, ["y = layer(h)", f"y = relu(y){mark}"]),
        )
        yield _module_case(
            layer,
            "input",
            "input",
            _program(constructor, shape, ["y = layer(h)", f"relu(h){mark}"]),
        )
        yield _operator_case(
            layer,
            "before",
            "*",
            ("tensor", "number"),
            _program(constructor, shape, [f"y = layer(relu(h)){mark}"]),
        )
        if same_shape:
            yield _module_case(
                layer,
                "residual-iadd",
                "output0",
                _program(constructor, shape, ["y = layer(h)", f"y += h{mark}", "y = relu(y)"]),
            )
            yield _operator_case(
                layer,
                "residual-add",
                "+",
                ("tensor", "tensor"),
                _program(constructor, shape, ["y = layer(h)", "y = y + h", f"y = relu(y){mark}"]),
            )
