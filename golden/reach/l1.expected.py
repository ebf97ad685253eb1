import torch
import torch.nn as nn
class Outer(nn.Module):
    def __init__(self):
        super().__init__()
        self.inner = Inner()
    def forward(self, x):
        y = self.inner(x)
        y = y + 1                    # expect IPF001: module output (relu saved it)
        return y
class Inner(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 3)
    def forward(self, x):
        return torch.relu(self.fc(x))
Outer()(torch.randn(2, 3)).sum().backward()
