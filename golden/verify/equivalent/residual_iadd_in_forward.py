# expected-verdict: equivalent
# `out += x` after a Linear inside forward; forward outputs compared.
import torch
import torch.nn as nn


class Residual(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        out = self.fc(x)
        out += x
        return out


block = Residual()
data = torch.randn(3, 4)
result = block(data)
loss = result.pow(2).sum()
loss.backward()
print(block.fc.bias.grad)
