import torch
from torch import nn

net = nn.Linear(2, 2)


def step(batch):
    out = net(batch)
    out = out ** 2
    return out.mean()


step(torch.randn(4, 2)).backward()
