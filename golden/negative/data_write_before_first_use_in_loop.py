import torch
from torch import nn

# The .data write opens each iteration, before the forward; the backward ends it.
model = nn.Linear(3, 1)
for step in range(3):
    model.weight.data.mul_(0.99)
    loss = model(torch.randn(4, 3, requires_grad=True)).pow(2).mean()
    loss.backward()
