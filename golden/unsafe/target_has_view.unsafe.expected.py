import torch

x = torch.randn(2, 3, requires_grad=True)
h = x * 2
flat = h.view(-1)
h = h + 1
flat.sum().backward()
