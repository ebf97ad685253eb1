import torch
import torch.nn.functional as F

x = torch.randn(4, requires_grad=True)
h = x * 2
h = F.leaky_relu(h, 0.2)
h.sum().backward()
