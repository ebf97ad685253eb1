import torch

x = torch.randn(3, 2, requires_grad=True)
h = x * 2
a, b, c = torch.unbind(h)
a = a + 1
(a + b + c).sum().backward()
