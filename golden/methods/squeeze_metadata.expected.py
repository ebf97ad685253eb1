import torch

x = torch.randn(1, 3, requires_grad=True)
h = x * 2
h = h.squeeze(0)
h.sum().backward()
print(x.grad)
