import torch
import torch.nn as nn

# torch 2.13: raises ("is at version 2; expected version 1"): g_loss went through D before
# D's step, and its backward needs what D saved.
torch.manual_seed(0)
G = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
D = nn.Sequential(nn.Linear(3, 8), nn.LeakyReLU(0.2), nn.Linear(8, 1))
g_opt = torch.optim.SGD(G.parameters(), lr=0.01)
d_opt = torch.optim.SGD(D.parameters(), lr=0.01)
bce = nn.BCEWithLogitsLoss()
real = torch.randn(5, 3)
for step in range(2):
    fake = G(torch.randn(5, 4))
    d_loss = bce(D(real), torch.ones(5, 1)) + bce(D(fake.detach()), torch.zeros(5, 1))
    g_loss = bce(D(fake), torch.ones(5, 1))
    d_opt.zero_grad()
    d_loss.backward()
    g_opt.zero_grad()
    g_loss.backward()
    d_opt.step()
    g_opt.step()
