import torch

x = torch.randn(2, 3, requires_grad=True)
h = x * 2
h = h.transpose(0, 1)
h.sum().backward()
print(x.grad)
