import torch
from torch import nn


class Counting(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 2)
        self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long))

    def forward(self, x):
        self.num_batches_tracked += 1
        return self.fc(x)


Counting()(torch.randn(1, 2)).sum().backward()
