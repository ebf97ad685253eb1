import torch

x = torch.randn(3, requires_grad=True)
h = x * 2
before = h
h = h * 10
# `before` is the same tensor: it sees the change, and would not after a rewrite.
(before + h).sum().backward()
