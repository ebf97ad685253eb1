import torch
import torch.nn as nn

# torch 2.13: raises: clip_weights() clamps the critic's weights under no_grad (line 12), after
# the critic's forward saved them and before the backward that needs them.
torch.manual_seed(0)


def clip_weights(model, c=0.01):
    with torch.no_grad():
        for p in model.parameters():
            p.clamp_(-c, c)


critic = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1))
opt = torch.optim.RMSprop(critic.parameters(), lr=5e-5)
for step in range(2):
    real = torch.randn(4, 3)
    loss = -critic(real).mean()
    clip_weights(critic)
    opt.zero_grad()
    loss.backward()
    opt.step()
