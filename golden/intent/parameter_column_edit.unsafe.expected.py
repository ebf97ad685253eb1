import torch
import torch.nn as nn


class Pruned(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(4, 3))

    def prune(self, k, v):
        # Raises: a view of a Parameter changed in place with grad mode on.
        with torch.no_grad():
            self.weight[:, k] -= v

    def forward(self, x):
        return x @ self.weight


model = Pruned()
model.prune(1, 0.5)
model(torch.randn(2, 4)).sum().backward()
