import torch

x = torch.randn(3, requires_grad=True)
h = x * 2
h.mul_(2)  # noqa: IPF002
h = h + 1
h.sum().backward()
