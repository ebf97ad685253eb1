import torch

x = torch.randn(3, requires_grad=True)
h = x * 2
h = h + (x.exp() \
    + 1.0)
h.sum().backward()
