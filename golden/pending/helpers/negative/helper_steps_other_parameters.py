import torch
import torch.nn as nn

# torch 2.13: runs: train_generator() steps G's optimizer, but the pending d_loss graph saved
# only D's weights (fake was detached), so its backward needs nothing G's step changed.
torch.manual_seed(0)
G = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
D = nn.Sequential(nn.Linear(3, 8), nn.LeakyReLU(0.2), nn.Linear(8, 1))
g_opt = torch.optim.SGD(G.parameters(), lr=0.01)
d_opt = torch.optim.SGD(D.parameters(), lr=0.01)


def train_generator(z):
    g_loss = -D(G(z)).mean()
    g_opt.zero_grad()
    g_loss.backward()
    g_opt.step()


fake = G(torch.randn(5, 4))
d_loss = D(fake.detach()).mean() - D(torch.randn(5, 3)).mean()
train_generator(torch.randn(5, 4))
d_opt.zero_grad()
d_loss.backward()
d_opt.step()
