import torch

x = torch.randn(4, 3, requires_grad=True)
h = x.tanh()
h = h.clone()
h[0] = torch.ones(3)
h.sum().backward()
