import torch
from torch import nn, no_grad

model = nn.Linear(2, 2)
with no_grad():
    model.weight.mul_(0.5)
    model.bias += 1
