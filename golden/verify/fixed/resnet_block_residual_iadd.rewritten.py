# expected-verdict: fixed
# a ResNet-style block: `out += residual` changes the output relu saved; backward raises. Only that line changes.
import torch
from torch import nn

torch.manual_seed(0)


class Block(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x):
        residual = x
        out = torch.relu(self.conv1(x))
        out = torch.relu(self.conv2(out))
        out = out + residual
        return torch.relu(out)


block = Block(4)
x = torch.randn(2, 4, 8, 8, requires_grad=True)
loss = block(x).square().mean()
loss.backward()
print(x.grad.sum(), block.conv1.weight.grad.sum())
