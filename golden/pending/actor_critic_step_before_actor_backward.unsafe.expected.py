import torch
import torch.nn as nn

# torch 2.13: raises: the actor's loss went through the critic, whose step runs before the
# actor's backward.
torch.manual_seed(0)
actor = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 2))
critic = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 1))
actor_opt = torch.optim.Adam(actor.parameters(), lr=1e-3)
critic_opt = torch.optim.Adam(critic.parameters(), lr=1e-3)
state = torch.randn(8, 4)
target = torch.randn(8, 1)
action = actor(state)
value = critic(torch.cat([state, action], dim=1))
critic_loss = (value - target).pow(2).mean()
actor_loss = -value.mean()
critic_opt.zero_grad()
critic_loss.backward(retain_graph=True)
actor_opt.zero_grad()
actor_loss.backward()
critic_opt.step()
actor_opt.step()
