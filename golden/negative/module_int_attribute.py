import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 2)
        self.calls = 0
        self.scale = 1.0

    def forward(self, x):
        self.calls += 1
        self.scale *= 0.99
        return self.fc(x) * self.scale
