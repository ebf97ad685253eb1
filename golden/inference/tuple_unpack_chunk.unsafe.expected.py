import torch
from torch import nn

proj = nn.Linear(4, 8)
gate, value = torch.chunk(proj(torch.randn(2, 4)), 2, dim=-1)
gate = gate.sigmoid()
(gate * value).sum().backward()
