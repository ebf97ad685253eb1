import torch
import torch.nn as nn
class Base(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(n))
class Child(Base):
    def __init__(self):
        super().__init__(4)
        self.extra = nn.Linear(4, 4)
    def forward(self, x):
        with torch.no_grad():
            self.scale[0] = 2.0       # expect IPF006: view of leaf Parameter
        return self.extra(x) * self.scale
Child()(torch.randn(2, 4))
