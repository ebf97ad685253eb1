import torch

x = torch.randn(8, requires_grad=True)
h = x * 1
torch.dropout_(h, 0.5, True)
h.sum().backward()
