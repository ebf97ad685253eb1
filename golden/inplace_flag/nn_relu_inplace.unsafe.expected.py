import torch
from torch import nn

act = nn.ReLU()
x = torch.randn(4, requires_grad=True)
y = act(x.sigmoid())
y.sum().backward()
