import torch
from torch import nn


class AddOne(nn.Module):
    def forward(self, x):
        x = x + 1
        return x


x = torch.randn(3, requires_grad=True)
AddOne()(x * 2).sum().backward()
