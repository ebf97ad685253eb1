import torch

x = torch.randn(3, requires_grad=True)
a = x * 2
b = torch.ones(3)
torch.add(a, b, out=a)
a.sum().backward()
print(x.grad)
