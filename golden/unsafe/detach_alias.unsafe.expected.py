import torch

x = torch.randn(3, requires_grad=True)
h = x * 2
snapshot = h.detach()
h = h + 1
print(snapshot)
h.sum().backward()
