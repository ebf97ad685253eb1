import torch

x = torch.randn(4, requires_grad=True)
h = x * 2
parts = torch.chunk(h, 2)
parts[0].mul_(3)
h.sum().backward()
