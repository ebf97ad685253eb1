import torch
import torch.nn as nn

# torch 2.13: raises ("is at version 2; expected version 1"): g_loss went through D, then
# train_discriminator() steps D's optimizer (line 18) before g_loss.backward().
torch.manual_seed(0)
G = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
D = nn.Sequential(nn.Linear(3, 8), nn.LeakyReLU(0.2), nn.Linear(8, 1))
g_opt = torch.optim.Adam(G.parameters(), lr=1e-3)
d_opt = torch.optim.Adam(D.parameters(), lr=1e-3)
bce = nn.BCEWithLogitsLoss()


def train_discriminator(real, fake):
    d_loss = bce(D(real), torch.ones(len(real), 1)) + bce(D(fake), torch.zeros(len(fake), 1))
    d_opt.zero_grad()
    d_loss.backward()
    d_opt.step()
    return d_loss.item()


for step in range(2):
    real = torch.randn(5, 3)
    fake = G(torch.randn(5, 4))
    g_loss = bce(D(fake), torch.ones(5, 1))
    train_discriminator(real, fake.detach())
    g_opt.zero_grad()
    g_loss.backward()
    g_opt.step()
