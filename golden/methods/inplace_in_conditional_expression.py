# Report only: the in-place call runs on one branch of a conditional expression; rebinding `x`
# before the statement would run on both, and the other branch would multiply twice.
import torch
import torch.nn as nn


class LayerScale(nn.Module):
    def __init__(self, dim, inplace=False):
        super().__init__()
        self.inplace = inplace
        self.gamma = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x.mul_(self.gamma) if self.inplace else x * self.gamma
