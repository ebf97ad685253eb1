import torch
from torch import nn


class Scaled(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(2, 2)
        self.register_buffer("scale", torch.ones(2))

    def forward(self, x):
        y = self.lin(x) * self.scale
        # mul saved self.scale for backward: this makes backward() raise.
        self.scale.mul_(0.5)
        return y


Scaled()(torch.randn(1, 2)).sum().backward()
