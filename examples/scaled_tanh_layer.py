# A custom layer that scales a tanh activation by a learned per-feature weight, in place to
# save memory. What torch really does: tanh saves its output for backward, `h.mul_(self.scale)`
# overwrites it, and backward() raises "... which is output 0 of Tanh, is at version 1;
# expected version 0 instead."
import torch
import torch.nn as nn


class ScaledTanh(nn.Module):
    def __init__(self, in_features: int, out_features: int):
        super().__init__()
        self.fc = nn.Linear(in_features, out_features)
        self.scale = nn.Parameter(torch.ones(out_features))

    def forward(self, x):
        h = torch.tanh(self.fc(x))
        h.mul_(self.scale)
        return h


if __name__ == "__main__":
    torch.manual_seed(0)
    layer = ScaledTanh(6, 3)
    loss = layer(torch.randn(4, 6)).sum()
    loss.backward()
    print(loss.item(), layer.scale.grad)
