import torch
from torch import relu_

x = torch.randn(4, requires_grad=True)
h = x + 1
h = torch.relu(h)
h.sum().backward()
