import torch
from torch import nn

# Runs, with silently wrong gradients: the graph of every iteration is kept until the backward
# after the loop, and the .data write of the next iteration changes a weight it saved.
model = nn.Linear(3, 3)
x = torch.randn(2, 3, requires_grad=True)
total = 0.0
for step in range(3):
    total = total + model(x).sum()
    model.weight.data.mul_(0.9)
total.backward()
