import torch
import torch.nn as nn

# torch 2.13: runs: D's loss reads G's output detached, so G's step cannot touch its graph.
torch.manual_seed(0)
G = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
D = nn.Sequential(nn.Linear(3, 8), nn.LeakyReLU(0.2), nn.Linear(8, 1))
g_opt = torch.optim.SGD(G.parameters(), lr=0.01)
fake = G(torch.randn(5, 4))
d_loss = D(fake.detach()).mean()
g_loss = -fake.pow(2).mean()
g_loss.backward()
g_opt.step()
d_loss.backward()
