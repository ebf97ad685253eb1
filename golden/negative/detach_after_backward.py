import torch

x = torch.randn(3, requires_grad=True)
y = x.exp()
y.sum().backward()
value = y.detach()
value.mul_(2)
print(value)
