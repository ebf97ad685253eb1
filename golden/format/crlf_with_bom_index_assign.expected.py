import torch

x = torch.randn(3, requires_grad=True)
h = x * 2
h = h.masked_fill(h < 0, 0.0)
h.sum().backward()
