import torch
from torch import nn

critic = nn.Linear(3, 1)
opt = torch.optim.SGD(critic.parameters(), lr=0.01)
critic(torch.randn(4, 3)).mean().backward()
opt.step()
opt.zero_grad()
with torch.no_grad():
    for p in critic.parameters():
        p.clamp_(-0.01, 0.01)
