import torch
import torch.nn.functional as F

x = torch.randn(4, requires_grad=True)
h = x * 2
h = F.relu(h)
h.sum().backward()
