import torch

x = torch.randn(3, requires_grad=True)
y = x * 2
y *= 3  # inplace-fixer: ignore[IPF001]
y = y + 1
y.sum().backward()
