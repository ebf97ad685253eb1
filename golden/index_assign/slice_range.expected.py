import torch

x = torch.randn(5, requires_grad=True)
h = x * 2
h = h.clone()
h[1:3] = torch.tensor([0.0, 0.0])
h.sum().backward()
