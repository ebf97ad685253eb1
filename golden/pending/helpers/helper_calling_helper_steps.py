import torch
import torch.nn as nn

# torch 2.13: raises: update_critic() calls apply_step(), whose opt.step() (line 12) changes the
# critic's weights that the actor loss's forward saved, before actor_loss.backward().
torch.manual_seed(0)
actor = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 2))
critic = nn.Sequential(nn.Linear(6, 8), nn.Tanh(), nn.Linear(8, 1))


def apply_step(opt):
    opt.step()


def update_critic(opt, loss):
    opt.zero_grad()
    loss.backward(retain_graph=True)
    apply_step(opt)


actor_opt = torch.optim.SGD(actor.parameters(), lr=0.01)
critic_opt = torch.optim.SGD(critic.parameters(), lr=0.01)
state = torch.randn(5, 4)
action = actor(state)
value = critic(torch.cat([state, action], dim=1))
critic_loss = (value - torch.ones(5, 1)).pow(2).mean()
actor_loss = -value.mean()
update_critic(critic_opt, critic_loss)
actor_opt.zero_grad()
actor_loss.backward()
