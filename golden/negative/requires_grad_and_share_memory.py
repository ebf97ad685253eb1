import torch
from torch import nn

w = torch.randn(3).requires_grad_()
model = nn.Linear(3, 3)
model.requires_grad_(False)
shared = torch.zeros(3)
shared.share_memory_()
(w * 2).sum().backward()
