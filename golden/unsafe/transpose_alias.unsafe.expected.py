import torch

x = torch.randn(2, 3, requires_grad=True)
h = x * 2
ht = h.T
ht = ht * 0.5
h.sum().backward()
