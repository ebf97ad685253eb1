import torch

x = torch.randn(2, 3, requires_grad=True)
h = x.reshape(3, 2).contiguous().float()
h = h * 2
h.sum().backward()
