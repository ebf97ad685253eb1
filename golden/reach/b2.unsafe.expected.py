import torch
import torch.nn as nn
class Heads(nn.Module):
    def __init__(self):
        super().__init__()
        self.qk = nn.Linear(4, 8)
    def _project(self, x):
        return self.qk(x).split(4, dim=-1)
    def forward(self, x):
        a, b = self._project(x)
        a = a / 2.0               # expect IPF002: one of split's views
        return a @ b.t()
Heads()(torch.randn(3, 4)).sum().backward()
