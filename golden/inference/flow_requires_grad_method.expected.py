import torch

w = torch.randn(3).requires_grad_()
h = w * 2
h = h + 1
h.sum().backward()
