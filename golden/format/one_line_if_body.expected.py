import torch

x = torch.randn(3, requires_grad=True)
h = x * 2
if h.mean() > 0: h = h * -1
h.sum().backward()
