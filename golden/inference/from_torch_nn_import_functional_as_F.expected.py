import torch
from torch.nn import functional as F

x = torch.randn(5, requires_grad=True)
h = x.sigmoid()
h = F.relu(h)
h.sum().backward()
