import torch

x = torch.randn(4, 5, requires_grad=True)
h = x * 2
rows = torch.tensor([0, 2])
h = h.clone()
h[rows, 1:] = 0.0
h.sum().backward()
