import torch
import torch.nn as nn

# torch 2.13: runs: a Linear never saves its bias.
lin = nn.Linear(3, 1)
x = torch.randn(2, 3, requires_grad=True)
loss = lin(x).sum()
with torch.no_grad():
    lin.bias.zero_()
loss.backward()
