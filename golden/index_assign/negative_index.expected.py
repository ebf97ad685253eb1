import torch

x = torch.randn(4, requires_grad=True)
h = x * 2
h = h.clone()
h[-1] = 0.0
h.sum().backward()
