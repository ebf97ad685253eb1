import torch

x = torch.randn(3, 3, requires_grad=True)
h = x * 2
h = h.clone()
h[1, 2] = 5.0
h.sum().backward()
