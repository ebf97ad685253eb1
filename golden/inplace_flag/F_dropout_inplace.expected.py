import torch
from torch import nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(8, 8)

    def forward(self, x):
        h = self.lin(x)
        h = F.dropout(h, p=0.1, training=self.training)
        return h


Block()(torch.randn(2, 8)).sum().backward()
