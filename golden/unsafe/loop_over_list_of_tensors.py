import torch
from torch import nn

lin = nn.Linear(2, 2)
outs = [lin(torch.randn(1, 2)) for _ in range(3)]
for out in outs:
    out.mul_(2)
sum(o.sum() for o in outs).backward()
