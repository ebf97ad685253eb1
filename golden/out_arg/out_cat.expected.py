import torch
from torch import nn

lin = nn.Linear(2, 2)
a = lin(torch.randn(1, 2))
b = lin(torch.randn(1, 2))
stacked = torch.empty(2, 2)
stacked = torch.cat([a, b], dim=0)
stacked.sum().backward()
