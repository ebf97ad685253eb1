import torch
from torch import nn

lin = nn.Linear(4, 4)
out = lin(torch.randn(2, 4))
out = out.relu()
out.sum().backward()
