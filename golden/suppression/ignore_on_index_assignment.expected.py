import torch

x = torch.randn(3, requires_grad=True)
h = x * 2
h[0] = 0.0  # inplace-fixer: ignore[IPF006]
h = h.clamp(min=0)
h.sum().backward()
