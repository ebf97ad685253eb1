import torch

x = torch.randn(6, requires_grad=True)
h = x * 2
first, rest = h.split([2, 4])
rest = rest * 0.5
h.sum().backward()
