import torch

x = torch.randn(3, requires_grad=True)
y = x * 2
y = y * 3  # noqa: IPF002
y.sum().backward()
