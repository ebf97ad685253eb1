import torch
import torch.nn.functional as F

x = torch.randn(4, requires_grad=True)
h = x * 2
F.leaky_relu_(h, 0.2)
h.sum().backward()
