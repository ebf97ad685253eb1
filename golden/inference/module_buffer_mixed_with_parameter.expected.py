import torch
from torch import nn


class Shifted(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(3))
        self.register_buffer("offset", torch.zeros(3))

    def forward(self, x):
        shifted = self.offset * self.weight
        shifted = shifted + x
        return shifted


Shifted()(torch.randn(3)).sum().backward()
