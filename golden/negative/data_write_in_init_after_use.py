import torch
from torch import nn


# A .data write in __init__: no graph exists while the model is built, even after a dry run.
class Tied(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(3, 3)
        self.b = nn.Linear(3, 3)
        probe = self.a(torch.zeros(1, 3))
        self.b.weight.data.copy_(self.a.weight.data * probe.abs().mean())

    def forward(self, x):
        return self.b(self.a(x))


Tied()(torch.randn(2, 3, requires_grad=True)).sum().backward()
