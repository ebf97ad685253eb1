import torch
import torch.nn as nn
class Warp(nn.Module):
    def __init__(self, mode):
        super().__init__()
        self.mode = mode
    def forward(self, x):
        if self.mode == "exp":
            y = torch.exp(x)
        y = y + 1.0               # expect IPF002: exp saved y
        return y
Warp("exp")(torch.randn(3, requires_grad=True)).sum().backward()
