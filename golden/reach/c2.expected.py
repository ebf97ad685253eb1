import torch
import torch.nn as nn
class Towers(nn.Module):
    def __init__(self):
        super().__init__()
        self.heads = nn.ModuleList([nn.Linear(5, 5), nn.Linear(5, 5)])
    def forward(self, x):
        outs = []
        for k, head in enumerate(self.heads):
            z = torch.sigmoid(head(x))
            z = z * (k + 1)         # expect IPF002: sigmoid saved z
            outs.append(z)
        return sum(outs)
Towers()(torch.randn(2, 5)).sum().backward()
