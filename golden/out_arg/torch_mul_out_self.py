import torch

x = torch.randn(3, requires_grad=True)
h = x.exp()
torch.mul(h, 2, out=h)
h.sum().backward()
