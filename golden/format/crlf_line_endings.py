import torch

x = torch.randn(3, requires_grad=True)
h = x * 2
h *= 3  # scale
h.add_(1)
h.sum().backward()
