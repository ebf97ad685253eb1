import torch
import torch.nn as nn

# torch 2.13: raises: the clipping runs under no_grad, yet it writes the weights the critic's
# forward saved, before their backward.
torch.manual_seed(0)
critic = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1))
opt = torch.optim.RMSprop(critic.parameters(), lr=5e-5)
real = torch.randn(4, 3)
loss = -critic(real).mean()
with torch.no_grad():
    for p in critic.parameters():
        p.clamp_(-0.01, 0.01)
opt.zero_grad()
loss.backward()
opt.step()
