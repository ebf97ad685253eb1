import torch

x = torch.randn(2, 3, 4, requires_grad=True)
h = x + 1
h = h.clone()
h[..., 0] = 0.0
h.sum().backward()
