# expect: no breaks-backward. The last layer's output is not saved by relu (only the others are): the write is at most in-gradient-path.
import torch
import torch.nn as nn
class Head(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(4, 4) for _ in range(3)])
    def forward(self, x):
        for i, layer in enumerate(self.layers):
            x = torch.relu(layer(x)) if i < 2 else layer(x)
        return x
ref = torch.randn(2, 4, requires_grad=True) * 1
out = Head()(torch.randn(2, 4))
out = out.clone()
out[..., :2] += ref[..., :2]
out.sum().backward()
