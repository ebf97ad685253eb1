import torch
from torch import nn

lin = nn.Linear(3, 3)
out = lin(torch.randn(2, 3))
memory = out.detach().clone()
memory.mul_(0.9)
memory[0] = 0.0
out.sum().backward()
