import torch
import torch.nn as nn

# torch 2.13: runs: a Linear saves its weight only when its input requires grad; raw data does not.
lin = nn.Linear(3, 1)
opt = torch.optim.SGD(lin.parameters(), lr=0.1)
out = lin(torch.randn(2, 3))
opt.step()
out.sum().backward()
