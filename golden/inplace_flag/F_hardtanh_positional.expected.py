import torch
import torch.nn.functional as F

x = torch.randn(4, requires_grad=True)
h = x * 3
h = F.hardtanh(h, -1.0, 1.0)
h.sum().backward()
