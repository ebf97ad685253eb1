import torch
from torch import nn


# `_tie` runs only from __init__: no graph can be pending there.
class Tied(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Linear(3, 3)
        self.decoder = nn.Linear(3, 3)
        self._tie()

    def _tie(self):
        warm = self.encoder(torch.ones(1, 3))
        self.decoder.weight.data = self.encoder.weight.data.t() * warm.detach().mean()

    def forward(self, x):
        return self.decoder(self.encoder(x))


Tied()(torch.randn(2, 3, requires_grad=True)).sum().backward()
