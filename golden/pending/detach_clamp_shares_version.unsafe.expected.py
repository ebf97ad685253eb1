import torch
import torch.nn as nn

# torch 2.13: raises: a detached tensor shares the version counter of the weight.
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
loss = model(torch.randn(2, 3)).sum()
loss.backward()
model[2].weight.detach().clamp_(-0.1, 0.1)
