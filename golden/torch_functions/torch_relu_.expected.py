import torch

x = torch.randn(4, requires_grad=True)
h = x * 2
h = torch.relu(h)
h.sum().backward()
print(x.grad)
