import torch

w = torch.randn(3, requires_grad=True)
(w * 2).sum().backward()
w.grad.zero_()
