import torch
from torch import nn

cell = nn.RNNCell(3, 4)
inputs = torch.randn(5, 2, 3)
h = torch.zeros(2, 4)
outputs = []
for t in range(5):
    h = cell(inputs[t], h)
    outputs.append(h)
outputs = torch.stack(outputs)
outputs.sum().backward()
