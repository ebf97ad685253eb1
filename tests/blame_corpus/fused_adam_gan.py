# category: silent-wrong-gradient
# static-reaches: IPF009 sees the step before the second backward, and that the optimizer is fused
import torch
from torch import nn

torch.manual_seed(0)
G = nn.Linear(2, 2)
D = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1))
g_opt = torch.optim.Adam(G.parameters())
d_opt = torch.optim.Adam(D.parameters(), fused=True)
fake = G(torch.randn(8, 2))
d_loss = D(fake.detach()).mean() - D(torch.randn(8, 2)).mean()
g_loss = -D(fake).mean()
d_opt.zero_grad()
d_loss.backward()
d_opt.step()  # <- blame:fused_adam_gan
g_opt.zero_grad()
g_loss.backward()
g_opt.step()
