import torch
from torch import nn


class Decay(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(3))

    def forward(self, x):
        # In-place on a leaf that requires grad raises; `self.weight = self.weight * 0.99`
        # would raise a TypeError instead (a Parameter cannot be assigned a plain tensor).
        with torch.no_grad():
            self.weight.mul_(0.99)
        return x * self.weight
