import torch
from torch import nn

model = nn.Sequential(
    nn.Linear(4, 8),
    nn.ReLU(),
    nn.Dropout(p=0.2),
    nn.Linear(8, 1),
)
model(torch.randn(3, 4)).sum().backward()
