import torch
from torch import nn

layers = [nn.Linear(4, 4), nn.SiLU(), nn.ELU(alpha=0.5)]
x = torch.randn(2, 4)
for layer in layers:
    x = layer(x)
x.sum().backward()
