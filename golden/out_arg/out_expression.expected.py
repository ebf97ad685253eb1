import torch

x = torch.randn(3, requires_grad=True)
h = x * 2
h = torch.sigmoid(h)
z = h
z.sum().backward()
