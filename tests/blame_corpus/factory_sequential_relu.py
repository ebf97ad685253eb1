# category: breaks-backward
# static-sees-flag
import torch
from torch import nn


def mlp(widths):
    layers = []
    for a, b in zip(widths, widths[1:]):
        layers += [nn.Linear(a, b), nn.Sigmoid(), nn.ReLU(inplace=True)]  # <- blame:factory_sequential_relu
    return nn.Sequential(*layers)


net = mlp([3, 5, 2])
net(torch.randn(4, 3)).sum().backward()
