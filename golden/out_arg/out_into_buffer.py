import torch

x = torch.randn(3, requires_grad=True)
buf = torch.empty(3)
torch.exp(x, out=buf)
buf.sum().backward()
