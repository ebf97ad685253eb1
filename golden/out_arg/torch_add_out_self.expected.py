import torch

x = torch.randn(3, requires_grad=True)
a = x * 2
b = torch.ones(3)
a = torch.add(a, b)
a.sum().backward()
print(x.grad)
