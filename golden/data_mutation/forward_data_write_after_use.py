import torch
from torch import nn


# Runs, with a silently wrong gradient: Linear saved its weight (its input requires grad), and
# the .data write changes it before backward.
class Decaying(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 3)

    def forward(self, x):
        y = self.fc(x)
        self.fc.weight.data.mul_(0.5)
        return self.fc(y)


x = torch.randn(2, 3, requires_grad=True)
Decaying()(x).sum().backward()
