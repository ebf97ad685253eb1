import torch
import torch.nn as nn

# torch 2.13: runs: the generator's loss is computed after D's step.
torch.manual_seed(0)
G = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
D = nn.Sequential(nn.Linear(3, 8), nn.LeakyReLU(0.2), nn.Linear(8, 1))
g_opt = torch.optim.SGD(G.parameters(), lr=0.01)
d_opt = torch.optim.SGD(D.parameters(), lr=0.01)
real = torch.randn(5, 3)
for step in range(2):
    fake = G(torch.randn(5, 4))
    d_loss = D(real).mean() - D(fake.detach()).mean()
    d_opt.zero_grad()
    d_loss.backward()
    d_opt.step()
    g_loss = -D(fake).mean()
    g_opt.zero_grad()
    g_loss.backward()
    g_opt.step()
