# expected-verdict: fixed
# nn.ELU(inplace=True) inside a module's forward, after tanh.
import torch
import torch.nn as nn


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 3)
        self.act = nn.ELU()

    def forward(self, x):
        return self.act(torch.tanh(self.fc(x)))


block = Block()
data = torch.randn(4, 3)
loss = block(data).sum()
loss.backward()
print(block.fc.weight.grad)
