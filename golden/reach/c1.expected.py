import torch
import torch.nn as nn
class Stack(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList([nn.Sequential(nn.Linear(4, 4), nn.Tanh()) for _ in range(3)])
    def forward(self, x):
        for blk in self.blocks:
            y = blk(x)
            y = y + x                # expect IPF001: y is a module output (Tanh saved it)
            x = y
        return x
Stack()(torch.randn(2, 4)).sum().backward()
