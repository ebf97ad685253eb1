import torch

x = torch.randn(8, requires_grad=True)
h = x * 1
h = torch.dropout(h, 0.5, True)
h.sum().backward()
