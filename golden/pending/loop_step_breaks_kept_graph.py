import torch
import torch.nn as nn

# torch 2.13: raises: `total` keeps the graph of every iteration for the backward after the loop,
# and each iteration's step changes the weights those graphs saved.
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
opt = torch.optim.SGD(model.parameters(), lr=0.1)
total = 0.0
for step in range(3):
    loss = model(torch.randn(2, 3)).sum()
    total = total + loss
    opt.zero_grad()
    loss.backward(retain_graph=True)
    opt.step()
total.backward()
