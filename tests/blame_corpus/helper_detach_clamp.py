# category: breaks-backward
import torch
from torch import nn
from blame_helpers.ops import clip_weights

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
loss = model(torch.randn(5, 3)).pow(2).mean()
clip_weights(model, 0.1)  # weight clipping before, not after, backward
loss.backward()
