import torch
from torch import nn

model = nn.Linear(3, 1)
lr = 0.1
model(torch.randn(4, 3)).pow(2).mean().backward()
with torch.no_grad():
    for p in model.parameters():
        p.add_(-lr * p.grad)
        p.grad.zero_()
