import torch

x = torch.randn(3, requires_grad=True)
h = x * 0.5
z = torch.exp_(h)
(z * h).sum().backward()
print(x.grad)
