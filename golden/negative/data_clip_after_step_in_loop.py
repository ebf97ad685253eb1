import torch
from torch import nn

# WGAN clipping done right: after backward and the step, through .data.
critic = nn.Linear(3, 1)
opt = torch.optim.RMSprop(critic.parameters(), lr=5e-5)
for step in range(3):
    loss = critic(torch.randn(4, 3)).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    for p in critic.parameters():
        p.data.clamp_(-0.01, 0.01)
