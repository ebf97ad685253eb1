# category: breaks-backward
# static-reaches: IPF009 sees the change between the forward and its backward
import torch
from torch import nn

torch.manual_seed(0)
G = nn.Linear(2, 2)
D = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1))
g_opt = torch.optim.SGD(G.parameters(), lr=0.1)
d_opt = torch.optim.SGD(D.parameters(), lr=0.1)
for step in range(2):
    fake = G(torch.randn(8, 2))
    d_loss = D(fake.detach()).mean() - D(torch.randn(8, 2)).mean()
    g_loss = -D(fake).mean()
    d_opt.zero_grad()
    d_loss.backward()
    d_opt.step()  # <- blame:gan_step_before_second_backward
    g_opt.zero_grad()
    g_loss.backward()
    g_opt.step()
