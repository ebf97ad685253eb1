import torch

x = torch.randn(3, requires_grad=True)
buf = torch.empty(3)
buf = torch.exp(x)
buf.sum().backward()
