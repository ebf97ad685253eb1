import torch

x = torch.randn(3, requires_grad=True)
h = x * 0.5
h = torch.exp(h)
z = h
(z * h).sum().backward()
print(x.grad)
