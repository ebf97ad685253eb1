import torch

x = torch.randn(6, requires_grad=True)
h = x * 2
mask = h < 0
h = h.masked_fill(mask, 0)
h.sum().backward()
print(x.grad)
