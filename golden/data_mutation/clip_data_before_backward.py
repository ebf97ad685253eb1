import torch
from torch import nn

# Runs, with silently wrong gradients: the critic's weights are clipped through .data between the
# forward that used them and its backward (the clipping belongs after opt.step()).
critic = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1))
x = torch.randn(4, 3, requires_grad=True)
loss = critic(x).mean()
for p in critic.parameters():
    p.data.clamp_(-0.01, 0.01)
loss.backward()
