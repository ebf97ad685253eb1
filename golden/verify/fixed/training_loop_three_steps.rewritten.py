# expected-verdict: fixed
# three SGD steps; `h.mul_(0.5)` changes what sigmoid saved, so the first backward raises.
import torch
from torch import nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 8), nn.Sigmoid())
head = nn.Linear(8, 1)
opt = torch.optim.SGD([*model.parameters(), *head.parameters()], lr=0.1)
data = torch.randn(3, 5, 4)
for step in range(3):
    opt.zero_grad()
    h = model(data[step])
    h = h * 0.5
    loss = head(h).square().mean()
    loss.backward()
    opt.step()
    print(step, loss.item())
