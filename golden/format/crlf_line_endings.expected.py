import torch

x = torch.randn(3, requires_grad=True)
h = x * 2
h = h * 3  # scale
h = h + 1
h.sum().backward()
