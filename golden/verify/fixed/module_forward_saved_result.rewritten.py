# expected-verdict: fixed
# a module's forward scales the sigmoid output in place.
import torch
import torch.nn as nn


class Gate(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 3)
        self.scale = nn.Parameter(torch.full((3,), 0.5))

    def forward(self, x):
        h = torch.sigmoid(self.fc(x))
        h = h * self.scale
        return h


gate = Gate()
data = torch.randn(2, 3)
loss = gate(data).sum()
loss.backward()
print(gate.scale.grad)
