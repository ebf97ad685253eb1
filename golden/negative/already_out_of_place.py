import torch
import torch.nn.functional as F

x = torch.randn(3, requires_grad=True)
h = x * 2
h = h * 3
h = h.add(1)
h = torch.relu(h)
h = F.relu(h)
h = h.clamp(min=0)
h = torch.where(h > 1, torch.zeros_like(h), h)
h.sum().backward()
