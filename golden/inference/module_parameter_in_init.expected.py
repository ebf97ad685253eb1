import torch
from torch import nn


class Affine(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(n, n))
        self.bias = nn.Parameter(torch.zeros(n))

    def forward(self, x):
        h = x @ self.weight
        h = h + self.bias
        return h


Affine(3)(torch.randn(2, 3)).sum().backward()
