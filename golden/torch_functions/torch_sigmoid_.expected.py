import torch

x = torch.randn(4, requires_grad=True)
h = x.exp()
h = torch.sigmoid(h)
h.sum().backward()
print(x.grad)
