import torch

w = torch.randn(3).requires_grad_()
h = w * 2
h.add_(1)
h.sum().backward()
