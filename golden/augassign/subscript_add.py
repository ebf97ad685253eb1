import torch

x = torch.randn(4, requires_grad=True)
h = x * 2
h[0] += 1.0
h.sum().backward()
print(x.grad)
