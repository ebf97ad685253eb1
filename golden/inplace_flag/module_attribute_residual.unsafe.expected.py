import torch
from torch import nn


class Residual(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(4, 4)
        self.act = nn.ReLU()

    def forward(self, x):
        h = self.lin(x)
        return self.act(h) + h


Residual()(torch.randn(2, 4)).sum().backward()
