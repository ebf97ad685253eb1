import torch

x = torch.randn(3, requires_grad=True)
h = x * 2; h = h + 1; h = h * 2
h.sum().backward()
