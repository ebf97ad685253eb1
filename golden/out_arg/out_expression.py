import torch

x = torch.randn(3, requires_grad=True)
h = x * 2
z = torch.sigmoid(h, out=h)
z.sum().backward()
