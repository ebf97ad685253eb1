import torch

x = torch.randn(3, requires_grad=True)
h = x.exp()
h = torch.mul(h, 2)
h.sum().backward()
