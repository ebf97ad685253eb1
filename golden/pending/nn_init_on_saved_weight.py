import torch
import torch.nn as nn

# torch 2.13: raises: nn.init.xavier_uniform_ rewrites the second layer's weight in place after
# the forward saved it (the first layer's output requires grad, so the second Linear saves its
# weight), before the backward that needs it.
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1))
loss = model(torch.randn(4, 3)).sum()
nn.init.xavier_uniform_(model[2].weight)
loss.backward()
