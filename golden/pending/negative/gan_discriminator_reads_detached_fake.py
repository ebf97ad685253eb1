import torch
import torch.nn as nn

# torch 2.13: runs: the discriminator reads fake.detach(), so d_loss.backward() stops at fake
# and never needs what G(z) saved (the fix of ../gan_discriminator_loss_on_undetached_fake.py).
torch.manual_seed(0)
G = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
D = nn.Sequential(nn.Linear(3, 8), nn.LeakyReLU(0.2), nn.Linear(8, 1))
g_opt = torch.optim.Adam(G.parameters(), lr=1e-3)
d_opt = torch.optim.Adam(D.parameters(), lr=1e-3)
bce = nn.BCEWithLogitsLoss()
for step in range(2):
    real = torch.randn(5, 3)
    fake = G(torch.randn(5, 4))
    g_loss = bce(D(fake), torch.ones(5, 1))
    g_opt.zero_grad()
    g_loss.backward(retain_graph=True)
    g_opt.step()
    d_loss = bce(D(real), torch.ones(5, 1)) + bce(D(fake.detach()), torch.zeros(5, 1))
    d_opt.zero_grad()
    d_loss.backward()
    d_opt.step()
