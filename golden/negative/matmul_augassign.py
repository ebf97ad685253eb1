import torch

x = torch.randn(2, 3, requires_grad=True)
w = torch.randn(3, 3)
h = x * 2
# @= has no in-place form on tensors: it rebinds h to h @ w.
h @= w
h.sum().backward()
