import torch
from torch import nn


class Tied(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(3, 3)
        self.b = nn.Linear(3, 3)

    def forward(self, x):
        self.b.weight.data.copy_(self.a.weight.data)
        return self.b(self.a(x))


Tied()(torch.randn(2, 3)).sum().backward()
