import torch
from torch import nn


class ZeroFirst(nn.Module):
    def forward(self, x):
        x = x.clone()
        x[:, 0] = 0.0
        return x * 2
