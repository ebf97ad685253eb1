import torch
from torch import nn


class Tracker(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(3, 3)

    def forward(self, x):
        # A comparison result is bool: it never requires grad and nothing here saves it.
        self.active = self.lin(x) > 0
        self.active |= x > 1
        return self.active
