import torch

x = torch.randn(3, requires_grad=True)
y = x.sigmoid()
y = y.clone()
y[0] = 0
y.sum().backward()
