import torch
import torch.nn as nn
class Gate(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(6, 6)
    def _mix(self, h, extra):
        h = h * extra                # expect IPF001: h is sigmoid output
        return h
    def forward(self, x):
        h = torch.sigmoid(self.lin(x))
        return self._mix(h, 0.5)
Gate()(torch.randn(2, 6)).sum().backward()
