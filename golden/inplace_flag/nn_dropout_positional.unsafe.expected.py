import torch
from torch import nn

drop = nn.Dropout(0.1)
lin = nn.Linear(4, 4)
y = drop(lin(torch.randn(2, 4)))
y.sum().backward()
