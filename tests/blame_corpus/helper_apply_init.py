# category: breaks-backward
import torch
from torch import nn
from blame_helpers.ops import reinit

model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
out = model(torch.randn(2, 3))
model.apply(reinit)
out.sum().backward()
