import torch
import torch.nn as nn

# torch 2.13: raises: generator_loss() runs D on fake, so g_loss saved D's weights; d_opt.step()
# changes them before g_loss.backward().
torch.manual_seed(0)
G = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
D = nn.Sequential(nn.Linear(3, 8), nn.LeakyReLU(0.2), nn.Linear(8, 1))
d_opt = torch.optim.SGD(D.parameters(), lr=0.01)


def generator_loss(critic, fake):
    return -critic(fake).mean()


fake = G(torch.randn(5, 4))
g_loss = generator_loss(D, fake)
d_loss = D(torch.randn(5, 3)).mean() - D(fake.detach()).mean()
d_loss.backward()
d_opt.step()
g_loss.backward()
