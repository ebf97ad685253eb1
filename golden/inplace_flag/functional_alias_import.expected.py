import torch
from torch.nn import functional as Fn

x = torch.randn(4, requires_grad=True)
h = x.exp()
h = Fn.elu(h, alpha=1.0)
h.sum().backward()
