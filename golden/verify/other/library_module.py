# expected-verdict: not-runnable
# a library module: definitions only, nothing runs at top level.
import torch
import torch.nn as nn


class Scale(nn.Module):
    def __init__(self, factor):
        super().__init__()
        self.factor = factor

    def forward(self, x):
        x.mul_(self.factor)
        return x


def double(t):
    t *= 2
    return t
