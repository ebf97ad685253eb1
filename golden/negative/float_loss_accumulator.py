import torch
from torch import nn

model = nn.Linear(2, 1)
running_loss = 0.0
for _ in range(3):
    loss = model(torch.randn(4, 2)).pow(2).mean()
    loss.backward()
    running_loss += loss.item()
print(running_loss)
