import torch

x = torch.randn(3, 4, requires_grad=True)
h = x * 2
values, indices = torch.max(h, dim=1)
values = values * 2
values.sum().backward()
