import torch

x = torch.randn(4, requires_grad=True)
h = x.sigmoid()
h.data *= 0
h.sum().backward()
print(x.grad)
